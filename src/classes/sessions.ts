// Past instances of class meetings and their attendance: fetched from Zoom when a meeting ends (and
// on demand, again while a report was partial), stored in D1, and served matched to Wise users by
// registrant or email, with unmatched participants apart.
import { and, asc, desc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { type classes, classRegistrants, classSessions, sessionAttendance, teachers } from "../db/schema.ts";
import { registrantEmail } from "../links/registration.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { listRegistrants, pastInstances, pastMeeting, pastParticipants } from "../zoom/meetings.ts";
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

type MatchedBy = "registrant" | "email";

/**
 * Who a participant is, by identity only (Zoom hides guests' emails since 2022-23, and names are
 * whatever people type): first the Zoom registrant id, then the Wise student the registrant was made
 * for (its email: the student's, or the stable address made from their id), then an email Zoom
 * shows (users of the account, authenticated joins). Never by name.
 */
async function knownPeople(db: Db, client: ZoomClient, row: ClassRow, participants: ZoomParticipant[]) {
  const [staff, roster] = await Promise.all([
    db
      .select({ email: teachers.email, wiseUserId: teachers.wiseUserId })
      .from(teachers)
      .where(eq(teachers.tenantId, row.tenantId)),
    db
      .select({
        email: classRegistrants.email,
        studentId: classRegistrants.studentId,
        registrantId: classRegistrants.zoomRegistrantId,
      })
      .from(classRegistrants)
      .where(and(eq(classRegistrants.tenantId, row.tenantId), eq(classRegistrants.classId, row.classId))),
  ]);
  const byEmail = new Map<string, string>();
  const byRegistrant = new Map<string, string>();
  for (const r of roster) {
    if (r.email) byEmail.set(r.email.toLowerCase(), r.studentId);
    if (r.registrantId) byRegistrant.set(r.registrantId, r.studentId);
  }
  for (const t of staff) byEmail.set(t.email.toLowerCase(), t.wiseUserId);

  // Registrants we did not store (manual approval, an earlier roster): ask Zoom whom they were made for.
  const unknown = participants.some((p) => p.registrant_id && !byRegistrant.has(p.registrant_id));
  if (unknown && row.zoomMeetingId && roster.length) {
    const byRegistrantEmail = new Map<string, string>();
    for (const r of roster) {
      byRegistrantEmail.set(
        (await registrantEmail({ studentId: r.studentId, email: r.email })).toLowerCase(),
        r.studentId,
      );
    }
    try {
      for await (const reg of listRegistrants(client, row.zoomMeetingId)) {
        const student = byRegistrantEmail.get(reg.email.toLowerCase());
        if (student && !byRegistrant.has(reg.id)) byRegistrant.set(reg.id, student);
      }
    } catch (err) {
      // The meeting may be gone by now; those participants stay unmatched rather than guessed.
      if (!(err instanceof ZoomApiError)) throw err;
    }
  }
  return {
    match: (p: ZoomParticipant): { wiseUserId: string; matchedBy: MatchedBy } | null => {
      const registered = p.registrant_id ? byRegistrant.get(p.registrant_id) : undefined;
      if (registered) return { wiseUserId: registered, matchedBy: "registrant" };
      const mailed = p.user_email ? byEmail.get(p.user_email.toLowerCase()) : undefined;
      if (mailed) return { wiseUserId: mailed, matchedBy: "email" };
      return null;
    },
  };
}

/**
 * Fetches one past instance and its participants from Zoom and stores them (replacing any earlier
 * copy). A report listing fewer participants than Zoom's details count is partial (read before
 * Zoom finished it): it is stored as such and fetched again by the next refresh.
 */
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
  const people = await knownPeople(db, client, row, participants);
  const tenantId = row.tenantId;
  const session = {
    tenantId,
    zoomMeetingUuid: details.uuid,
    classId: row.classId,
    zoomMeetingId: details.id,
    startTime: ms(details.start_time) ?? Date.now(),
    endTime: ms(details.end_time),
    durationMinutes: details.duration ?? null,
    participantsCount: Math.max(participants.length, details.participants_count ?? 0),
    fetchedAt: Date.now(),
    reportComplete: participants.length >= (details.participants_count ?? 0),
  };
  const attendance = participants.map((p, seq) => {
    const who = people.match(p);
    return {
      tenantId,
      zoomMeetingUuid: details.uuid,
      seq,
      name: p.name.slice(0, 200),
      email: p.user_email || null,
      registrantId: p.registrant_id || null,
      wiseUserId: who?.wiseUserId ?? null,
      matchedBy: who?.matchedBy ?? null,
      joinTime: ms(p.join_time),
      leaveTime: ms(p.leave_time),
      durationSeconds: p.duration,
    };
  });
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

/** Fetches the instances Zoom knows for the class that are not stored yet, or stored from a partial report. */
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
        .where(
          and(
            eq(classSessions.tenantId, row.tenantId),
            inArray(classSessions.zoomMeetingUuid, uuids),
            eq(classSessions.reportComplete, true),
          ),
        )
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
  return sessions.map((s) => {
    const records = rows
      .filter((r) => r.zoomMeetingUuid === s.zoomMeetingUuid)
      .map((r) => ({
        name: r.name,
        email: r.email,
        wiseUserId: r.wiseUserId,
        matchedBy: r.matchedBy,
        registrantId: r.registrantId,
        joinTime: iso(r.joinTime),
        leaveTime: iso(r.leaveTime),
        durationSeconds: r.durationSeconds,
      }));
    return {
      zoomMeetingUuid: s.zoomMeetingUuid,
      startTime: new Date(s.startTime).toISOString(),
      endTime: iso(s.endTime),
      durationMinutes: s.durationMinutes,
      attendanceComplete: s.reportComplete,
      // Matched to Wise users by identity; everyone else is listed apart, never guessed by name.
      participants: records.flatMap((r) =>
        r.wiseUserId === null ? [] : [{ ...r, wiseUserId: r.wiseUserId }],
      ),
      unmatched: records
        .filter((r) => r.wiseUserId === null)
        .map(({ wiseUserId: _w, matchedBy: _m, ...r }) => r),
    };
  });
}
