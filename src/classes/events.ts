// Zoom webhooks that keep classes and teachers true to Zoom: meetings starting, ending (then
// attendance is fetched), changed and deleted in Zoom; users licensed, deactivated or removed (their
// classes are flagged). Idempotent: processing an event twice, or an older one late, changes nothing.
import { and, eq, inArray, isNull, lt, or, sql } from "drizzle-orm";
import { z } from "zod";
import { audit } from "../db/audit.ts";
import { database } from "../db/client.ts";
import { classes, classSessions, teachers } from "../db/schema.ts";
import { dispatchEvents, emitEvent } from "../events/outbox.ts";
import { rosterChanged } from "../links/roster-object.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { applyUserEvent } from "../teachers/sync.ts";
import { ZoomClient } from "../zoom/client.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import type { EventHandler, ZoomEvent } from "../zoom/events.ts";
import { ZoomId } from "../zoom/schemas.ts";
import { findUser } from "../zoom/users.ts";
import { recordSession } from "./sessions.ts";

const MeetingPayload = z.object({
  account_id: z.string().min(1),
  object: z.object({
    id: ZoomId,
    uuid: z.string().min(1).max(200).optional(),
    start_time: z.string().optional(),
    end_time: z.string().optional(),
    /** Present when only some occurrences of a recurring meeting were deleted. */
    occurrences: z.array(z.unknown()).optional(),
  }),
});

const UserPayload = z.object({
  account_id: z.string().min(1),
  object: z.object({
    id: z.string().min(1),
    email: z.string().max(320).optional(),
    type: z.number().int().optional(),
  }),
});

async function tenantOf(env: Env, accountId: string) {
  return (await credentialForAccount(database(env.DB), accountId))?.tenantId;
}

function parse<T>(schema: z.ZodType<T>, event: ZoomEvent): T | undefined {
  const p = schema.safeParse(event.payload);
  if (!p.success) log("warn", "webhook payload not understood; ignored", { event: event.event });
  return p.success ? p.data : undefined;
}

const ofMeeting = (tenantId: string, accountId: string, meetingId: string) =>
  and(
    eq(classes.tenantId, tenantId),
    eq(classes.zoomAccountId, accountId),
    eq(classes.zoomMeetingId, meetingId),
  );

/** The teacher taught at `at`; keeps the latest time (events may arrive late or twice). */
async function touchTeacher(env: Env, tenantId: string, teacherId: string, at: number) {
  await database(env.DB)
    .update(teachers)
    .set({ lastClassAt: sql`max(coalesce(${teachers.lastClassAt}, 0), ${at})` })
    .where(and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, teacherId)));
}

export const onMeetingStarted: EventHandler = async (env, _config, event) => {
  const p = parse(MeetingPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId) return;
  const row = await database(env.DB)
    .update(classes)
    .set({ status: "live", updatedAt: Date.now() })
    .where(
      and(
        ofMeeting(tenantId, p.account_id, p.object.id),
        inArray(classes.status, ["scheduled", "ended", "live"]),
      ),
    )
    .returning()
    .get();
  if (!row) return;
  await rosterChanged(env, tenantId, row.classId);
  await touchTeacher(env, tenantId, row.teacherId, Date.now());
  // After the change: the inbox runs this handler again until it succeeds, and the key makes the
  // event once per meeting instance.
  await emitEvent(env, database(env.DB), {
    tenantId,
    type: "class.started",
    key: `${row.classId}|${p.object.uuid ?? event.event_ts ?? p.object.start_time ?? ""}`,
    data: { classId: row.classId, zoomMeetingId: p.object.id, meetingUuid: p.object.uuid ?? null },
  });
};

export const onMeetingEnded: EventHandler = async (env, config, event) => {
  const p = parse(MeetingPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId) return;
  const db = database(env.DB);
  const row = await db
    .select()
    .from(classes)
    .where(ofMeeting(tenantId, p.account_id, p.object.id))
    .get();
  if (!row) return;
  if (row.status === "live" || row.status === "scheduled") {
    // A recurring class goes back to waiting for its next occurrence.
    await db
      .update(classes)
      .set({ status: row.recurrence ? "scheduled" : "ended", updatedAt: Date.now() })
      .where(
        and(ofMeeting(tenantId, p.account_id, p.object.id), inArray(classes.status, ["live", "scheduled"])),
      );
    await rosterChanged(env, tenantId, row.classId);
  }
  const endedAt = Date.parse(p.object.end_time ?? "");
  await touchTeacher(env, tenantId, row.teacherId, Number.isNaN(endedAt) ? Date.now() : endedAt);
  if (!p.object.uuid) return;
  const client = await ZoomClient.forTenant(env, config, db, tenantId);
  await recordSession(db, client, row, p.object.uuid);
  const session = await db
    .select()
    .from(classSessions)
    .where(and(eq(classSessions.tenantId, tenantId), eq(classSessions.zoomMeetingUuid, p.object.uuid)))
    .get();
  await emitEvent(env, db, {
    tenantId,
    type: "class.ended",
    key: `${row.classId}|${p.object.uuid}`,
    data: {
      classId: row.classId,
      zoomMeetingId: p.object.id,
      meetingUuid: p.object.uuid,
      endedAt: Number.isNaN(endedAt) ? null : new Date(endedAt).toISOString(),
      attendance: {
        participants: session?.participantsCount ?? 0,
        complete: session?.reportComplete ?? false,
        route: `/v1/classes/${encodeURIComponent(row.classId)}/sessions`,
      },
    },
  });
};

export const onMeetingDeleted: EventHandler = async (env, _config, event) => {
  const p = parse(MeetingPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId || p.object.occurrences?.length) return;
  const db = database(env.DB);
  const gone = await db
    .update(classes)
    .set({ status: "deleted", updatedAt: Date.now() })
    .where(
      and(
        ofMeeting(tenantId, p.account_id, p.object.id),
        inArray(classes.status, ["scheduled", "live", "ended"]),
      ),
    )
    .returning({ classId: classes.classId });
  for (const { classId } of gone) {
    await audit(db, {
      tenantId,
      actor: "zoom",
      action: "class.deleted_in_zoom",
      details: { classId, zoomMeetingId: p.object.id, operatorId: operatorOf(event) },
    });
    await rosterChanged(env, tenantId, classId);
  }
};

const operatorOf = (event: ZoomEvent) =>
  typeof event.payload.operator_id === "string" ? event.payload.operator_id : undefined;

const MeetingUpdatedPayload = z.object({
  account_id: z.string().min(1),
  /** When the change was made in Zoom (epoch ms): what orders updates that arrive out of order. */
  time_stamp: z.number().int().positive(),
  scope: z.enum(["single", "all"]).optional(),
  object: z.object({ id: ZoomId, occurrences: z.array(z.unknown()).optional() }).passthrough(),
  old_object: z.record(z.string(), z.unknown()).optional(),
});

/** The fields of a meeting a class follows, as GET /meetings/{id} gives them now. */
const MeetingNow = z.object({
  topic: z.string().min(1).max(300).optional(),
  start_time: z.string().optional(),
  duration: z.number().int().min(0).optional(),
  timezone: z.string().max(64).optional(),
  settings: z.object({ auto_recording: z.enum(["cloud", "local", "none"]).optional() }).optional(),
});

/**
 * meeting.updated: the class follows the meeting as Zoom holds it now (read back, so updates of
 * different fields that arrive out of order all show), unless a later update was applied already.
 */
export const onMeetingUpdated: EventHandler = async (env, config, event) => {
  const p = parse(MeetingUpdatedPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId) return;
  const db = database(env.DB);
  const row = await db
    .select()
    .from(classes)
    .where(
      and(
        ofMeeting(tenantId, p.account_id, p.object.id),
        inArray(classes.status, ["scheduled", "live", "ended"]),
      ),
    )
    .get();
  if (!row || (row.zoomUpdatedAt ?? 0) >= p.time_stamp) return;
  // One occurrence of a series changed: the class keeps the series' schedule; the change is audited.
  const occurrenceOnly = row.recurrence && (p.scope === "single" || p.object.occurrences?.length);
  const client = await ZoomClient.forTenant(env, config, db, tenantId);
  let now: z.infer<typeof MeetingNow>;
  try {
    now = await client.call({
      operation: "meetings.get",
      method: "GET",
      path: `/meetings/${encodeURIComponent(p.object.id)}`,
      schema: MeetingNow,
    });
  } catch (err) {
    // Deleted since: meeting.deleted says so.
    if (err instanceof ZoomApiError && (err.zoomCode === 3001 || err.status === 404)) return;
    throw err;
  }
  const startTime = now.start_time ? Date.parse(now.start_time) : Number.NaN;
  const next = occurrenceOnly
    ? {}
    : {
        ...(now.topic !== undefined ? { topic: now.topic } : {}),
        ...(Number.isFinite(startTime) ? { startTime } : {}),
        ...(now.duration ? { durationMinutes: now.duration } : {}),
        ...(now.timezone ? { timezone: now.timezone } : {}),
        ...(now.settings?.auto_recording ? { autoRecording: now.settings.auto_recording } : {}),
      };
  const changed = Object.fromEntries(
    Object.entries(next)
      .filter(([k, v]) => row[k as keyof typeof next] !== v)
      .map(([k, v]) => [k, { from: row[k as keyof typeof next], to: v }]),
  );
  const applied = await db
    .update(classes)
    .set({ ...next, zoomUpdatedAt: p.time_stamp, updatedAt: Date.now() })
    .where(
      and(
        eq(classes.tenantId, tenantId),
        eq(classes.classId, row.classId),
        or(isNull(classes.zoomUpdatedAt), lt(classes.zoomUpdatedAt, p.time_stamp)),
      ),
    )
    .returning({ classId: classes.classId });
  if (!applied.length) return;
  await audit(db, {
    tenantId,
    actor: "zoom",
    action: "class.updated_in_zoom",
    details: {
      classId: row.classId,
      zoomMeetingId: p.object.id,
      operatorId: operatorOf(event),
      changedAt: p.time_stamp,
      changed,
      ...(occurrenceOnly ? { occurrence: true } : {}),
    },
  });
  await rosterChanged(env, tenantId, row.classId);
};

/** What a user event means for the classes the user hosts. */
const hostIssueOf: Record<string, "host_deactivated" | "host_removed" | null> = {
  "user.deactivated": "host_deactivated",
  "user.deleted": "host_removed",
  "user.disassociated": "host_removed",
  "user.activated": null,
};

/**
 * user.activated and user.deactivated undo each other, so which one is true is read back from Zoom:
 * a late or reordered one then changes nothing.
 */
async function currentActivation(env: Env, config: Config, tenantId: string, userId: string, event: string) {
  if (event !== "user.activated" && event !== "user.deactivated") return event;
  const db = database(env.DB);
  const user = await findUser(await ZoomClient.forTenant(env, config, db, tenantId), userId);
  if (!user) return "user.disassociated";
  return user.status === "inactive"
    ? "user.deactivated"
    : user.status === "active"
      ? "user.activated"
      : event;
}

export const onUserEvent: EventHandler = async (env, config, event) => {
  const p = parse(UserPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId) return;
  const db = database(env.DB);
  const effective = await currentActivation(env, config, tenantId, p.object.id, event.event);
  await dispatchEvents(env, await applyUserEvent(db, tenantId, effective, p.object));
  const issue = hostIssueOf[effective];
  if (issue === undefined) return;
  // Classes still to run are flagged (visible as hostIssue in the API) rather than left to fail at
  // start time; reactivation clears a deactivation flag only.
  const flagged = await db
    .update(classes)
    .set({ hostIssue: issue, updatedAt: Date.now() })
    .where(
      and(
        eq(classes.tenantId, tenantId),
        eq(classes.zoomAccountId, p.account_id),
        eq(classes.hostZoomUserId, p.object.id),
        inArray(classes.status, ["creating", "scheduled", "live"]),
        issue === null
          ? eq(classes.hostIssue, "host_deactivated")
          : or(isNull(classes.hostIssue), sql`${classes.hostIssue} <> ${issue}`),
      ),
    )
    .returning({ classId: classes.classId });
  if (!flagged.length) return;
  await audit(db, {
    tenantId,
    actor: "zoom",
    action: issue ? "class.host_flagged" : "class.host_cleared",
    details: { zoomUserId: p.object.id, event: effective, classIds: flagged.map((r) => r.classId) },
  });
  for (const { classId } of flagged) await rosterChanged(env, tenantId, classId);
};

export const classEventHandlers: Record<string, EventHandler> = {
  "meeting.started": onMeetingStarted,
  "meeting.ended": onMeetingEnded,
  "meeting.deleted": onMeetingDeleted,
  "meeting.updated": onMeetingUpdated,
  "user.created": onUserEvent,
  "user.updated": onUserEvent,
  "user.deleted": onUserEvent,
  "user.disassociated": onUserEvent,
  "user.deactivated": onUserEvent,
  "user.activated": onUserEvent,
  "user.invitation_accepted": onUserEvent,
};
