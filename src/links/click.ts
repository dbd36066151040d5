// What a click on a join (/j) or start (/s) link leads to. The join path costs one HMAC verify and
// one RPC to the class's ClassRoster object, which answers from memory (see roster-object.ts).
import { z } from "zod";
import { recordMeetingGone } from "../classes/meetings.ts";
import { database } from "../db/client.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { relicenseHostIfNeeded } from "../teachers/licenses.ts";
import { encodePathSegment } from "../zoom/client.ts";
import { ZoomApiError, ZoomNeedsRelink, ZoomNotLinked } from "../zoom/errors.ts";
import type { RetryBudget } from "../zoom/retry.ts";
import { CLICK_BUDGET, registerStudent, zoomClientFor } from "./registration.ts";
import { type JoinView, rosterChanged, rosterOf } from "./roster-object.ts";
import { type LinkClaims, type LinkFailure, verifyLink } from "./token.ts";

/** Students may enter this long before the scheduled start (Zoom's waiting room takes over then). */
export const OPENS_BEFORE_START_MS = 10 * 60_000;

export type JoinOutcome =
  | { kind: "redirect"; location: string }
  | { kind: "waiting"; opensAt: number; topic: string }
  | { kind: "invalid"; reason: LinkFailure }
  | { kind: "revoked" }
  | { kind: "limited" }
  | { kind: "cancelled" }
  | { kind: "not_found" }
  | { kind: "unavailable" };

/** One link's identity for the per-link click limit (its claims are unique per minted link). */
const linkKey = (c: LinkClaims) => `${c.purpose}:${c.subject}:${c.iat}:${c.exp}`;

/** The meeting's own join URL with the student's display name (Zoom's `uname`). */
function meetingJoinUrl(joinUrl: string, name: string | null): string {
  if (!name) return joinUrl;
  const url = new URL(joinUrl);
  url.searchParams.set("uname", name);
  return url.toString();
}

/** Whether students may go in: the meeting started, or its start is less than ten minutes away. */
// A class whose Zoom meeting is still being created has nowhere to send anyone yet.
const isOpen = (row: Pick<JoinView, "status" | "startTime">, now: number) =>
  row.status !== "creating" && (row.status !== "scheduled" || now >= row.startTime - OPENS_BEFORE_START_MS);

/**
 * Resolves a join click. With `redirect: false` (the waiting page's poll) it stops at "open",
 * answering with a redirect to the link itself, so polling never registers anyone at Zoom.
 */
export async function resolveJoin(
  env: Env,
  config: Config,
  token: string,
  now = Date.now(),
  opts: { redirect: boolean } = { redirect: true },
): Promise<JoinOutcome> {
  const verified = await verifyLink(config.linkKeys, token, "join", now);
  if (!verified.ok) return { kind: "invalid", reason: verified.reason };
  const claims = verified.claims;
  const classId = claims.class as string; // join tokens always name a class (token schema)
  const row = await rosterOf(env, claims.tenant, classId).join(
    claims.tenant,
    classId,
    claims.subject,
    linkKey(claims),
  );
  if (!row) return { kind: "not_found" };
  if (row.status === "cancelled" || row.status === "deleted") return { kind: "cancelled" };
  if (row.revokedAt !== null && claims.iat <= row.revokedAt) return { kind: "revoked" };
  if (row.overLimit) return { kind: "limited" };
  if (!isOpen(row, now)) {
    return { kind: "waiting", opensAt: row.startTime - OPENS_BEFORE_START_MS, topic: row.topic };
  }
  if (!opts.redirect) return { kind: "redirect", location: "" };

  if (row.registration) {
    if (row.registrantStatus === "registered" && row.registrantJoinUrl) {
      return { kind: "redirect", location: row.registrantJoinUrl };
    }
    if (row.studentName !== null && row.zoomMeetingId) {
      // The background step has not registered this student yet: do it now, without waiting on Zoom.
      const result = await registerStudent(
        env,
        config,
        database(env.DB),
        { tenantId: claims.tenant, classId, zoomMeetingId: row.zoomMeetingId },
        { studentId: claims.subject, name: row.studentName, email: row.studentEmail },
        CLICK_BUDGET,
      );
      if (result.ok) return { kind: "redirect", location: result.joinUrl };
      if (result.error === "zoom_404_3001") {
        // The meeting expired or was deleted in Zoom: its join URL leads nowhere either.
        await recordMeetingGone(database(env.DB), claims.tenant, classId, row.zoomMeetingId);
        await rosterChanged(env, claims.tenant, classId);
        return { kind: "not_found" };
      }
      log("warn", "join: registering on click failed; sending the student to the meeting's join URL", {
        tenantId: claims.tenant,
        classId,
        studentId: claims.subject,
        error: result.error,
      });
    } else {
      log("warn", "join: student not on the class roster; sending them to the meeting's join URL", {
        tenantId: claims.tenant,
        classId,
        studentId: claims.subject,
      });
    }
  }
  if (!row.joinUrl) return { kind: "unavailable" };
  return { kind: "redirect", location: meetingJoinUrl(row.joinUrl, row.studentName) };
}

export type StartOutcome =
  | { kind: "redirect"; location: string }
  | { kind: "invalid"; reason: LinkFailure | "not_host" }
  | { kind: "revoked" }
  | { kind: "teacher_inactive" }
  | { kind: "limited" }
  | { kind: "cancelled" }
  | { kind: "not_found" }
  | { kind: "zoom_unavailable" }
  | { kind: "zoom_not_linked" };

const MeetingStart = z.object({ start_url: z.url() });

/** The teacher waits at most a few seconds for Zoom; the page then retries by itself. */
const START_BUDGET: RetryBudget = { maxAttempts: 2, maxWaitMs: 2_000, baseMs: 300, capMs: 1_000 };

/**
 * Resolves a start click: a fresh start_url from Zoom (it logs the holder in as host and lives two
 * hours), never stored or logged, only put in the redirect.
 */
export async function resolveStart(
  env: Env,
  config: Config,
  token: string,
  now = Date.now(),
): Promise<StartOutcome> {
  const verified = await verifyLink(config.linkKeys, token, "start", now);
  if (!verified.ok) return { kind: "invalid", reason: verified.reason };
  const claims = verified.claims;
  const classId = claims.class as string; // start tokens always name a class (token schema)
  const view = await rosterOf(env, claims.tenant, classId).start(
    claims.tenant,
    classId,
    claims.subject,
    linkKey(claims),
  );
  const cls = view.cls;
  if (!cls) return { kind: "not_found" };
  if (view.overLimit) return { kind: "limited" };
  if (cls.status === "cancelled" || cls.status === "deleted") return { kind: "cancelled" };
  // A class handed to another teacher no longer opens for the previous one.
  if (cls.teacherId !== claims.subject) return { kind: "invalid", reason: "not_host" };
  if (view.revokedAt !== null && claims.iat <= view.revokedAt) return { kind: "revoked" };
  // Each click hands out a host login: only for a teacher the institute still has, and active.
  if (view.teacherStatus !== "active") return { kind: "teacher_inactive" };
  if (!cls.zoomMeetingId) return { kind: "not_found" };
  const db = database(env.DB);
  try {
    const client = await zoomClientFor(env, config, db, claims.tenant, START_BUDGET);
    // A Basic host would get no cloud recording and a 40-minute cap (tenant's hostLicensePolicy).
    await relicenseHostIfNeeded(db, client, claims.tenant, cls.teacherId);
    const meeting = await client.call({
      operation: "meetings.get",
      method: "GET",
      path: `/meetings/${encodePathSegment(cls.zoomMeetingId)}`,
      schema: MeetingStart,
    });
    return { kind: "redirect", location: meeting.start_url };
  } catch (err) {
    if (err instanceof ZoomNotLinked || err instanceof ZoomNeedsRelink) return { kind: "zoom_not_linked" };
    if (err instanceof ZoomApiError && (err.status === 404 || err.zoomCode === 3001)) {
      if (err.zoomCode === 3001)
        await recordMeetingGone(db, claims.tenant, claims.class as string, cls.zoomMeetingId);
      return { kind: "not_found" };
    }
    log("warn", "start: Zoom did not give a start link", {
      tenantId: claims.tenant,
      classId: claims.class,
      err,
    });
    return { kind: "zoom_unavailable" };
  }
}

/** Outcomes that mean a bad, withdrawn or overused link: these are charged to the client's address. */
export const isRefusedClick = (o: JoinOutcome | StartOutcome) =>
  o.kind === "invalid" ||
  o.kind === "revoked" ||
  o.kind === "limited" ||
  o.kind === "not_found" ||
  o.kind === "teacher_inactive";
