// Teachers and their Zoom users: create or adopt, license, settings, remove, and reconcile with
// Zoom's user list. D1 is written only after Zoom agreed, so a refusal leaves nothing behind.
import { and, asc, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { teacherStatusEvents } from "../events/emit.ts";
import { committedIds } from "../events/outbox.ts";
import { log } from "../http/log.ts";
import { ApiError, conflict, notFound } from "../http/problem.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import type { ZoomUser } from "../zoom/schemas.ts";
import {
  createUser,
  findUser,
  listUsers,
  removeUser,
  setUserStatus,
  updateCloudRecording,
  updateUser,
} from "../zoom/users.ts";
import {
  freeSeatOrRefuse,
  hostsClassesProblem,
  isNoSeat,
  licenseTeacher,
  licenseZoomUser,
  noSeatProblem,
  type TeacherRow,
  upcomingClassesOf,
} from "./licenses.ts";

/** The account's owner and admins: their start links would hand out an admin's ZAK. */
const isZoomAdmin = (u: Pick<ZoomUser, "role_id" | "role_name">) =>
  u.role_id === "0" || u.role_id === "1" || u.role_name === "Owner" || u.role_name === "Admin";

export type { TeacherRow };
export type TeacherStatus = TeacherRow["status"];

export interface NewTeacher {
  wiseUserId: string;
  email: string;
  firstName: string;
  lastName: string;
  licensed: boolean;
}

export interface TeacherPatch {
  licensed?: boolean | undefined;
  cloudRecording?: boolean | undefined;
  firstName?: string | undefined;
  lastName?: string | undefined;
  active?: boolean | undefined;
}

const where = (tenantId: string, wiseUserId: string) =>
  and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, wiseUserId));

export function zoomStatus(status: string | undefined): TeacherStatus {
  return status === "pending" ? "pending" : status === "inactive" ? "inactive" : "active";
}

export async function listTeachers(db: Db, tenantId: string) {
  return db.select().from(teachers).where(eq(teachers.tenantId, tenantId)).orderBy(asc(teachers.wiseUserId));
}

export async function getTeacher(db: Db, tenantId: string, wiseUserId: string) {
  return db.select().from(teachers).where(where(tenantId, wiseUserId)).get();
}

export async function requireTeacher(db: Db, tenantId: string, wiseUserId: string) {
  const row = await getTeacher(db, tenantId, wiseUserId);
  if (!row) throw notFound(`No teacher ${wiseUserId} in this institute`);
  return row;
}

/** Zoom refusals a teacher call can meet, as problems the admin can act on. */
export function userProblem(err: unknown, email?: string): unknown {
  if (!(err instanceof ZoomApiError)) return err;
  switch (err.zoomCode) {
    case 1005:
      return conflict(
        "zoom_user_exists",
        `A Zoom user with ${email ?? "this email"} is already in the account`,
      );
    case 1009:
      return conflict(
        "zoom_email_taken",
        `${email ?? "This email"} already belongs to another Zoom account; the person must leave it or use another email`,
      );
    case 1001:
      return new ApiError(
        409,
        "zoom_user_gone",
        "Conflict",
        "The teacher's Zoom user no longer exists; run a sync",
      );
    case 300:
      return new ApiError(400, "zoom_validation", "Zoom refused the values", err.zoomMessage);
    default:
      return err;
  }
}

/**
 * Creates the teacher, idempotent per wiseUserId. An email that already has a Zoom user in the
 * account is adopted rather than invited again. Answers whether a new teacher row was made.
 */
export async function createTeacher(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  input: NewTeacher,
  actor: string,
): Promise<{ teacher: TeacherRow; created: boolean }> {
  const email = input.email.toLowerCase();
  const existing = await getTeacher(db, tenantId, input.wiseUserId);
  if (existing) {
    if (existing.email !== email) {
      throw conflict("teacher_exists", "This Wise user is already a teacher with another email", {
        email: existing.email,
      });
    }
    return { teacher: existing, created: false };
  }
  const sameEmail = await db
    .select({ wiseUserId: teachers.wiseUserId })
    .from(teachers)
    .where(and(eq(teachers.tenantId, tenantId), eq(teachers.email, email)))
    .get();
  if (sameEmail) {
    throw conflict("email_in_use", "Another teacher of this institute has this email", {
      wiseUserId: sameEmail.wiseUserId,
    });
  }

  try {
    const found = await findUser(client, email);
    if (found && isZoomAdmin(found) && !(await getTenant(db, tenantId)).settings.allowZoomAdminTeachers) {
      throw conflict(
        "zoom_admin_not_adoptable",
        `${email} is the Zoom account's owner or an admin; their start links would open an admin's Zoom session. Use another Zoom user, or set the tenant's allowZoomAdminTeachers policy`,
      );
    }
    let user: Pick<ZoomUser, "id" | "type" | "status"> | undefined = found;
    if (user && input.licensed && user.type !== 2) {
      // Adopted users are licensed before anything is stored, so a refusal leaves no row.
      await licenseZoomUser(db, client, tenantId, input.wiseUserId, user.id, actor);
      user = { ...user, type: 2 };
    }
    if (!user) user = await createZoomUser(db, client, tenantId, input, email, actor);
    const row = {
      tenantId,
      wiseUserId: input.wiseUserId,
      zoomUserId: user.id,
      email,
      firstName: input.firstName,
      lastName: input.lastName,
      status: zoomStatus(user.status),
      licensed: user.type === 2,
      updatedAt: Date.now(),
    };
    const inserted = await db.insert(teachers).values(row).onConflictDoNothing().returning().get();
    // A concurrent create for the same wiseUserId won the insert: answer with its row.
    if (inserted) return { teacher: inserted, created: true };
    return { teacher: await requireTeacher(db, tenantId, input.wiseUserId), created: false };
  } catch (err) {
    throw userProblem(err, email);
  }
}

async function createZoomUser(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  input: NewTeacher,
  email: string,
  actor: string,
): Promise<Pick<ZoomUser, "id" | "type" | "status">> {
  const action = (await getTenant(db, tenantId)).settings.userCreateAction ?? "create";
  const info = {
    email,
    firstName: input.firstName,
    lastName: input.lastName,
    type: (input.licensed ? 2 : 1) as 1 | 2,
  };
  const status = action === "create" ? "pending" : "active";
  try {
    const created = await createUser(client, action, info);
    return { id: created.id, type: created.type, status };
  } catch (err) {
    if (err instanceof ZoomApiError && err.zoomCode === 1005) {
      // Someone added the email between our lookup and the create: adopt that user.
      const user = await findUser(client, email);
      if (user) return user;
    }
    if (err instanceof ZoomApiError && err.zoomCode === 200 && action === "custCreate") {
      throw conflict(
        "zoom_cust_create_not_approved",
        "Zoom has not approved this app for custCreate users; set the tenant's userCreateAction to create (an invitation)",
      );
    }
    if (!isNoSeat(err)) throw err;
    await freeSeatOrRefuse(db, client, tenantId, input.wiseUserId, actor);
    try {
      const created = await createUser(client, action, info);
      return { id: created.id, type: created.type, status };
    } catch (again) {
      if (isNoSeat(again)) throw await noSeatProblem(db, client, tenantId);
      throw again;
    }
  }
}

export async function updateTeacher(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  wiseUserId: string,
  patch: TeacherPatch,
  actor: string,
): Promise<TeacherRow> {
  const teacher = await requireTeacher(db, tenantId, wiseUserId);
  const zoomUserId = teacher.zoomUserId;
  if (!zoomUserId)
    throw new ApiError(409, "zoom_user_gone", "Conflict", "The teacher has no Zoom user; run a sync");
  if (patch.licensed === false && teacher.licensed) {
    // Checked before any change, so a refusal leaves everything as it was.
    const hosted = await upcomingClassesOf(db, tenantId, wiseUserId);
    const policy = (await getTenant(db, tenantId)).settings.hostLicensePolicy ?? "refuse";
    if (hosted.length && policy === "refuse") throw hostsClassesProblem(hosted);
  }
  const changes: Partial<TeacherRow> = {};
  try {
    if (patch.firstName !== undefined || patch.lastName !== undefined) {
      await updateUser(client, zoomUserId, { first_name: patch.firstName, last_name: patch.lastName });
      if (patch.firstName !== undefined) changes.firstName = patch.firstName;
      if (patch.lastName !== undefined) changes.lastName = patch.lastName;
    }
    if (patch.active !== undefined && patch.active !== (teacher.status === "active")) {
      if (teacher.status === "pending") {
        throw conflict("teacher_pending", "The teacher has not accepted Zoom's invitation yet");
      }
      await setUserStatus(client, zoomUserId, patch.active ? "activate" : "deactivate");
      changes.status = patch.active ? "active" : "inactive";
    }
    if (patch.cloudRecording !== undefined) {
      await updateCloudRecording(client, zoomUserId, patch.cloudRecording);
      changes.cloudRecording = patch.cloudRecording;
    }
    if (patch.licensed === true && !teacher.licensed) {
      await licenseTeacher(db, client, teacher, actor);
    } else if (patch.licensed === false && teacher.licensed) {
      await updateUser(client, zoomUserId, { type: 1 });
      changes.licensed = false;
    }
  } catch (err) {
    // Keep what Zoom already accepted before the failing step, then report the failure.
    if (Object.keys(changes).length) {
      await db
        .update(teachers)
        .set({ ...changes, updatedAt: Date.now() })
        .where(where(tenantId, wiseUserId));
    }
    throw userProblem(err, teacher.email);
  }
  if (Object.keys(changes).length) {
    await db
      .update(teachers)
      .set({ ...changes, updatedAt: Date.now() })
      .where(where(tenantId, wiseUserId));
  }
  return requireTeacher(db, tenantId, wiseUserId);
}

/** Removes the teacher: their Zoom user is disassociated (kept by Zoom) unless `delete` is asked. */
export async function removeTeacher(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  wiseUserId: string,
  action: "disassociate" | "delete",
): Promise<void> {
  const teacher = await requireTeacher(db, tenantId, wiseUserId);
  if (teacher.zoomUserId) {
    try {
      await removeUser(client, teacher.zoomUserId, action);
    } catch (err) {
      throw userProblem(err, teacher.email);
    }
  }
  await db.delete(teachers).where(where(tenantId, wiseUserId));
}

/** Reconciles every teacher with Zoom's user list (all statuses, all pages). */
export async function syncTeachers(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  dispatch: (eventIds: string[]) => Promise<void> = async () => {},
) {
  const byId = new Map<
    string,
    { id?: string | undefined; email: string; type: number; status: TeacherStatus }
  >();
  const byEmail = new Map<
    string,
    { id?: string | undefined; email: string; type: number; status: TeacherStatus }
  >();
  let zoomUsers = 0;
  for (const status of ["active", "inactive", "pending"] as const) {
    for await (const u of listUsers(client, status)) {
      zoomUsers++;
      const entry = { id: u.id, email: u.email.toLowerCase(), type: u.type, status };
      if (u.id) byId.set(u.id, entry);
      byEmail.set(entry.email, entry);
    }
  }
  let updated = 0;
  let missing = 0;
  const now = Date.now();
  for (const t of await listTeachers(db, tenantId)) {
    const u = (t.zoomUserId ? byId.get(t.zoomUserId) : undefined) ?? byEmail.get(t.email);
    const next = u
      ? { zoomUserId: u.id ?? t.zoomUserId, status: u.status, licensed: u.type === 2 }
      : { zoomUserId: null, status: "inactive" as const, licensed: false };
    if (!u) missing++;
    if (next.zoomUserId !== t.zoomUserId || next.status !== t.status || next.licensed !== t.licensed) {
      updated++;
      // teacher.status_changed goes first in the batch: it reads the state the update replaces.
      const events = await teacherStatusEvents(
        db,
        tenantId,
        where(tenantId, t.wiseUserId),
        next,
        `sync|${t.wiseUserId}|${now}`,
      );
      const written = await db.batch([
        events.statement,
        db
          .update(teachers)
          .set({ ...next, updatedAt: now })
          .where(where(tenantId, t.wiseUserId)),
      ]);
      await dispatch(committedIds(written));
    }
  }
  return { zoomUsers, updated, missing, unlicensedHosts: await hostsLeftBasic(db, client, tenantId) };
}

/**
 * Hosts of scheduled classes found without a license (changed in Zoom, or unlicensed here under the
 * relicense policy): licensed again under "relicense", reported either way, never left silent.
 */
async function hostsLeftBasic(db: Db, client: ZoomClient, tenantId: string) {
  const policy = (await getTenant(db, tenantId)).settings.hostLicensePolicy ?? "refuse";
  const out: { wiseUserId: string; classIds: string[]; relicensed: boolean }[] = [];
  for (const t of await listTeachers(db, tenantId)) {
    if (t.licensed || !t.zoomUserId || t.status !== "active") continue;
    const classIds = await upcomingClassesOf(db, tenantId, t.wiseUserId);
    if (!classIds.length) continue;
    let relicensed = false;
    if (policy === "relicense") {
      try {
        await licenseTeacher(db, client, t, "system");
        relicensed = true;
      } catch (err) {
        log("warn", "sync: a host of scheduled classes could not be licensed again", {
          tenantId,
          wiseUserId: t.wiseUserId,
          err,
        });
      }
    }
    out.push({ wiseUserId: t.wiseUserId, classIds, relicensed });
  }
  return out;
}

/** Applies a user.* webhook to the teacher it concerns (idempotent: it sets, never toggles). */
export async function applyUserEvent(
  db: Db,
  tenantId: string,
  event: string,
  user: { id: string; email?: string | undefined; type?: number | undefined },
): Promise<string[]> {
  const match = and(
    eq(teachers.tenantId, tenantId),
    user.email
      ? sql`(${teachers.zoomUserId} = ${user.id} OR ${teachers.email} = ${user.email.toLowerCase()})`
      : eq(teachers.zoomUserId, user.id),
  );
  const now = Date.now();
  // Each change is one batch with its teacher.status_changed events (written first: they read the
  // state before the update, and only for rows the update changes). Returns the events' ids.
  const apply = async (next: {
    status?: "active" | "inactive";
    licensed?: boolean;
    zoomUserId?: string | null;
  }): Promise<string[]> => {
    const events = await teacherStatusEvents(db, tenantId, match, next, `${event}|${user.id}|${now}`);
    const written = await db.batch([
      events.statement,
      db
        .update(teachers)
        .set({ ...next, updatedAt: now })
        .where(match),
    ]);
    return committedIds(written);
  };
  switch (event) {
    case "user.deleted":
    case "user.disassociated":
      return apply({ zoomUserId: null, status: "inactive", licensed: false });
    case "user.deactivated":
      return apply({ status: "inactive" });
    case "user.activated":
      return apply({ status: "active" });
    case "user.invitation_accepted":
      return apply({ status: "active", zoomUserId: user.id });
    case "user.created":
    case "user.updated":
      if (user.type === 1 || user.type === 2) return apply({ licensed: user.type === 2 });
      return [];
  }
  return [];
}
