// Class meetings: create or update a Wise class's Zoom meeting idempotently, read, delete and end it.
// Creation is guarded by a claim in D1 (a conditional insert) because Zoom's create is not
// idempotent: whoever holds the claim creates, and a retry after a lost answer first looks for the
// meeting carrying the claim's marker before creating again.
import { and, desc, eq, inArray, isNull } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { classes } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { sealJoinUrl } from "../links/join-urls.ts";
import { Conflict, conflict, forbidden, InvalidInput, LimitReached, notFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";
import { log } from "../platform/log.ts";
import { licenseTeacher } from "../teachers/licenses.ts";
import { getTeacher, type TeacherRow } from "../teachers/teachers.ts";
import { randomToken } from "../tokens/encoding.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError, ZoomRateLimited, ZoomResponseInvalid, ZoomUnavailable } from "../zoom/errors.ts";
import { createMeeting, deleteMeeting, endMeeting, listMeetings, updateMeeting } from "../zoom/meetings.ts";
import type { ZoomMeeting } from "../zoom/schemas.ts";
import { licenseOnScheduleOf, type MeetingPolicy, meetingPolicyOf } from "./policy.ts";
import { type ClassMeetingInput, claimMarker, meetingBody, meetingSettings } from "./schedule.ts";

export type ClassRow = typeof classes.$inferSelect;

/** A claim younger than this belongs to an attempt that may still be talking to Zoom. */
export const CLAIM_TTL_MS = 120_000;

const where = (tenantId: string, classId: string) =>
  and(eq(classes.tenantId, tenantId), eq(classes.classId, classId));

const GONE: ClassRow["status"][] = ["deleted", "cancelled"];

/** The answer of the class meeting routes; no join_url, passcode or start_url, ever. */
export function classMeetingView(row: ClassRow) {
  return {
    classId: row.classId,
    teacherId: row.teacherId,
    zoomMeetingId: row.zoomMeetingId,
    topic: row.topic,
    startTime: new Date(row.startTime).toISOString(),
    durationMinutes: row.durationMinutes,
    registration: row.registration,
    autoRecording: row.autoRecording,
    status: row.status,
    hostIssue: row.hostIssue ?? null,
  };
}

/** The tenant's classes, newest start first; a teacher sees only their own. */
export async function listClasses(db: Db, principal: Principal, limit: number): Promise<ClassRow[]> {
  const mine = principal.role === "teacher" ? eq(classes.teacherId, principal.userId) : undefined;
  return db
    .select()
    .from(classes)
    .where(and(eq(classes.tenantId, principal.tenantId), mine))
    .orderBy(desc(classes.startTime))
    .limit(limit)
    .all();
}

export async function getClass(db: Db, tenantId: string, classId: string) {
  return db.select().from(classes).where(where(tenantId, classId)).get();
}

/** Admins may touch any class; a teacher only their own. */
export function authorizeClass(principal: Principal, row: Pick<ClassRow, "teacherId"> | undefined) {
  if (principal.role === "admin") return;
  if (principal.role !== "teacher" || (row && row.teacherId !== principal.userId)) {
    throw forbidden("A teacher may only manage their own classes");
  }
}

/** The stored class the caller may see, or 404/403. */
export async function requireClass(db: Db, principal: Principal, classId: string) {
  const row = await getClass(db, principal.tenantId, classId);
  if (!row) throw notFound(`No meeting for class ${classId}`);
  authorizeClass(principal, row);
  return row;
}

/** Zoom refusals of meeting calls, as failures the caller can act on. */
export function meetingRefusal(err: unknown): unknown {
  if (err instanceof ZoomRateLimited && err.kind === "Daily-limit") {
    const retryAt = new Date(Date.now() + err.retryAfterSeconds * 1000).toISOString();
    return new LimitReached(
      "meeting_write_limit",
      `Zoom allows 100 meeting creates or updates per host per day; retry after ${retryAt}`,
      {
        title: "Daily meeting limit reached",
        extras: { retryAfterSeconds: err.retryAfterSeconds, retryAt },
        retryAfterSeconds: err.retryAfterSeconds,
      },
    );
  }
  if (!(err instanceof ZoomApiError)) return err;
  if (err.zoomCode === 300 || err.status === 400) {
    return new InvalidInput(err.zoomMessage, { code: "zoom_validation", title: "Zoom refused the meeting" });
  }
  if (err.zoomCode === 1001) {
    return conflict("zoom_user_gone", "The teacher's Zoom user no longer exists; run a teacher sync");
  }
  if (err.zoomCode === 3001) {
    return new Conflict("zoom_meeting_gone", "The Zoom meeting was deleted in Zoom");
  }
  return err;
}

const isMeetingGone = (err: unknown) => err instanceof ZoomApiError && err.zoomCode === 3001;
/** Failures after which Zoom may or may not have acted. */
const isUncertain = (err: unknown) => err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid;

/** Same schedule and same settings sent: a changed tenant policy makes the next PUT update Zoom. */
function sameSchedule(row: ClassRow, input: ClassMeetingInput, policy: MeetingPolicy): boolean {
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

const scheduleFields = (input: ClassMeetingInput, policy: MeetingPolicy) => ({
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

/**
 * The teacher able to host: known in this tenant, with an active, licensed Zoom user. Licensing on
 * schedule takes a paid seat, so it is an admin's act (or the tenant's explicit policy), never a
 * teacher's own.
 */
async function hostFor(
  db: Db,
  client: ZoomClient,
  principal: Principal,
  teacherId: string,
  licenseOnSchedule: "admin" | "anyone" | "never",
) {
  const teacher = await getTeacher(db, principal.tenantId, teacherId);
  if (!teacher) throw notFound(`No teacher ${teacherId} in this institute`);
  if (!teacher.zoomUserId || teacher.status !== "active") {
    throw conflict(
      "teacher_not_ready",
      "The teacher's Zoom user is not active yet (invitation pending or deactivated)",
      {
        status: teacher.status,
      },
    );
  }
  // Classes are recorded to the cloud and may use registration, which need a licensed host.
  if (!teacher.licensed) {
    const may =
      licenseOnSchedule === "anyone" || (licenseOnSchedule === "admin" && principal.role === "admin");
    if (!may) {
      throw conflict(
        "teacher_not_licensed",
        "The teacher has no paid Zoom license; an admin must license them before their class is scheduled",
        { licenseOnSchedule },
      );
    }
    await licenseTeacher(db, client, teacher, principal.userId);
  }
  return teacher as TeacherRow & { zoomUserId: string };
}

/**
 * Creates or updates the class's meeting. Answers the class and whether a meeting was created.
 * Calling it again with the same request changes nothing and calls Zoom not at all.
 */
export async function putClassMeeting(
  db: Db,
  client: ZoomClient,
  principal: Principal,
  classId: string,
  input: ClassMeetingInput,
): Promise<{ row: ClassRow; created: boolean }> {
  const tenantId = principal.tenantId;
  if (principal.role === "teacher" && input.teacherId !== principal.userId) {
    throw forbidden("A teacher may only schedule classes they teach");
  }
  let row = await getClass(db, tenantId, classId);
  authorizeClass(principal, row);
  const settings = (await getTenant(db, tenantId)).settings;
  const policy = meetingPolicyOf(settings);
  const teacher = await hostFor(db, client, principal, input.teacherId, licenseOnScheduleOf(settings));

  // Unchanged: nothing to do (and nothing spent of Zoom's 100 writes per host per day).
  if (
    row?.zoomMeetingId &&
    !GONE.includes(row.status) &&
    row.teacherId === input.teacherId &&
    sameSchedule(row, input, policy)
  ) {
    return { row, created: false };
  }

  if (row?.zoomMeetingId && !GONE.includes(row.status)) {
    if (row.teacherId === input.teacherId) {
      try {
        await updateMeeting(
          client,
          row.zoomMeetingId,
          meetingBody(classId, input, row.claimToken ?? "-", policy),
        );
        const updated = await db
          .update(classes)
          // A rescheduled class that had ended waits for its new start.
          .set({
            ...scheduleFields(input, policy),
            ...(row.status === "ended" ? { status: "scheduled" as const } : {}),
            updatedAt: Date.now(),
          })
          .where(where(tenantId, classId))
          .returning()
          .get();
        return { row: updated ?? row, created: false };
      } catch (err) {
        if (!isMeetingGone(err)) throw meetingRefusal(err);
        // Deleted in Zoom behind our back: record it, then make a new one below.
        row = await markMeetingGone(db, tenantId, classId, row.zoomMeetingId);
      }
    } else {
      // Zoom cannot move a meeting to another host: the new teacher gets a new meeting.
      try {
        await deleteMeeting(client, row.zoomMeetingId);
      } catch (err) {
        if (!isMeetingGone(err)) throw meetingRefusal(err);
      }
      row = await markMeetingGone(db, tenantId, classId, row.zoomMeetingId, "cancelled");
    }
  }
  return createWithClaim(db, client, tenantId, classId, input, policy, teacher, row);
}

/** Records that the class's Zoom meeting is gone (deleted in Zoom, or expired: 3001); a PUT makes a new one. */
export async function markMeetingGone(
  db: Db,
  tenantId: string,
  classId: string,
  zoomMeetingId: string,
  status: "deleted" | "cancelled" = "deleted",
): Promise<ClassRow | undefined> {
  return db
    .update(classes)
    .set({ status, updatedAt: Date.now() })
    .where(and(where(tenantId, classId), eq(classes.zoomMeetingId, zoomMeetingId)))
    .returning()
    .get();
}

/**
 * Zoom answered 3001 for the class's meeting at a click (expired after 365 unused days, or deleted
 * in Zoom): the class shows "deleted", audited, and the next PUT makes a new meeting.
 */
export async function recordMeetingGone(db: Db, tenantId: string, classId: string, zoomMeetingId: string) {
  const row = await markMeetingGone(db, tenantId, classId, zoomMeetingId);
  if (row) {
    await audit(db, {
      tenantId,
      actor: "zoom",
      action: "class.meeting_gone",
      details: { classId, zoomMeetingId },
    });
  }
}

/** Takes the create claim, finds or creates the meeting, and stores it under the claim. */
async function createWithClaim(
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
    const taken = await db
      .update(classes)
      .set({ ...fields, claimToken: token, claimedAt: now })
      .where(
        and(
          where(tenantId, classId),
          eq(classes.status, "creating"),
          current.claimedAt === null ? isNull(classes.claimedAt) : eq(classes.claimedAt, current.claimedAt),
        ),
      )
      .returning()
      .get();
    if (!taken) throw inProgress();
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
    const taken = await db
      .update(classes)
      .set({ ...fields, claimToken: token, claimedAt: now })
      .where(
        and(
          where(tenantId, classId),
          inArray(classes.status, GONE),
          eq(classes.updatedAt, current.updatedAt),
        ),
      )
      .returning()
      .get();
    if (!taken) throw inProgress();
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
    .where(and(where(tenantId, classId), eq(classes.claimToken, claim.token), eq(classes.status, "creating")))
    .returning()
    .get();
  if (!stored) {
    // Our claim expired and another attempt took over; it will find this meeting by its marker.
    log("warn", "class meeting claim lost after create", { tenantId, classId, zoomMeetingId: meeting.id });
    throw inProgress();
  }
  return { row: stored, created };
}

function inProgress() {
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
  const mine = and(where(tenantId, classId), eq(classes.claimToken, token), eq(classes.status, "creating"));
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
async function findClaimedMeeting(client: ZoomClient, hostZoomUserId: string, token: string) {
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

/** Deletes the Zoom meeting (archived recordings stay) and marks the class cancelled. */
export async function deleteClassMeeting(db: Db, client: ZoomClient, principal: Principal, classId: string) {
  const row = await requireClass(db, principal, classId);
  let meetingId = row.zoomMeetingId;
  if (!meetingId && row.status === "creating") {
    if (row.claimedAt && Date.now() - row.claimedAt < CLAIM_TTL_MS) throw inProgress();
    if (row.claimToken && row.hostZoomUserId) {
      meetingId = (await findClaimedMeeting(client, row.hostZoomUserId, row.claimToken))?.id ?? null;
    }
  }
  if (meetingId && !GONE.includes(row.status)) {
    try {
      await deleteMeeting(client, meetingId);
    } catch (err) {
      if (!isMeetingGone(err)) throw meetingRefusal(err);
    }
  }
  await db
    .update(classes)
    .set({ status: "cancelled", zoomMeetingId: meetingId, claimedAt: null, updatedAt: Date.now() })
    .where(where(principal.tenantId, classId));
}

/** Ends a live class for everyone. */
export async function endClassMeeting(db: Db, client: ZoomClient, principal: Principal, classId: string) {
  const row = await requireClass(db, principal, classId);
  if (!row.zoomMeetingId || GONE.includes(row.status)) {
    throw conflict("class_has_no_meeting", `Class ${classId} has no Zoom meeting`, { status: row.status });
  }
  try {
    await endMeeting(client, row.zoomMeetingId);
  } catch (err) {
    if (isMeetingGone(err)) await markMeetingGone(db, principal.tenantId, classId, row.zoomMeetingId);
    throw meetingRefusal(err);
  }
  return (
    (await db
      .update(classes)
      .set({ status: "ended", updatedAt: Date.now() })
      .where(where(principal.tenantId, classId))
      .returning()
      .get()) ?? row
  );
}
