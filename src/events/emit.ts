// The events each feature emits, as statements for the feature's own D1 batch. Each builder knows
// the SQL that proves the change happened (so no event is written for a change that did not), and
// where the data must be read inside the batch, builds it there.
import { type SQL, sql } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { eventStatement, type PendingEvent } from "./outbox.ts";

// Route segments in SQL: Zoom file ids may hold +, / and =.
const encodedSegment = (column: SQL) =>
  sql`replace(replace(replace(replace(${column}, '%', '%25'), '+', '%2B'), '/', '%2F'), '=', '%3D')`;

/**
 * recording.archived, once per recording: written only when, after the batch's change, every file
 * of the recording is archived. The file list and sizes are read inside the batch.
 */
export function recordingArchivedEvent(db: Db, tenantId: string, recordingId: string): Promise<PendingEvent> {
  const files = sql`(SELECT json_group_array(json_object('fileId', f.id, 'fileType', f.file_type, 'sizeBytes', f.size_bytes, 'sha256', f.sha256, 'playbackLinkRoute', '/v1/recordings/files/' || ${encodedSegment(sql`f.id`)} || '/playback-link')) FROM recording_files f WHERE f.tenant_id = r.tenant_id AND f.recording_id = r.id)`;
  return eventStatement(db, {
    tenantId,
    type: "recording.archived",
    key: recordingId,
    from: sql`recordings r`,
    onlyIf: sql`r.tenant_id = ${tenantId} AND r.id = ${recordingId}
      AND EXISTS (SELECT 1 FROM recording_files f WHERE f.tenant_id = r.tenant_id AND f.recording_id = r.id)
      AND NOT EXISTS (SELECT 1 FROM recording_files f WHERE f.tenant_id = r.tenant_id AND f.recording_id = r.id AND f.status <> 'archived')`,
    dataSql: sql`json_object('recordingId', r.id, 'classId', r.class_id, 'meetingUuid', r.meeting_uuid, 'topic', r.topic, 'files', json(${files}), 'totalBytes', (SELECT coalesce(sum(f.size_bytes), 0) FROM recording_files f WHERE f.tenant_id = r.tenant_id AND f.recording_id = r.id))`,
  });
}

/** recording.failed: written only when the file is now failed (its last attempt). */
export function recordingFailedEvent(
  db: Db,
  file: { tenantId: string; id: string; recordingId: string; fileType: string },
  recording: { classId: string | null; meetingUuid: string; topic: string | null },
  reason: string,
  attempts: number,
): Promise<PendingEvent> {
  return eventStatement(db, {
    tenantId: file.tenantId,
    type: "recording.failed",
    key: `${file.id}|${attempts}|${Date.now()}`,
    onlyIf: sql`EXISTS (SELECT 1 FROM recording_files WHERE tenant_id = ${file.tenantId} AND id = ${file.id} AND status = 'failed')`,
    data: {
      recordingId: file.recordingId,
      classId: recording.classId,
      meetingUuid: recording.meetingUuid,
      topic: recording.topic,
      fileId: file.id,
      fileType: file.fileType,
      reason: reason.slice(0, 500),
      attempts,
      retryRoute: `/v1/recordings/${encodeURIComponent(file.recordingId)}/retry`,
    },
  });
}

/**
 * teacher.status_changed for every teacher row `match` selects whose status, license or Zoom user
 * the coming update changes. Put it in the batch BEFORE the update: it reads the previous state.
 */
export function teacherStatusEvents(
  db: Db,
  tenantId: string,
  match: SQL | undefined,
  next: { status?: "pending" | "active" | "inactive"; licensed?: boolean; zoomUserId?: string | null },
  key: string,
): Promise<PendingEvent> {
  const status = next.status === undefined ? sql`t.status` : sql`${next.status}`;
  const licensed = next.licensed === undefined ? sql`t.licensed` : sql`${next.licensed ? 1 : 0}`;
  const zoomUserId = next.zoomUserId === undefined ? sql`t.zoom_user_id` : sql`${next.zoomUserId}`;
  return eventStatement(db, {
    tenantId,
    type: "teacher.status_changed",
    key,
    perRow: sql`t.wise_user_id`,
    from: sql`teachers t`,
    onlyIf: sql`t.rowid IN (SELECT rowid FROM teachers WHERE ${match ?? sql`0`})
      AND (t.status IS NOT ${status} OR t.licensed IS NOT ${licensed} OR t.zoom_user_id IS NOT ${zoomUserId})`,
    dataSql: sql`json_object('teacherId', t.wise_user_id, 'zoomUserId', ${zoomUserId}, 'previousStatus', t.status, 'status', ${status}, 'licensed', json(CASE WHEN ${licensed} THEN 'true' ELSE 'false' END))`,
  });
}

/**
 * storage.low: put after the insert of the snapshot taken at `takenAt`. Written when that snapshot
 * is above the tenant's storageAlertPercent and no storage.low was written since the last snapshot
 * at or below it: once per crossing (and once when a lowered threshold is already exceeded).
 */
export function storageLowEvent(db: Db, tenantId: string, takenAt: number): Promise<PendingEvent> {
  const threshold = sql`(SELECT json_extract(settings, '$.storageAlertPercent') FROM tenants WHERE id = ${tenantId})`;
  const above = (s: string) =>
    sql`(${sql.raw(`${s}.storage_plan_bytes > 0 AND ${s}.storage_used_bytes * 100.0 / ${s}.storage_plan_bytes`)} > ${threshold})`;
  const lastBelow = sql`(SELECT max(p.taken_at) FROM usage_snapshots p WHERE p.tenant_id = ${tenantId} AND p.taken_at < ${takenAt} AND NOT coalesce(${above("p")}, 0))`;
  return eventStatement(db, {
    tenantId,
    type: "storage.low",
    key: String(takenAt),
    from: sql`usage_snapshots s`,
    onlyIf: sql`s.tenant_id = ${tenantId} AND s.taken_at = ${takenAt} AND ${threshold} IS NOT NULL AND ${above("s")}
      AND NOT EXISTS (SELECT 1 FROM outbound_events e WHERE e.tenant_id = ${tenantId} AND e.type = 'storage.low' AND e.created_at > coalesce(${lastBelow}, 0))`,
    dataSql: sql`json_object('zoomAccountId', s.zoom_account_id, 'usedBytes', s.storage_used_bytes, 'planBytes', s.storage_plan_bytes, 'usedPercent', round(s.storage_used_bytes * 100.0 / s.storage_plan_bytes, 2), 'thresholdPercent', ${threshold})`,
  });
}

/** zoom.link.unlinked, for the batch that deletes the credential. */
export function linkUnlinkedEvent(
  db: Db,
  row: { tenantId: string; zoomAccountId: string; linkedAt: number },
  by: "admin" | "zoom",
  actor: string,
): Promise<PendingEvent> {
  return eventStatement(db, {
    tenantId: row.tenantId,
    type: "zoom.link.unlinked",
    key: `${row.zoomAccountId}|${row.linkedAt}`,
    data: { zoomAccountId: row.zoomAccountId, by, actor },
  });
}

/**
 * zoom.link.needs_relink, for the batch of the compare-and-swap that marks the link (at `now`):
 * written only if that update matched.
 */
export function linkNeedsRelinkEvent(
  db: Db,
  row: { tenantId: string; zoomAccountId: string; refreshTokenHash: string },
  reason: string,
  now: number,
): Promise<PendingEvent> {
  return eventStatement(db, {
    tenantId: row.tenantId,
    type: "zoom.link.needs_relink",
    key: `${row.zoomAccountId}|${row.refreshTokenHash}`,
    onlyIf: sql`EXISTS (SELECT 1 FROM zoom_credentials WHERE zoom_account_id = ${row.zoomAccountId} AND refresh_token_hash = ${row.refreshTokenHash} AND status = 'needs_relink' AND updated_at = ${now})`,
    data: { zoomAccountId: row.zoomAccountId, reason },
  });
}
