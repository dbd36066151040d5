// Paid seats: licensing a teacher, the 409 when no seat is free, and the auto-recycle policy that
// moves a seat from the teacher whose last class is oldest (never from one live or teaching soon).
import { and, asc, eq, gt, inArray, isNotNull, lt, ne, or, sql } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { classes, teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { log } from "../http/log.ts";
import { ApiError } from "../http/problem.ts";
import { latestUsage } from "../usage/usage.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { updateUser, usersSummary } from "../zoom/users.ts";

export type TeacherRow = typeof teachers.$inferSelect;

/** A teacher with a class starting within this window keeps their seat. */
export const RECYCLE_GUARD_MS = 3600_000;

export const isNoSeat = (err: unknown) => err instanceof ZoomApiError && err.zoomCode === 2034;

/** The 409 for Zoom's 2034, with the seat counts the admin needs to decide what to do. */
export async function noSeatProblem(db: Db, client: ZoomClient, tenantId: string, detail?: string) {
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
  return new ApiError(
    409,
    "no_seat_available",
    "No paid Zoom seat is free",
    detail ??
      "Every paid seat of the Zoom account is taken; unlicense a teacher, buy more seats, or turn on the auto-recycle policy",
    { seats },
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
      if (isNoSeat(again)) throw await noSeatProblem(db, client, tenantId);
      throw again;
    }
  }
}

/** Licenses a stored teacher at Zoom, then records it. */
export async function licenseTeacher(db: Db, client: ZoomClient, teacher: TeacherRow, actor: string) {
  if (!teacher.zoomUserId) {
    throw new ApiError(409, "zoom_user_gone", "Conflict", "The teacher has no Zoom user; run a sync");
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
  if (tenant.settings.licensePolicy !== "auto-recycle") throw await noSeatProblem(db, client, tenantId);
  const donor = await recycleCandidate(db, tenantId, forWiseUserId, Date.now());
  if (!donor?.zoomUserId) {
    throw await noSeatProblem(
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
 * and anyone live now or with a class overlapping the next hour.
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
    .where(
      and(
        eq(classes.tenantId, tenantId),
        or(
          eq(classes.status, "live"),
          and(
            inArray(classes.status, ["scheduled", "creating"]),
            lt(classes.startTime, now + RECYCLE_GUARD_MS),
            gt(sql`${classes.startTime} + ${classes.durationMinutes} * 60000`, now),
          ),
        ),
      ),
    );
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
