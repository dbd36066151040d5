// Creating a class's Zoom meeting exactly once: a claim on the class row (D1 compare-and-swap, no
// transactions) marks the attempt; a retry finds a meeting the previous attempt made by the marker in
// its agenda instead of creating a second one; a failed attempt gives the claim back.
import { and, eq, inArray, isNull, type SQL } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { classes } from "../db/schema.ts";
import { sealJoinUrl } from "../links/join-urls.ts";
import { Conflict } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import type { TeacherRow } from "../teachers/teachers.ts";
import { randomToken } from "../tokens/encoding.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { createMeeting, deleteMeeting, listMeetings, updateMeeting } from "../zoom/meetings.ts";
import type { ZoomMeeting } from "../zoom/schemas.ts";
import { type ClassRow, classWhere, GONE } from "./class-access.ts";
import { isMeetingGone, isUncertain, meetingRefusal } from "./meeting-refusals.ts";
import type { MeetingPolicy } from "./policy.ts";
import { type ClassMeetingInput, claimMarker, meetingBody, meetingSettings } from "./schedule.ts";

/** A claim younger than this belongs to an attempt that may still be talking to Zoom. */
export const CLAIM_TTL_MS = 120_000;

/** Same schedule and same settings sent: a changed tenant policy makes the next PUT update Zoom. */
export function sameSchedule(row: ClassRow, input: ClassMeetingInput, policy: MeetingPolicy): boolean {
  return (
    JSON.stringify(row.meetingSettings ?? null) === JSON.stringify(meetingSettings(input, policy)) &&
    row.topic === input.topic &&
    row.startTime === input.startTime &&
    row.durationMinutes === input.durationMinutes &&
    (row.timezone ?? null) === (input.timezone ?? null) &&
    JSON.stringify(row.recurrence ?? null) === JSON.stringify(input.recurrence ?? null) &&
    row.registration === input.registration &&
    row.autoRecording === input.autoRecording
  );
}

/** The class row's fields that a meeting input sets. */
export const scheduleFields = (input: ClassMeetingInput, policy: MeetingPolicy) => ({
  meetingSettings: { ...meetingSettings(input, policy) },
  teacherId: input.teacherId,
  topic: input.topic,
  startTime: input.startTime,
  durationMinutes: input.durationMinutes,
  timezone: input.timezone ?? null,
  recurrence: input.recurrence ?? null,
  registration: input.registration,
  autoRecording: input.autoRecording,
});

/** Takes the create claim, finds or creates the meeting, and stores it under the claim. */
export async function createWithClaim(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  classId: string,
  input: ClassMeetingInput,
  policy: MeetingPolicy,
  teacher: TeacherRow & { zoomUserId: string },
  current: ClassRow | undefined,
): Promise<{ row: ClassRow; created: boolean }> {
  const now = Date.now();
  const fields = {
    ...scheduleFields(input, policy),
    zoomAccountId: client.zoomAccountId,
    hostZoomUserId: teacher.zoomUserId,
    // A new meeting with this host: flags and update times of the previous meeting do not apply.
    hostIssue: null,
    zoomUpdatedAt: null,
    status: "creating" as const,
    zoomMeetingId: null,
    zoomMeetingUuid: null,
    joinUrl: null,
    updatedAt: now,
  };
  /** Claims the existing row for this attempt when it is still as read (`guards`); else it is in progress. */
  const takeRow = async (token: string, ...guards: SQL[]) => {
    const taken = await db
      .update(classes)
      .set({ ...fields, claimToken: token, claimedAt: now })
      .where(and(classWhere(tenantId, classId), ...guards))
      .returning()
      .get();
    if (!taken) throw inProgress();
  };
  let claim: {
    token: string;
    previous: ClassRow | undefined;
    search: { host: string; token: string } | undefined;
    /** Whether the earlier attempt asked for the same schedule, so a found meeting needs no update. */
    sameAsFound?: boolean;
  };

  if (!current) {
    const token = randomToken(12);
    const inserted = await db
      .insert(classes)
      .values({ tenantId, classId, ...fields, claimToken: token, claimedAt: now })
      .onConflictDoNothing()
      .returning()
      .get();
    if (!inserted) throw inProgress();
    claim = { token, previous: undefined, search: undefined };
  } else if (current.status === "creating") {
    if (current.claimToken && current.claimedAt && now - current.claimedAt < CLAIM_TTL_MS) throw inProgress();
    // The earlier attempt died or lost Zoom's answer: take its claim over (keeping its token, so
    // the meeting it may have made is recognised) and look for that meeting first.
    const token = current.claimToken ?? randomToken(12);
    await takeRow(
      token,
      eq(classes.status, "creating"),
      current.claimedAt === null ? isNull(classes.claimedAt) : eq(classes.claimedAt, current.claimedAt),
    );
    claim = {
      token,
      previous: undefined,
      search:
        current.claimToken && current.hostZoomUserId ? { host: current.hostZoomUserId, token } : undefined,
      sameAsFound: sameSchedule(current, input, policy),
    };
  } else {
    // The meeting is gone (deleted in Zoom or cancelled here): claim the row for a new one.
    const token = randomToken(12);
    await takeRow(token, inArray(classes.status, GONE), eq(classes.updatedAt, current.updatedAt));
    claim = { token, previous: current, search: undefined };
  }

  let meeting: ZoomMeeting | undefined;
  let created = false;
  // Until the search for an earlier attempt's meeting has answered, a failure leaves that unknown.
  let searched = claim.search === undefined;
  try {
    if (claim.search) meeting = await findClaimedMeeting(client, claim.search.host, claim.search.token);
    searched = true;
    if (meeting && claim.search?.host !== teacher.zoomUserId) {
      // Found under the previous attempt's host, but this request names another teacher.
      await deleteMeeting(client, meeting.id).catch((err) => {
        if (!isMeetingGone(err)) throw err;
      });
      meeting = undefined;
    } else if (meeting && !claim.sameAsFound) {
      // The lost attempt was asked for another schedule than this retry.
      await updateMeeting(client, meeting.id, meetingBody(classId, input, claim.token, policy));
    }
    if (!meeting) {
      meeting = await createMeeting(
        client,
        teacher.zoomUserId,
        meetingBody(classId, input, claim.token, policy),
      );
      created = true;
    }
  } catch (err) {
    await releaseClaim(db, tenantId, classId, claim.token, claim.previous, isUncertain(err) || !searched);
    throw meetingRefusal(err);
  }

  const stored = await db
    .update(classes)
    .set({
      zoomMeetingId: meeting.id,
      zoomMeetingUuid: meeting.uuid ?? null,
      // Sealed: it carries the meeting's passcode.
      joinUrl: meeting.join_url
        ? await sealJoinUrl(
            client.config.tokenKeys,
            { tenantId, classId, zoomMeetingId: meeting.id },
            meeting.join_url,
          )
        : null,
      status: "scheduled",
      claimToken: claim.token,
      claimedAt: null,
      updatedAt: Date.now(),
    })
    .where(
      and(classWhere(tenantId, classId), eq(classes.claimToken, claim.token), eq(classes.status, "creating")),
    )
    .returning()
    .get();
  if (!stored) {
    // Our claim expired and another attempt took over; it will find this meeting by its marker.
    log("warn", "class meeting claim lost after create", { tenantId, classId, zoomMeetingId: meeting.id });
    throw inProgress();
  }
  return { row: stored, created };
}

export function inProgress() {
  const retryAfterSeconds = Math.ceil(CLAIM_TTL_MS / 1000);
  return new Conflict(
    "class_meeting_in_progress",
    "The class's meeting is being created by another request; retry shortly",
    { extras: { retryAfterSeconds }, retryAfterSeconds },
  );
}

/**
 * After a failed create: a definite refusal frees the row (nothing half-written remains); an
 * uncertain one keeps the claim, aged so the next attempt at once looks for the meeting in Zoom.
 */
async function releaseClaim(
  db: Db,
  tenantId: string,
  classId: string,
  token: string,
  previous: ClassRow | undefined,
  uncertain: boolean,
) {
  const mine = and(
    classWhere(tenantId, classId),
    eq(classes.claimToken, token),
    eq(classes.status, "creating"),
  );
  if (uncertain) {
    await db.update(classes).set({ claimedAt: 0 }).where(mine);
  } else if (previous) {
    const { tenantId: _t, classId: _c, createdAt: _a, ...rest } = previous;
    await db.update(classes).set(rest).where(mine);
  } else {
    await db.delete(classes).where(mine);
  }
}

/** The meeting a claim made, found by the marker in its agenda among the host's meetings. */
export async function findClaimedMeeting(client: ZoomClient, hostZoomUserId: string, token: string) {
  const marker = claimMarker(token);
  try {
    for await (const m of listMeetings(client, hostZoomUserId)) {
      if (m.agenda?.includes(marker)) return m;
    }
  } catch (err) {
    if (err instanceof ZoomApiError && err.zoomCode === 1001) return undefined;
    throw err;
  }
  return undefined;
}
