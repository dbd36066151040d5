// Past instances of class meetings and their attendance: fetched from Zoom when a meeting ends (and
// on demand), stored in D1, and served matched to Wise users where their email is known.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { type classes, classRegistrants, classSessions, sessionAttendance, teachers } from "../db/schema.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { pastInstances, pastMeeting, pastParticipants } from "../zoom/meetings.ts";
import type { ZoomParticipant } from "../zoom/schemas.ts";

type ClassRow = typeof classes.$inferSelect;

/** Most instances fetched in one on-demand refresh; older ones follow on the next. */
export const MAX_INSTANCES_PER_REFRESH = 20;
/** Sessions listed (newest first) and compared per refresh; D1 binds at most 100 parameters. */
export const SESSIONS_LISTED = 60;
/** Rows per insert statement: D1 binds at most 100 parameters. */
const ROWS_PER_INSERT = 9;

const ms = (iso: string | undefined) => {
  const t = iso ? Date.parse(iso) : Number.NaN;
  return Number.isNaN(t) ? null : t;
};

/**
 * Wise users a participant can be matched to: the institute's teachers by email, and the class's
 * roster (from join links) by email and by Zoom registrant id, which registered students join with.
 */
async function knownPeople(db: Db, tenantId: string, classId: string) {
  const [staff, roster] = await Promise.all([
    db
      .select({ email: teachers.email, wiseUserId: teachers.wiseUserId })
      .from(teachers)
      .where(eq(teachers.tenantId, tenantId)),
    db
      .select({
        email: classRegistrants.email,
        studentId: classRegistrants.studentId,
        registrantId: classRegistrants.zoomRegistrantId,
      })
      .from(classRegistrants)
      .where(and(eq(classRegistrants.tenantId, tenantId), eq(classRegistrants.classId, classId))),
  ]);
  const byEmail = new Map<string, string>();
  const byRegistrant = new Map<string, string>();
  for (const r of roster) {
    if (r.email) byEmail.set(r.email.toLowerCase(), r.studentId);
    if (r.registrantId) byRegistrant.set(r.registrantId, r.studentId);
  }
  for (const t of staff) byEmail.set(t.email.toLowerCase(), t.wiseUserId);
  return {
    match: (p: ZoomParticipant) =>
      (p.registrant_id && byRegistrant.get(p.registrant_id)) ||
      (p.user_email && byEmail.get(p.user_email.toLowerCase())) ||
      null,
  };
}

/** Fetches one past instance and its participants from Zoom and stores them (replacing any earlier copy). */
export async function recordSession(
  db: Db,
  client: ZoomClient,
  row: ClassRow,
  uuid: string,
): Promise<boolean> {
  let details: Awaited<ReturnType<typeof pastMeeting>>;
  const participants: ZoomParticipant[] = [];
  try {
    details = await pastMeeting(client, uuid);
    for await (const p of pastParticipants(client, uuid)) participants.push(p);
  } catch (err) {
    // Zoom has no report for this instance (yet, or any more).
    if (err instanceof ZoomApiError && (err.zoomCode === 3001 || err.status === 404)) return false;
    throw err;
  }
  const people = await knownPeople(db, row.tenantId, row.classId);
  const tenantId = row.tenantId;
  const session = {
    tenantId,
    zoomMeetingUuid: details.uuid,
    classId: row.classId,
    zoomMeetingId: details.id,
    startTime: ms(details.start_time) ?? Date.now(),
    endTime: ms(details.end_time),
    durationMinutes: details.duration ?? null,
    participantsCount: participants.length,
    fetchedAt: Date.now(),
  };
  const attendance = participants.map((p, seq) => ({
    tenantId,
    zoomMeetingUuid: details.uuid,
    seq,
    name: p.name.slice(0, 200),
    email: p.user_email || null,
    registrantId: p.registrant_id || null,
    wiseUserId: people.match(p),
    joinTime: ms(p.join_time),
    leaveTime: ms(p.leave_time),
    durationSeconds: p.duration,
  }));
  const inserts = [];
  for (let i = 0; i < attendance.length; i += ROWS_PER_INSERT) {
    inserts.push(db.insert(sessionAttendance).values(attendance.slice(i, i + ROWS_PER_INSERT)));
  }
  // One batch: the session and its whole report change together, so a re-fetch never duplicates.
  await db.batch([
    db
      .insert(classSessions)
      .values(session)
      .onConflictDoUpdate({ target: [classSessions.tenantId, classSessions.zoomMeetingUuid], set: session }),
    db
      .delete(sessionAttendance)
      .where(
        and(eq(sessionAttendance.tenantId, tenantId), eq(sessionAttendance.zoomMeetingUuid, details.uuid)),
      ),
    ...inserts,
  ]);
  return true;
}

/** Fetches the instances Zoom knows for the class that are not stored yet. */
export async function refreshSessions(db: Db, client: ZoomClient, row: ClassRow): Promise<number> {
  if (!row.zoomMeetingId) return 0;
  let uuids: string[];
  try {
    // The newest instances only: the stored-check below binds each UUID as a parameter.
    uuids = (await pastInstances(client, row.zoomMeetingId)).meetings
      .map((m) => m.uuid)
      .slice(-SESSIONS_LISTED);
  } catch (err) {
    if (err instanceof ZoomApiError && (err.zoomCode === 3001 || err.status === 404)) return 0;
    throw err;
  }
  if (!uuids.length) return 0;
  const stored = new Set(
    (
      await db
        .select({ uuid: classSessions.zoomMeetingUuid })
        .from(classSessions)
        .where(and(eq(classSessions.tenantId, row.tenantId), inArray(classSessions.zoomMeetingUuid, uuids)))
    ).map((r) => r.uuid),
  );
  let fetched = 0;
  for (const uuid of uuids.filter((u) => !stored.has(u)).slice(-MAX_INSTANCES_PER_REFRESH)) {
    if (await recordSession(db, client, row, uuid)) fetched++;
  }
  return fetched;
}

export async function listSessions(db: Db, tenantId: string, classId: string) {
  const sessions = await db
    .select()
    .from(classSessions)
    .where(and(eq(classSessions.tenantId, tenantId), eq(classSessions.classId, classId)))
    .orderBy(desc(classSessions.startTime))
    .limit(SESSIONS_LISTED);
  if (!sessions.length) return [];
  const rows = await db
    .select()
    .from(sessionAttendance)
    .where(
      and(
        eq(sessionAttendance.tenantId, tenantId),
        inArray(
          sessionAttendance.zoomMeetingUuid,
          sessions.map((s) => s.zoomMeetingUuid),
        ),
      ),
    )
    .orderBy(asc(sessionAttendance.zoomMeetingUuid), asc(sessionAttendance.seq));
  const iso = (t: number | null) => (t === null ? null : new Date(t).toISOString());
  return sessions.map((s) => ({
    zoomMeetingUuid: s.zoomMeetingUuid,
    startTime: new Date(s.startTime).toISOString(),
    endTime: iso(s.endTime),
    durationMinutes: s.durationMinutes,
    participants: rows
      .filter((r) => r.zoomMeetingUuid === s.zoomMeetingUuid)
      .map((r) => ({
        name: r.name,
        email: r.email,
        wiseUserId: r.wiseUserId,
        registrantId: r.registrantId,
        joinTime: iso(r.joinTime),
        leaveTime: iso(r.leaveTime),
        durationSeconds: r.durationSeconds,
      })),
  }));
}
