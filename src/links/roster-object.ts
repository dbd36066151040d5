// The ClassRoster Durable Object: one per class, answering a join click from memory with one RPC and
// owning the class's join-link revocations, so a revocation is seen by every click that follows it.
// D1 stays the record: the object keeps a snapshot of the class row, its roster and its revocations,
// reloaded whenever a writer says the class changed (`rosterChanged`), and at most SNAPSHOT_TTL_MS old.
import { DurableObject } from "cloudflare:workers";
import { and, eq } from "drizzle-orm";
import { auditStatement } from "../db/audit.ts";
import { database } from "../db/client.ts";
import { classes, classRegistrants, linkRevocations, startLinkRevocations, teachers } from "../db/schema.ts";
import { loadConfig } from "../platform/config.ts";
import { type JoinUrlOwner, openJoinUrl } from "./join-urls.ts";

/**
 * Backstop for a writer whose change notice was lost (the object was unreachable right after the
 * D1 write): class and roster data are never older than this. Revocations never go stale (below).
 */
export const SNAPSHOT_TTL_MS = 10_000;

/**
 * Clicks one link may make per window. A valid link cannot be forged, so clicks on it skip the
 * per-IP limiter; a leaked one opened by a crowd is refused past this, counted here in memory.
 */
export const CLICKS_PER_LINK = 30;
export const CLICK_WINDOW_MS = 60_000;
/** Bound of the decrypted join URL cache: a class's roster (at most a few thousand) fits. */
const MAX_OPENED_URLS = 20_000;

/** What a join click needs to know: the class, the student's roster row and their revocation. */
export interface JoinView {
  status: (typeof classes.$inferSelect)["status"];
  topic: string;
  startTime: number;
  registration: boolean;
  joinUrl: string | null;
  zoomMeetingId: string | null;
  studentName: string | null;
  studentEmail: string | null;
  registrantStatus: string | null;
  registrantJoinUrl: string | null;
  /** The latest revocation covering this student (their own or the whole class's), epoch ms. */
  revokedAt: number | null;
  /** This link was clicked more than CLICKS_PER_LINK times in the current window. */
  overLimit: boolean;
}

/** What a start click needs to know, read from D1 at the click (start clicks are rare). */
export interface StartView {
  cls: Pick<typeof classes.$inferSelect, "teacherId" | "status" | "zoomMeetingId"> | null;
  /** The link's teacher as the tenant knows them; null when removed. */
  teacherStatus: (typeof teachers.$inferSelect)["status"] | null;
  /** The latest revocation of this teacher's start links of the class, epoch ms. */
  revokedAt: number | null;
  overLimit: boolean;
}

interface Registrant {
  name: string;
  email: string | null;
  status: string;
  joinUrl: string | null;
}

interface Snapshot {
  /** The change generation the snapshot was read for; a newer one makes it stale. */
  generation: number;
  /** When its read started (conservative for the TTL). */
  readAt: number;
  cls: Omit<
    JoinView,
    "studentName" | "studentEmail" | "registrantStatus" | "registrantJoinUrl" | "revokedAt" | "overLimit"
  > | null;
  registrants: Map<string, Registrant>;
}

// Object ids by name, per isolate and namespace: deriving one hashes the name, and a class's clicks
// repeat it.
const rosterIds = new WeakMap<object, Map<string, DurableObjectId>>();
const MAX_CACHED_IDS = 10_000;

/** The roster object of a class (names are tenant-scoped: ids never contain "/"). */
export function rosterOf(env: Env, tenantId: string, classId: string) {
  const ns = env.CLASS_ROSTER;
  let ids = rosterIds.get(ns);
  if (!ids) {
    ids = new Map();
    rosterIds.set(ns, ids);
  }
  const name = `${tenantId}/${classId}`;
  let id = ids.get(name);
  if (!id) {
    id = ns.idFromName(name);
    if (ids.size >= MAX_CACHED_IDS) ids.clear();
    ids.set(name, id);
  }
  return ns.get(id);
}

/**
 * Tells the class's roster object that its class row or roster changed in D1, so the next click
 * reads them afresh. Every writer of `classes` or `class_registrants` calls this after writing.
 */
export async function rosterChanged(env: Env, tenantId: string, classId: string): Promise<void> {
  await rosterOf(env, tenantId, classId).changed();
}

export class ClassRoster extends DurableObject<Env> {
  private generation = 0;
  private snapshot: Snapshot | null = null;
  private loading: { generation: number; promise: Promise<Snapshot> } | null = null;
  /**
   * Revocations by student ("*" for the whole class), epoch ms. Only ever raised: merged with every
   * snapshot by maximum, so a reload that read D1 before a revocation was written cannot undo it.
   */
  private readonly revocations = new Map<string, number>();
  /** Join URLs in clear, by row and ciphertext. */
  private readonly openedUrls = new Map<string, string>();
  /** Clicks per link in the current fixed window (memory only: a lost count errs towards opening). */
  private clicks = { startedAt: 0, counts: new Map<string, number>() };

  /**
   * The view of one student's click. Null when the class does not exist (for this tenant).
   * `link` identifies the clicked link for the per-link limit.
   */
  async join(tenantId: string, classId: string, studentId: string, link: string): Promise<JoinView | null> {
    const overLimit = !this.admit(link);
    const snap = await this.current(tenantId, classId);
    if (!snap.cls) return null;
    const reg = snap.registrants.get(studentId);
    const own = this.revocations.get(studentId);
    const all = this.revocations.get("*");
    const revokedAt = own === undefined ? (all ?? null) : all === undefined ? own : Math.max(own, all);
    return {
      ...snap.cls,
      studentName: reg?.name ?? null,
      studentEmail: reg?.email ?? null,
      registrantStatus: reg?.status ?? null,
      registrantJoinUrl: reg?.joinUrl ?? null,
      revokedAt,
      overLimit,
    };
  }

  /** The view of a start click: class, teacher and start-link revocation, read from D1 now. */
  async start(tenantId: string, classId: string, teacherId: string, link: string): Promise<StartView> {
    const overLimit = !this.admit(link);
    const db = database(this.env.DB);
    const [clsRows, teacherRows, revokedRows] = await db.batch([
      db
        .select({
          teacherId: classes.teacherId,
          status: classes.status,
          zoomMeetingId: classes.zoomMeetingId,
        })
        .from(classes)
        .where(and(eq(classes.tenantId, tenantId), eq(classes.classId, classId))),
      db
        .select({ status: teachers.status })
        .from(teachers)
        .where(and(eq(teachers.tenantId, tenantId), eq(teachers.wiseUserId, teacherId))),
      db
        .select({ revokedAt: startLinkRevocations.revokedAt })
        .from(startLinkRevocations)
        .where(
          and(
            eq(startLinkRevocations.tenantId, tenantId),
            eq(startLinkRevocations.classId, classId),
            eq(startLinkRevocations.teacherId, teacherId),
          ),
        ),
    ]);
    return {
      cls: clsRows[0] ?? null,
      teacherStatus: teacherRows[0]?.status ?? null,
      revokedAt: revokedRows[0]?.revokedAt ?? null,
      overLimit,
    };
  }

  /** Counts a click of one link; false once it is over CLICKS_PER_LINK in this window. */
  private admit(link: string): boolean {
    const now = Date.now();
    if (now - this.clicks.startedAt >= CLICK_WINDOW_MS) this.clicks = { startedAt: now, counts: new Map() };
    const n = (this.clicks.counts.get(link) ?? 0) + 1;
    this.clicks.counts.set(link, n);
    return n <= CLICKS_PER_LINK;
  }

  /**
   * Revokes the links of one student (or "*": the whole class) issued until now. The record is
   * written to D1 first and then to memory, before this returns: any click after it is refused.
   */
  async revoke(tenantId: string, classId: string, studentId: string, revokedBy: string): Promise<number> {
    const revokedAt = Date.now();
    const db = database(this.env.DB);
    await db.batch([
      db
        .insert(linkRevocations)
        .values({ tenantId, classId, studentId, revokedAt, revokedBy })
        .onConflictDoUpdate({
          target: [linkRevocations.tenantId, linkRevocations.classId, linkRevocations.studentId],
          set: { revokedAt, revokedBy },
        }),
      auditStatement(db, {
        tenantId,
        actor: revokedBy,
        action: "links.revoked",
        details: { classId, studentId },
      }),
    ]);
    this.raise(studentId, revokedAt);
    return revokedAt;
  }

  /** The class row or roster changed in D1: the next click reads them again. */
  changed(): void {
    this.generation++;
  }

  private raise(studentId: string, revokedAt: number) {
    const known = this.revocations.get(studentId);
    if (known === undefined || revokedAt > known) this.revocations.set(studentId, revokedAt);
  }

  /** A snapshot read after the latest change notice and within the TTL; one read for all waiters. */
  private async current(tenantId: string, classId: string): Promise<Snapshot> {
    for (;;) {
      const s = this.snapshot;
      if (s && s.generation === this.generation && Date.now() - s.readAt < SNAPSHOT_TTL_MS) return s;
      if (!this.loading || this.loading.generation !== this.generation) {
        const generation = this.generation;
        const promise = this.read(tenantId, classId, generation).finally(() => {
          if (this.loading?.promise === promise) this.loading = null;
        });
        this.loading = { generation, promise };
      }
      const snap = await this.loading.promise;
      // A change notice that came while D1 was being read makes this snapshot stale already.
      if (snap.generation === this.generation) return snap;
    }
  }

  private async read(tenantId: string, classId: string, generation: number): Promise<Snapshot> {
    const readAt = Date.now();
    const db = database(this.env.DB);
    const [clsRows, registrants, revocations] = await db.batch([
      db
        .select({
          status: classes.status,
          topic: classes.topic,
          startTime: classes.startTime,
          registration: classes.registration,
          joinUrl: classes.joinUrl,
          zoomMeetingId: classes.zoomMeetingId,
        })
        .from(classes)
        .where(and(eq(classes.tenantId, tenantId), eq(classes.classId, classId))),
      db
        .select({
          studentId: classRegistrants.studentId,
          name: classRegistrants.name,
          email: classRegistrants.email,
          status: classRegistrants.status,
          joinUrl: classRegistrants.joinUrl,
        })
        .from(classRegistrants)
        .where(and(eq(classRegistrants.tenantId, tenantId), eq(classRegistrants.classId, classId))),
      db
        .select({ studentId: linkRevocations.studentId, revokedAt: linkRevocations.revokedAt })
        .from(linkRevocations)
        .where(and(eq(linkRevocations.tenantId, tenantId), eq(linkRevocations.classId, classId))),
    ]);
    for (const r of revocations) this.raise(r.studentId, r.revokedAt);
    const cls = clsRows[0] ?? null;
    const meeting = cls?.zoomMeetingId ?? null;
    const owner = { tenantId, classId, zoomMeetingId: meeting ?? "" };
    const opened = new Map<string, Registrant>();
    for (const r of registrants) {
      const joinUrl = meeting ? await this.open({ ...owner, studentId: r.studentId }, r.joinUrl) : null;
      opened.set(r.studentId, { name: r.name, email: r.email, status: r.status, joinUrl });
    }
    const snap: Snapshot = {
      generation,
      readAt,
      cls: cls && { ...cls, joinUrl: meeting ? await this.open(owner, cls.joinUrl) : null },
      registrants: opened,
    };
    if (generation === this.generation) this.snapshot = snap;
    return snap;
  }

  /**
   * A sealed join URL in clear, decrypted once per ciphertext for the object's life: a reload
   * of a class of 1,000 students decrypts only what changed.
   */
  private async open(owner: JoinUrlOwner, stored: string | null): Promise<string | null> {
    if (!stored) return null;
    // Keyed by the row too, so a ciphertext copied into another row is still checked against it.
    const key = `${owner.studentId ?? ""}|${owner.zoomMeetingId}|${stored}`;
    const known = this.openedUrls.get(key);
    if (known !== undefined) return known;
    const url = await openJoinUrl(loadConfig(this.env).tokenKeys, owner, stored);
    if (url !== null) {
      if (this.openedUrls.size >= MAX_OPENED_URLS) this.openedUrls.clear();
      this.openedUrls.set(key, url);
    }
    return url;
  }
}

/** A class write changes what its join links open: the class's roster object hears of every one. */
export async function withRosterNotice<T>(
  env: Env,
  tenantId: string,
  classId: string,
  write: () => Promise<T>,
): Promise<T> {
  try {
    return await write();
  } finally {
    await rosterChanged(env, tenantId, classId);
  }
}
