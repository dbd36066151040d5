// Teachers kept in step with Zoom: the full reconciliation with Zoom's user list (with hosts of
// scheduled classes left without a license), and user.* webhooks applied to the teacher concerned.
import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { teachers } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { teacherStatusEvents } from "../events/emit.ts";
import { committedIds } from "../events/outbox.ts";
import { log } from "../platform/log.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { listUsers } from "../zoom/users.ts";
import { licenseTeacher, upcomingClassesOf } from "./licenses.ts";

import { listTeachers, type TeacherStatus, teacherWhere } from "./teachers.ts";

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
        teacherWhere(tenantId, t.wiseUserId),
        next,
        `sync|${t.wiseUserId}|${now}`,
      );
      const written = await db.batch([
        events.statement,
        db
          .update(teachers)
          .set({ ...next, updatedAt: now })
          .where(teacherWhere(tenantId, t.wiseUserId)),
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
