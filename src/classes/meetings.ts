// A class's Zoom meeting through its life: scheduled (created or updated idempotently, the host
// licensed if the tenant allows), moved to another teacher, recorded as gone, deleted and ended.
// Creating is guarded by a claim (meeting-create.ts); attendance is in sessions.ts.
import { and, eq } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { classes } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { conflict, forbidden, notFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";
import { licenseTeacher } from "../teachers/licenses.ts";
import { getTeacher, type TeacherRow } from "../teachers/teachers.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { deleteMeeting, endMeeting, updateMeeting } from "../zoom/meetings.ts";
import { authorizeClass, type ClassRow, classWhere, GONE, getClass, requireClass } from "./class-access.ts";
import {
  CLAIM_TTL_MS,
  createWithClaim,
  findClaimedMeeting,
  inProgress,
  sameSchedule,
  scheduleFields,
} from "./meeting-create.ts";
import { isMeetingGone, meetingRefusal } from "./meeting-refusals.ts";
import { licenseOnScheduleOf, meetingPolicyOf } from "./policy.ts";
import { type ClassMeetingInput, meetingBody } from "./schedule.ts";

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
          .where(classWhere(tenantId, classId))
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
    .where(and(classWhere(tenantId, classId), eq(classes.zoomMeetingId, zoomMeetingId)))
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
    .where(classWhere(principal.tenantId, classId));
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
      .where(classWhere(principal.tenantId, classId))
      .returning()
      .get()) ?? row
  );
}
