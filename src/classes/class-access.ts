// The stored classes as callers may see them: lookups scoped to the tenant, the rule that a teacher
// touches only their own classes, and the one view of a class the API answers with.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { classes } from "../db/schema.ts";
import { forbidden, notFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";

export const classWhere = (tenantId: string, classId: string) =>
  and(eq(classes.tenantId, tenantId), eq(classes.classId, classId));

/** Statuses of a class whose Zoom meeting no longer exists. */
export const GONE: ClassRow["status"][] = ["deleted", "cancelled"];

export type ClassRow = typeof classes.$inferSelect;

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
  return db.select().from(classes).where(classWhere(tenantId, classId)).get();
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
