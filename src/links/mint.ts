// Minting signed join and start links for a class, and revoking join links. Authorization by
// class: an admin (or Wise's backend, which calls as admin) or the class's own teacher.
import { and, eq, sql } from "drizzle-orm";
import { auditStatement } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { classes, classRegistrants, startLinkRevocations } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { badRequest, conflict, forbidden, notFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";
import { enqueueRegistration } from "./registration.ts";
import { rosterChanged, rosterOf } from "./roster-object.ts";
import { type LinkClaims, signLink } from "./token.ts";

/** Students per minting call (the issue's bound; also keeps the D1 batch well under its limits). */
export const MAX_STUDENTS_PER_CALL = 1000;
/** The latest expiry a caller may ask for. */
const MAX_LINK_LIFETIME_MS = 366 * 24 * 3600 * 1000;
/** Rows per INSERT: 7 bound values each (plus the update clause), under D1's 100 parameters per statement. */
const ROWS_PER_INSERT = 10;

export interface RosterStudent {
  id: string;
  name: string;
  email?: string | undefined;
}

type ClassRow = typeof classes.$inferSelect;

/** The class of the caller's tenant that the caller may manage, or a 404/403/409 problem. */
async function manageableClass(db: Db, principal: Principal, classId: string): Promise<ClassRow> {
  const cls = await db
    .select()
    .from(classes)
    .where(and(eq(classes.tenantId, principal.tenantId), eq(classes.classId, classId)))
    .get();
  if (!cls) throw notFound("No such class");
  if (principal.role !== "admin" && !(principal.role === "teacher" && principal.userId === cls.teacherId)) {
    throw forbidden("Only an admin or the class's teacher may manage its links");
  }
  return cls;
}

function requireActiveMeeting(cls: ClassRow): string {
  if (cls.status === "cancelled" || cls.status === "deleted") {
    throw conflict("class_not_active", `The class is ${cls.status}`);
  }
  if (!cls.zoomMeetingId) throw conflict("class_has_no_meeting", "The class has no Zoom meeting yet");
  return cls.zoomMeetingId;
}

/** When the class ends: its (last) scheduled end; recurring classes end at their recurrence's end date. */
export function classEndsAt(cls: Pick<ClassRow, "startTime" | "durationMinutes" | "recurrence">): number {
  const length = cls.durationMinutes * 60_000;
  let end = cls.startTime + length;
  const until = cls.recurrence?.end_date_time;
  if (typeof until === "string" && !Number.isNaN(Date.parse(until))) {
    end = Math.max(end, Date.parse(until) + length);
  } else if (cls.recurrence) {
    // Without an end date Zoom stops after end_times occurrences (at most 60 weekly ones: ~14 months).
    end = Math.max(end, cls.startTime + MAX_LINK_LIFETIME_MS);
  }
  return end;
}

function linkExpiry(config: Config, cls: ClassRow, requested: string | undefined, now: number): number {
  if (requested !== undefined) {
    const at = Date.parse(requested);
    if (at <= now) throw badRequest("expiresAt must be in the future");
    if (at > now + MAX_LINK_LIFETIME_MS) throw badRequest("expiresAt may be at most 366 days ahead");
    return at;
  }
  const at = classEndsAt(cls) + config.joinLinkGraceMinutes * 60_000;
  if (at <= now) {
    throw conflict("class_over", "The class is over; pass expiresAt to mint links anyway");
  }
  return Math.min(at, now + MAX_LINK_LIFETIME_MS);
}

const linkUrl = (config: Config, path: "j" | "s", token: string) =>
  `${config.publicBaseUrl}/${path}/${token}`;

/**
 * Mints one join link per student, records the roster (name for Zoom's display name; email for
 * registration) and, when the class uses registration, queues the students' registration at Zoom.
 */
export async function mintJoinLinks(
  env: Env,
  config: Config,
  db: Db,
  principal: Principal,
  classId: string,
  students: RosterStudent[],
  expiresAt?: string,
) {
  const cls = await manageableClass(db, principal, classId);
  requireActiveMeeting(cls);
  const now = Date.now();
  const exp = linkExpiry(config, cls, expiresAt, now);
  const initial = cls.registration ? ("pending" as const) : ("not_required" as const);
  // A student keeps their Zoom registration when re-minted with the same email.
  const keepsRegistration = sql`${classRegistrants.status} = 'registered' AND ${classRegistrants.email} IS excluded.email`;

  const statements = [];
  for (let i = 0; i < students.length; i += ROWS_PER_INSERT) {
    statements.push(
      db
        .insert(classRegistrants)
        .values(
          students.slice(i, i + ROWS_PER_INSERT).map((s) => ({
            tenantId: cls.tenantId,
            classId: cls.classId,
            studentId: s.id,
            name: s.name,
            email: s.email ?? null,
            status: initial,
            rosteredAt: now,
          })),
        )
        .onConflictDoUpdate({
          target: [classRegistrants.tenantId, classRegistrants.classId, classRegistrants.studentId],
          set: {
            name: sql`excluded.name`,
            email: sql`excluded.email`,
            status: sql`CASE WHEN ${keepsRegistration} THEN 'registered' ELSE ${sql.raw(`'${initial}'`)} END`,
            joinUrl: sql`CASE WHEN ${keepsRegistration} THEN ${classRegistrants.joinUrl} ELSE NULL END`,
            lastError: sql`CASE WHEN ${keepsRegistration} THEN ${classRegistrants.lastError} ELSE NULL END`,
            rosteredAt: now,
            updatedAt: now,
          },
        }),
    );
  }
  const audit = auditStatement(db, {
    tenantId: cls.tenantId,
    actor: principal.userId,
    action: "links.join_minted",
    details: { classId: cls.classId, students: students.length, expiresAt: new Date(exp).toISOString() },
  });

  const base = { purpose: "join" as const, tenant: cls.tenantId, class: cls.classId };
  const times = { exp: Math.floor(exp / 1000), nbf: Math.floor(now / 1000), iat: now };
  const links = await Promise.all(
    students.map(async (s) => ({
      studentId: s.id,
      url: linkUrl(config, "j", await signLink(config.linkKeys, { ...base, subject: s.id, ...times })),
    })),
  );
  const [first, ...rest] = statements;
  if (!first) throw badRequest("students must not be empty");
  await db.batch([first, ...rest, audit]);
  await rosterChanged(env, cls.tenantId, cls.classId);
  if (cls.registration) {
    await enqueueRegistration(
      env,
      cls.tenantId,
      cls.classId,
      students.map((s) => s.id),
    );
  }
  return { links, expiresAt: new Date(exp).toISOString() };
}

/**
 * When the class's start links expire: with the class (its end plus the grace period), or earlier
 * when asked. Each click hands out a host login, so a start link never outlives its class.
 */
function startLinkExpiry(config: Config, cls: ClassRow, requested: string | undefined, now: number): number {
  const classOver = classEndsAt(cls) + config.joinLinkGraceMinutes * 60_000;
  if (classOver <= now) throw conflict("class_over", "The class is over; it has no start link any more");
  if (requested === undefined) return classOver;
  const at = Date.parse(requested);
  if (at <= now) throw badRequest("expiresAt must be in the future");
  if (at > classOver) {
    throw badRequest("expiresAt may be at most the class's end plus the grace period", {
      latest: new Date(classOver).toISOString(),
    });
  }
  return at;
}

/** Mints the start link of the class's teacher (the host); Zoom's start_url is fetched at click time. */
export async function mintStartLink(
  config: Config,
  db: Db,
  principal: Principal,
  classId: string,
  expiresAt?: string,
) {
  const cls = await manageableClass(db, principal, classId);
  requireActiveMeeting(cls);
  const now = Date.now();
  const exp = startLinkExpiry(config, cls, expiresAt, now);
  const claims: LinkClaims = {
    purpose: "start",
    tenant: cls.tenantId,
    class: cls.classId,
    subject: cls.teacherId,
    exp: Math.floor(exp / 1000),
    nbf: Math.floor(now / 1000),
    iat: now,
  };
  const token = await signLink(config.linkKeys, claims);
  await auditStatement(db, {
    tenantId: cls.tenantId,
    actor: principal.userId,
    action: "links.start_minted",
    details: { classId: cls.classId, teacherId: cls.teacherId, expiresAt: new Date(exp).toISOString() },
  });
  return { url: linkUrl(config, "s", token), expiresAt: new Date(exp).toISOString() };
}

/**
 * Revokes the join links of one student, or of the whole class (student "*"), issued until now.
 * Links minted afterwards work again. The class's roster object records it (in D1 and in the memory
 * that answers clicks) before this returns, so no click after it opens a revoked link.
 */
export async function revokeJoinLinks(
  env: Env,
  db: Db,
  principal: Principal,
  classId: string,
  studentId?: string,
) {
  const cls = await manageableClass(db, principal, classId);
  await rosterOf(env, cls.tenantId, cls.classId).revoke(
    cls.tenantId,
    cls.classId,
    studentId ?? "*",
    principal.userId,
  );
}

/**
 * Revokes the start links of the class's teacher issued until now (links minted afterwards work).
 * Start clicks read this row from D1, so the next click after this returns is refused.
 */
export async function revokeStartLinks(db: Db, principal: Principal, classId: string) {
  const cls = await manageableClass(db, principal, classId);
  const revokedAt = Date.now();
  const key = { tenantId: cls.tenantId, classId: cls.classId, teacherId: cls.teacherId };
  await db.batch([
    db
      .insert(startLinkRevocations)
      .values({ ...key, revokedAt, revokedBy: principal.userId })
      .onConflictDoUpdate({
        target: [startLinkRevocations.tenantId, startLinkRevocations.classId, startLinkRevocations.teacherId],
        set: { revokedAt, revokedBy: principal.userId },
      }),
    auditStatement(db, {
      tenantId: cls.tenantId,
      actor: principal.userId,
      action: "links.start_revoked",
      details: { classId: cls.classId, teacherId: cls.teacherId },
    }),
  ]);
}
