// Reading and managing archived recordings for the API: listing with files, retrying failed files,
// deleting the archive copy (and Zoom's on request), and the tenant's archive policy.
import { and, desc, eq, gte, inArray, lte, type SQL, sql } from "drizzle-orm";
import { audit } from "../db/audit.ts";
import { type Db, database } from "../db/client.ts";
import { type ArchiveStatus, recordingFiles, recordings } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { Conflict, conflict, forbidden, notFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";
import { ZoomClient } from "../zoom/client.ts";
import { visibleTo } from "./access.ts";
import { PARTICIPANT_AUDIO } from "./discover.ts";
import { archiveFileMessages, enqueue } from "./messages.ts";
import { trashIfVerified } from "./policy.ts";

type RecordingRow = typeof recordings.$inferSelect;
type FileRow = typeof recordingFiles.$inferSelect;

const iso = (ms: number | null) => (ms ? new Date(ms).toISOString() : undefined);

export function presentFile(f: FileRow) {
  return {
    id: f.id,
    fileType: f.fileType,
    sizeBytes: f.sizeBytes,
    status: f.status,
    ...(f.recordingType === PARTICIPANT_AUDIO ? { participantAudio: true } : {}),
    bytesArchived: f.bytesArchived,
    ...(f.sha256 ? { sha256: f.sha256 } : {}),
    ...(f.archivedAt ? { archivedAt: iso(f.archivedAt) } : {}),
    ...(f.error && f.status !== "archived" ? { error: f.error } : {}),
  };
}

export function presentRecording(r: RecordingRow, files: FileRow[]) {
  return {
    id: r.id,
    meetingId: r.meetingId,
    meetingUuid: r.meetingUuid,
    classId: r.classId,
    topic: r.topic,
    startTime: new Date(r.startTime).toISOString(),
    durationMinutes: r.durationMinutes,
    zoomState: r.zoomState,
    files: files.map(presentFile),
  };
}

/** One file of the tenant's archive with its meeting instance, or null. */
export async function findRecordingFile(db: Db, tenantId: string, fileId: string) {
  const row = await db
    .select({ file: recordingFiles, recording: recordings })
    .from(recordingFiles)
    .innerJoin(
      recordings,
      and(eq(recordings.id, recordingFiles.recordingId), eq(recordings.tenantId, recordingFiles.tenantId)),
    )
    .where(and(eq(recordingFiles.tenantId, tenantId), eq(recordingFiles.id, fileId)))
    .get();
  return row ?? null;
}

async function filesOf(db: Db, tenantId: string, ids: string[]) {
  if (!ids.length) return new Map<string, FileRow[]>();
  const rows = await db
    .select()
    .from(recordingFiles)
    .where(and(eq(recordingFiles.tenantId, tenantId), inArray(recordingFiles.recordingId, ids)))
    .orderBy(recordingFiles.fileType, recordingFiles.id);
  const map = new Map<string, FileRow[]>();
  for (const f of rows) map.set(f.recordingId, [...(map.get(f.recordingId) ?? []), f]);
  return map;
}

export async function listRecordings(
  db: Db,
  tenantId: string,
  q: {
    classId?: string | undefined;
    from?: number | undefined;
    to?: number | undefined;
    status?: ArchiveStatus | undefined;
    limit: number;
  },
  /** Only the recordings this condition admits (see access.ts); all of the tenant's without it. */
  visible?: SQL,
) {
  const rows = await db
    .select()
    .from(recordings)
    .where(
      and(
        eq(recordings.tenantId, tenantId),
        visible,
        q.classId ? eq(recordings.classId, q.classId) : undefined,
        q.from !== undefined ? gte(recordings.startTime, q.from) : undefined,
        q.to !== undefined ? lte(recordings.startTime, q.to) : undefined,
        q.status
          ? sql`exists (select 1 from ${recordingFiles} where ${recordingFiles.tenantId} = ${recordings.tenantId} and ${recordingFiles.recordingId} = ${recordings.id} and ${recordingFiles.status} = ${q.status})`
          : undefined,
      ),
    )
    .orderBy(desc(recordings.startTime))
    .limit(q.limit);
  const files = await filesOf(
    db,
    tenantId,
    rows.map((r) => r.id),
  );
  return rows.map((r) => presentRecording(r, files.get(r.id) ?? []));
}

export async function getRecording(db: Db, tenantId: string, id: string) {
  const row = await db
    .select()
    .from(recordings)
    .where(and(eq(recordings.tenantId, tenantId), eq(recordings.id, id)))
    .get();
  if (!row) throw notFound("No such recording");
  const files = await filesOf(db, tenantId, [id]);
  return { row, files: files.get(id) ?? [] };
}

/** Whether the principal may see (and play) the recording of their tenant; see access.ts. */
export async function mayView(db: Db, principal: Principal, recordingId: string): Promise<boolean> {
  const visible = visibleTo(principal);
  if (!visible) return true;
  const row = await db
    .select({ id: recordings.id })
    .from(recordings)
    .where(and(eq(recordings.tenantId, principal.tenantId), eq(recordings.id, recordingId), visible))
    .get();
  return row !== undefined;
}

const notYours = () => forbidden("Not a recording of your classes");

/** The tenant's recording with its files, if the principal may see it (404 or 403 otherwise). */
export async function requireViewableRecording(db: Db, principal: Principal, id: string) {
  const found = await getRecording(db, principal.tenantId, id);
  if (!(await mayView(db, principal, found.row.id))) throw notYours();
  return found;
}

/** An archived file the principal may play, with its recording (404, 403, or 409 not yet archived). */
export async function requirePlayableFile(db: Db, principal: Principal, fileId: string) {
  const found = await findRecordingFile(db, principal.tenantId, fileId);
  if (!found) throw notFound("No such recording file");
  if (!(await mayView(db, principal, found.recording.id))) throw notYours();
  if (found.file.status !== "archived") {
    throw new Conflict("not_archived", "The file is not archived yet", {
      title: "Not archived yet",
      extras: { status: found.file.status },
    });
  }
  return found;
}

/** Puts the failed files of a recording back to pending and enqueues them. */
export async function retryRecording(env: Env, tenantId: string, id: string): Promise<number> {
  const db = database(env.DB);
  const { row } = await getRecording(db, tenantId, id);
  if (row.zoomState !== "active") {
    throw conflict("not_in_zoom", `The recording is ${row.zoomState} in Zoom; recover it in Zoom first`);
  }
  const again = await db
    .update(recordingFiles)
    .set({ status: "pending", attempts: 0, error: null, updatedAt: Date.now() })
    .where(
      and(
        eq(recordingFiles.tenantId, tenantId),
        eq(recordingFiles.recordingId, id),
        eq(recordingFiles.status, "failed"),
      ),
    )
    .returning({ id: recordingFiles.id });
  await enqueue(
    env.ARCHIVE_QUEUE,
    archiveFileMessages(
      tenantId,
      again.map((f) => f.id),
    ),
  );
  return again.length;
}

/**
 * Deletes the archive copy; with `fromZoom`, first trashes Zoom's copy, which is allowed only when
 * every file is archived and verified (otherwise nothing is deleted at all).
 */
export async function deleteRecording(
  env: Env,
  config: Config,
  actor: { tenantId: string; userId: string },
  id: string,
  fromZoom: boolean,
): Promise<{ trashedInZoom: boolean; objectsDeleted: number }> {
  const db = database(env.DB);
  const { row, files } = await getRecording(db, actor.tenantId, id);
  let trashedInZoom = false;
  if (fromZoom && row.zoomState === "active") {
    const client = await ZoomClient.forTenant(env, config, db, actor.tenantId);
    trashedInZoom = await trashIfVerified(env, db, client, row, {
      deleteFromZoom: "on-request",
      actor: actor.userId,
    });
    if (!trashedInZoom) {
      throw conflict(
        "not_fully_archived",
        "Zoom's copy is kept until every file is archived and verified; nothing was deleted",
      );
    }
  }
  for (const f of files) {
    if (f.uploadId)
      await env.RECORDINGS.resumeMultipartUpload(f.r2Key, f.uploadId)
        .abort()
        .catch(() => {});
  }
  const keys = files.map((f) => f.r2Key);
  if (keys.length) await env.RECORDINGS.delete(keys);
  await db.batch([
    db
      .delete(recordingFiles)
      .where(and(eq(recordingFiles.tenantId, actor.tenantId), eq(recordingFiles.recordingId, id))),
    db.delete(recordings).where(and(eq(recordings.tenantId, actor.tenantId), eq(recordings.id, id))),
  ]);
  await audit(db, {
    tenantId: actor.tenantId,
    actor: actor.userId,
    action: "recording.deleted",
    details: { recordingId: id, meetingUuid: row.meetingUuid, files: files.length, fromZoom: trashedInZoom },
  });
  return { trashedInZoom, objectsDeleted: keys.length };
}
