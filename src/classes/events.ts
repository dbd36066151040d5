// Zoom webhooks that keep classes and teachers true to Zoom: meetings starting, ending (then
// attendance is fetched) and deleted in Zoom; users licensed, deactivated or removed. Idempotent.
import { and, eq, inArray, sql } from "drizzle-orm";
import { z } from "zod";
import { database } from "../db/client.ts";
import { classes, teachers } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { log } from "../http/log.ts";
import { rosterChanged } from "../links/roster-object.ts";
import { applyUserEvent } from "../teachers/teachers.ts";
import { ZoomClient } from "../zoom/client.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import type { EventHandler, ZoomEvent } from "../zoom/events.ts";
import { ZoomId } from "../zoom/schemas.ts";
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
};

export const onMeetingDeleted: EventHandler = async (env, _config, event) => {
  const p = parse(MeetingPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId || p.object.occurrences?.length) return;
  const gone = await database(env.DB)
    .update(classes)
    .set({ status: "deleted", updatedAt: Date.now() })
    .where(
      and(
        ofMeeting(tenantId, p.account_id, p.object.id),
        inArray(classes.status, ["scheduled", "live", "ended"]),
      ),
    )
    .returning({ classId: classes.classId });
  for (const { classId } of gone) await rosterChanged(env, tenantId, classId);
};

export const onUserEvent: EventHandler = async (env, _config, event) => {
  const p = parse(UserPayload, event);
  const tenantId = p && (await tenantOf(env, p.account_id));
  if (!p || !tenantId) return;
  await applyUserEvent(database(env.DB), tenantId, event.event, p.object);
};

export const classEventHandlers: Record<string, EventHandler> = {
  "meeting.started": onMeetingStarted,
  "meeting.ended": onMeetingEnded,
  "meeting.deleted": onMeetingDeleted,
  "user.created": onUserEvent,
  "user.updated": onUserEvent,
  "user.deleted": onUserEvent,
  "user.disassociated": onUserEvent,
  "user.deactivated": onUserEvent,
  "user.activated": onUserEvent,
  "user.invitation_accepted": onUserEvent,
};
