// Teachers kept in step with Zoom: the full reconciliation with Zoom's user list (with hosts of
// scheduled classes left without a license), and user.* webhooks applied to the teacher concerned.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { log } from "../platform/log.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { listUsers } from "../zoom/users.ts";
import { licenseTeacher, upcomingClassesOf } from "./licenses.ts";

import { listTeachers, type TeacherStatus, teacherWhere } from "./teachers.ts";

/** Reconciles every teacher with Zoom's user list (all statuses, all pages). */
export async function syncTeachers(db: Db, client: ZoomClient, tenantId: string) {
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
      await db
        .update(teachers)
        .set({ ...next, updatedAt: now })
        .where(teacherWhere(tenantId, t.wiseUserId));
    }
  }
  return { zoomUsers, updated, missing, unlicensedHosts: await hostsLeftBasic(db, client, tenantId) };
}

/**
 * Hosts of scheduled classes found without a license (changed in Zoom, or unlicensed here under the
 * relicense policy): licensed again under "relicense", reported either way, never left silent.
 */
export async function hostsLeftBasic(db: Db, client: ZoomClient, tenantId: string) {
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
): Promise<void> {
  const match = and(
    eq(teachers.tenantId, tenantId),
    user.email
      ? sql`(${teachers.zoomUserId} = ${user.id} OR ${teachers.email} = ${user.email.toLowerCase()})`
      : eq(teachers.zoomUserId, user.id),
  );
  const now = Date.now();
  switch (event) {
    case "user.deleted":
    case "user.disassociated":
      await db
        .update(teachers)
        .set({ zoomUserId: null, status: "inactive", licensed: false, updatedAt: now })
        .where(match);
      return;
    case "user.deactivated":
      await db.update(teachers).set({ status: "inactive", updatedAt: now }).where(match);
      return;
    case "user.activated":
      await db.update(teachers).set({ status: "active", updatedAt: now }).where(match);
      return;
    case "user.invitation_accepted":
      await db.update(teachers).set({ status: "active", zoomUserId: user.id, updatedAt: now }).where(match);
      return;
    case "user.created":
    case "user.updated":
      if (user.type === 1 || user.type === 2) {
        await db
          .update(teachers)
          .set({ licensed: user.type === 2, updatedAt: now })
          .where(match);
      }
      return;
  }
}
