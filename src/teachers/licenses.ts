// Paid seats: licensing a teacher, the 409 when no seat is free, the auto-recycle policy that moves a
// seat from the teacher whose last class is oldest (never from a host of a live or scheduled class),
// and the host license policy: a Basic host has no cloud recording, a 40-minute cap and no
// registration, so a host of scheduled classes is never left unlicensed silently.
import { and, asc, eq, gt, inArray, isNotNull, ne, or, sql } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { classes, teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { Conflict } from "../platform/errors.ts";
import { log } from "../platform/log.ts";
import { latestUsage } from "../usage/usage.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { updateUser, usersSummary } from "../zoom/users.ts";

export type TeacherRow = typeof teachers.$inferSelect;

/**
 * When a class is over (epoch ms): its end, or for a series the end of its last occurrence (from
 * endDateTime, or endTimes periods: an overestimate for weekly series on several days, on the safe side).
 */
const classOver = sql`(CASE WHEN ${classes.recurrence} IS NULL THEN ${classes.startTime}
  ELSE coalesce(
    unixepoch(json_extract(${classes.recurrence}, '$.endDateTime')) * 1000,
    ${classes.startTime} + json_extract(${classes.recurrence}, '$.endTimes')
      * coalesce(json_extract(${classes.recurrence}, '$.interval'), 1)
      * (CASE json_extract(${classes.recurrence}, '$.type') WHEN 'daily' THEN 1 WHEN 'weekly' THEN 7 ELSE 31 END)
      * 86400000
  ) END + ${classes.durationMinutes} * 60000)`;

/** A class that still needs its host licensed: live, or scheduled and not over. */
const upcoming = (now: number) =>
  or(eq(classes.status, "live"), and(inArray(classes.status, ["scheduled", "creating"]), gt(classOver, now)));

/** The teacher's live or scheduled classes (ids, at most 20), which a Basic host would break. */
export async function upcomingClassesOf(db: Db, tenantId: string, wiseUserId: string, now = Date.now()) {
  const rows = await db
    .select({ classId: classes.classId })
    .from(classes)
    .where(and(eq(classes.tenantId, tenantId), eq(classes.teacherId, wiseUserId), upcoming(now)))
    .orderBy(asc(classes.startTime))
    .limit(20)
    .all();
  return rows.map((r) => r.classId);
}

/** The refusal to unlicense a host of scheduled classes under the "refuse" policy. */
export function hostsClassesConflict(classIds: string[]) {
  return new Conflict(
    "teacher_hosts_classes",
    "A Basic Zoom host has no cloud recording, a 40-minute limit and no registration; move or cancel the teacher's classes first, or set the tenant's hostLicensePolicy to relicense",
    { title: "The teacher hosts scheduled classes", extras: { classIds } },
  );
}

/**
 * Before a class starts: a host who lost the license (unlicensed here under the relicense policy, or
 * in Zoom) is licensed again. Best effort: a failure is logged and the class starts as it can.
 */
export async function relicenseHostIfNeeded(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  wiseUserId: string,
): Promise<void> {
  const tenant = await getTenant(db, tenantId);
  if ((tenant.settings.hostLicensePolicy ?? "refuse") !== "relicense") return;
  const teacher = await db
    .select()
    .from(teachers)
    .where(and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, wiseUserId)))
    .get();
  if (!teacher || teacher.licensed || !teacher.zoomUserId) return;
  try {
    await licenseTeacher(db, client, teacher, "system");
    await audit(db, { tenantId, actor: "system", action: "teacher.relicensed", details: { wiseUserId } });
  } catch (err) {
    log("warn", "host could not be licensed again before the class", { tenantId, wiseUserId, err });
  }
}

export const isNoSeat = (err: unknown) => err instanceof ZoomApiError && err.zoomCode === 2034;

/** The 409 for Zoom's 2034, with the seat counts the admin needs to decide what to do. */
export async function noSeatConflict(db: Db, client: ZoomClient, tenantId: string, detail?: string) {
  let seats: Record<string, number | null> = {};
  try {
    const s = await usersSummary(client);
    const cached = await latestUsage(db, tenantId);
    seats = {
      licensed: s.licensed_users_count,
      basic: s.basic_users_count,
      pending: s.pending_users_count,
      purchased: cached?.seatsPurchased ?? null,
    };
  } catch (err) {
    // The counts are a courtesy; the refusal stands without them.
    log("warn", "seat counts unavailable for the no-seat problem", { tenantId, err });
  }
  return new Conflict(
    "no_seat_available",
    detail ??
      "Every paid seat of the Zoom account is taken; unlicense a teacher, buy more seats, or turn on the auto-recycle policy",
    { title: "No paid Zoom seat is free", extras: { seats } },
  );
}

/**
 * Licenses a Zoom user. On 2034 with the auto-recycle policy, moves one seat and tries once more;
 * otherwise (or if nothing can be recycled) answers 409 with seat counts.
 */
export async function licenseZoomUser(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  forWiseUserId: string,
  zoomUserId: string,
  actor: string,
): Promise<void> {
  try {
    await updateUser(client, zoomUserId, { type: 2 });
  } catch (err) {
    if (!isNoSeat(err)) throw err;
    await freeSeatOrRefuse(db, client, tenantId, forWiseUserId, actor);
    try {
      await updateUser(client, zoomUserId, { type: 2 });
    } catch (again) {
      if (isNoSeat(again)) throw await noSeatConflict(db, client, tenantId);
      throw again;
    }
  }
}

/** Licenses a stored teacher at Zoom, then records it. */
export async function licenseTeacher(db: Db, client: ZoomClient, teacher: TeacherRow, actor: string) {
  if (!teacher.zoomUserId) {
    throw new Conflict("zoom_user_gone", "The teacher has no Zoom user; run a sync");
  }
  await licenseZoomUser(db, client, teacher.tenantId, teacher.wiseUserId, teacher.zoomUserId, actor);
  await db
    .update(teachers)
    .set({ licensed: true, updatedAt: Date.now() })
    .where(and(eq(teachers.tenantId, teacher.tenantId), eq(teachers.wiseUserId, teacher.wiseUserId)));
}

/** Frees a seat by the tenant's policy, or throws the no-seat 409. */
export async function freeSeatOrRefuse(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  forWiseUserId: string,
  actor: string,
): Promise<void> {
  const tenant = await getTenant(db, tenantId);
  if (tenant.settings.licensePolicy !== "auto-recycle") throw await noSeatConflict(db, client, tenantId);
  const donor = await recycleCandidate(db, tenantId, forWiseUserId, Date.now());
  if (!donor?.zoomUserId) {
    throw await noSeatConflict(
      db,
      client,
      tenantId,
      "Every paid seat is taken and no licensed teacher can give theirs up (each is live or teaches within the hour)",
    );
  }
  await updateUser(client, donor.zoomUserId, { type: 1 });
  await db
    .update(teachers)
    .set({ licensed: false, updatedAt: Date.now() })
    .where(and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, donor.wiseUserId)));
  await audit(db, {
    tenantId,
    actor,
    action: "teacher.license_moved",
    details: { from: donor.wiseUserId, to: forWiseUserId, donorLastClassAt: donor.lastClassAt },
  });
}

/**
 * The licensed teacher whose last class is oldest (never-taught first), excluding `exceptWiseUserId`
 * and anyone live now or hosting a scheduled class (a Basic host would break it).
 */
export async function recycleCandidate(
  db: Db,
  tenantId: string,
  exceptWiseUserId: string,
  now: number,
): Promise<TeacherRow | undefined> {
  const busy = db
    .select({ teacherId: classes.teacherId })
    .from(classes)
    .where(and(eq(classes.tenantId, tenantId), upcoming(now)));
  return db
    .select()
    .from(teachers)
    .where(
      and(
        eq(teachers.tenantId, tenantId),
        eq(teachers.licensed, true),
        isNotNull(teachers.zoomUserId),
        ne(teachers.wiseUserId, exceptWiseUserId),
        sql`${teachers.wiseUserId} NOT IN ${busy}`,
      ),
    )
    .orderBy(sql`coalesce(${teachers.lastClassAt}, 0)`, asc(teachers.wiseUserId))
    .limit(1)
    .get();
}
