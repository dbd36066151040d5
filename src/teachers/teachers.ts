// Teachers and their Zoom users: create or adopt, license, settings, remove (reconciling with
// Zoom's user list is in sync.ts). D1 is written only after Zoom agreed, so a refusal leaves nothing behind.
import { and, asc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { Conflict, conflict, InvalidInput, notFound } from "../platform/errors.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import type { ZoomUser } from "../zoom/schemas.ts";
import {
  createUser,
  findUser,
  removeUser,
  setUserStatus,
  updateCloudRecording,
  updateUser,
} from "../zoom/users.ts";
import {
  freeSeatOrRefuse,
  hostsClassesConflict,
  isNoSeat,
  licenseTeacher,
  licenseZoomUser,
  noSeatConflict,
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

export const teacherWhere = (tenantId: string, wiseUserId: string) =>
  and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, wiseUserId));

export function zoomStatus(status: string | undefined): TeacherStatus {
  return status === "pending" ? "pending" : status === "inactive" ? "inactive" : "active";
}

export async function listTeachers(db: Db, tenantId: string) {
  return db.select().from(teachers).where(eq(teachers.tenantId, tenantId)).orderBy(asc(teachers.wiseUserId));
}

export async function getTeacher(db: Db, tenantId: string, wiseUserId: string) {
  return db.select().from(teachers).where(teacherWhere(tenantId, wiseUserId)).get();
}

export async function requireTeacher(db: Db, tenantId: string, wiseUserId: string) {
  const row = await getTeacher(db, tenantId, wiseUserId);
  if (!row) throw notFound(`No teacher ${wiseUserId} in this institute`);
  return row;
}

/** Zoom refusals a teacher call can meet, as failures the admin can act on. */
export function userRefusal(err: unknown, email?: string): unknown {
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
      return new Conflict("zoom_user_gone", "The teacher's Zoom user no longer exists; run a sync");
    case 300:
      return new InvalidInput(err.zoomMessage, { code: "zoom_validation", title: "Zoom refused the values" });
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
    throw userRefusal(err, email);
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
      if (isNoSeat(again)) throw await noSeatConflict(db, client, tenantId);
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
  if (!zoomUserId) throw new Conflict("zoom_user_gone", "The teacher has no Zoom user; run a sync");
  if (patch.licensed === false && teacher.licensed) {
    // Checked before any change, so a refusal leaves everything as it was.
    const hosted = await upcomingClassesOf(db, tenantId, wiseUserId);
    const policy = (await getTenant(db, tenantId)).settings.hostLicensePolicy ?? "refuse";
    if (hosted.length && policy === "refuse") throw hostsClassesConflict(hosted);
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
        .where(teacherWhere(tenantId, wiseUserId));
    }
    throw userRefusal(err, teacher.email);
  }
  if (Object.keys(changes).length) {
    await db
      .update(teachers)
      .set({ ...changes, updatedAt: Date.now() })
      .where(teacherWhere(tenantId, wiseUserId));
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
      throw userRefusal(err, teacher.email);
    }
  }
  await db.delete(teachers).where(teacherWhere(tenantId, wiseUserId));
}
