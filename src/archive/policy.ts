// Removing Zoom's copy per the tenant's archive policy. A meeting instance is trashed at Zoom only
// when every file Zoom lists for it is archived here with Zoom's size and present in R2.
import { and, asc, eq } from "drizzle-orm";
import { auditStatement } from "../db/audit.ts";
import { type Db, database } from "../db/client.ts";
import { recordingFiles, recordings } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { committedIds, dispatchEvents, eventStatement } from "../events/outbox.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { cloudStorageOf } from "../usage/storage.ts";
import { encodeMeetingUuid, ZoomClient } from "../zoom/client.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { ZoomPlanUsage, ZoomRecordingMeeting } from "../zoom/schemas.ts";
import { fileIdOf } from "./discover.ts";

export type ArchivePolicy = {
  deleteFromZoom: "never" | "after-archive" | "when-storage-above";
  storageThresholdPercent?: number | undefined;
};

type RecordingRow = typeof recordings.$inferSelect;

/** Instances still in Zoom whose every known file is archived, oldest first. */
async function fullyArchived(db: Db, tenantId: string, recordingId?: string) {
  const rows = await db
    .select({ recording: recordings, file: recordingFiles })
    .from(recordings)
    .innerJoin(
      recordingFiles,
      and(eq(recordingFiles.tenantId, recordings.tenantId), eq(recordingFiles.recordingId, recordings.id)),
    )
    .where(
      and(
        eq(recordings.tenantId, tenantId),
        eq(recordings.zoomState, "active"),
        ...(recordingId ? [eq(recordings.id, recordingId)] : []),
      ),
    )
    .orderBy(asc(recordings.startTime));
  const byRecording = new Map<
    string,
    { recording: RecordingRow; files: (typeof recordingFiles.$inferSelect)[] }
  >();
  for (const r of rows) {
    const entry = byRecording.get(r.recording.id) ?? { recording: r.recording, files: [] };
    entry.files.push(r.file);
    byRecording.set(r.recording.id, entry);
  }
  return [...byRecording.values()].filter((e) =>
    e.files.every((f) => f.status === "archived" && f.sha256 && f.bytesArchived === f.sizeBytes),
  );
}

/**
 * Applies the tenant's policy: `after-archive` trashes each fully archived instance;
 * `when-storage-above` trashes the oldest fully archived ones until Zoom's usage is under the
 * threshold. Returns the recording ids trashed.
 */
export async function enforceArchivePolicy(
  env: Env,
  config: Config,
  tenantId: string,
  opts: { recordingId?: string } = {},
): Promise<string[]> {
  const db = database(env.DB);
  const policy: ArchivePolicy = (await getTenant(db, tenantId)).settings.archivePolicy ?? {
    deleteFromZoom: "never",
  };
  if (policy.deleteFromZoom === "never") return [];
  const candidates = await fullyArchived(db, tenantId, opts.recordingId);
  if (!candidates.length) return [];
  const client = await ZoomClient.forTenant(env, config, db, tenantId);
  const trashed: string[] = [];
  if (policy.deleteFromZoom === "after-archive") {
    for (const c of candidates)
      if (await trashIfVerified(env, db, client, c.recording, policy)) trashed.push(c.recording.id);
    return trashed;
  }
  const threshold = policy.storageThresholdPercent ?? 80;
  const usage = await client.call({
    operation: "accounts.plans.usage",
    method: "GET",
    path: "/accounts/me/plans/usage",
    schema: ZoomPlanUsage,
  });
  // Whichever storage the account has: the licenses' free storage (plain Pro: plan_storage is
  // "0"), an additional plan, and what is beyond both.
  const storage = cloudStorageOf(usage.plan_recording);
  const plan = storage.capacityBytes ?? 0;
  let used = storage.usedBytes;
  if (used === null || (plan <= 0 && storage.exceedBytes <= 0)) {
    log("warn", "archive policy: Zoom's storage usage is unreadable; nothing trashed", { tenantId });
    return [];
  }
  const percent = (bytes: number) => (plan > 0 ? (bytes / plan) * 100 : bytes > 0 ? Infinity : 0);
  for (const c of candidates) {
    if (percent(used) <= threshold) break;
    if (await trashIfVerified(env, db, client, c.recording, policy)) {
      trashed.push(c.recording.id);
      used -= c.files.reduce((n, f) => n + (f.sizeBytes ?? 0), 0);
    }
  }
  return trashed;
}

/**
 * Checks Zoom's current file list against the archive (ids, sizes, status) and R2 (object present
 * with that size) before trashing. Anything unverified keeps Zoom's copy.
 */
export async function trashIfVerified(
  env: Env,
  db: Db,
  client: ZoomClient,
  recording: RecordingRow,
  policy: ArchivePolicy | { deleteFromZoom: "on-request"; actor: string },
): Promise<boolean> {
  const path = `/meetings/${encodeMeetingUuid(recording.meetingUuid)}/recordings`;
  let atZoom: ZoomRecordingMeeting;
  try {
    atZoom = await client.call({
      operation: "recordings.get",
      method: "GET",
      path,
      schema: ZoomRecordingMeeting,
    });
  } catch (err) {
    if (err instanceof ZoomApiError && err.status === 404) return false;
    throw err;
  }
  const ours = await db
    .select()
    .from(recordingFiles)
    .where(
      and(eq(recordingFiles.tenantId, recording.tenantId), eq(recordingFiles.recordingId, recording.id)),
    );
  const byId = new Map(ours.map((f) => [f.id, f]));
  const unverified: string[] = [];
  // Every file Zoom holds for the instance, the per-participant audio files included.
  const listed = [...atZoom.recording_files, ...atZoom.participant_audio_files];
  for (const f of listed) {
    const id = await fileIdOf(atZoom.uuid, f);
    const mine = byId.get(id);
    const sizeOk = mine && (f.file_size === undefined || mine.bytesArchived === f.file_size);
    if (mine?.status !== "archived" || !mine.sha256 || !sizeOk) {
      unverified.push(id);
      continue;
    }
    const head = await env.RECORDINGS.head(mine.r2Key);
    if (!head || head.size !== mine.bytesArchived) unverified.push(id);
  }
  if (unverified.length || !listed.length) {
    log("info", "archive policy: Zoom's copy kept, not every file is verified", {
      tenantId: recording.tenantId,
      recordingId: recording.id,
      unverified: unverified.length,
    });
    return false;
  }
  await client.call({ operation: "recordings.delete", method: "DELETE", path, query: { action: "trash" } });
  const trashed = db
    .update(recordings)
    .set({ zoomState: "trashed", updatedAt: Date.now() })
    .where(and(eq(recordings.tenantId, recording.tenantId), eq(recordings.id, recording.id)));
  const audited = auditStatement(db, {
    tenantId: recording.tenantId,
    actor: "actor" in policy ? policy.actor : "system",
    action: "recording.deleted_from_zoom",
    details: {
      recordingId: recording.id,
      meetingUuid: recording.meetingUuid,
      action: "trash",
      policy: policy.deleteFromZoom,
      files: ours.length,
      bytes: ours.reduce((n, f) => n + f.bytesArchived, 0),
    },
  });
  // The change, its audit line and recording.deleted_from_zoom commit together.
  const event = await eventStatement(db, {
    tenantId: recording.tenantId,
    type: "recording.deleted_from_zoom",
    key: recording.id,
    data: {
      recordingId: recording.id,
      classId: recording.classId,
      meetingUuid: recording.meetingUuid,
      topic: recording.topic,
      action: "trash",
      files: ours.length,
      bytes: ours.reduce((n, f) => n + f.bytesArchived, 0),
    },
  });
  await dispatchEvents(env, committedIds(await db.batch([trashed, audited, event.statement])));
  return true;
}

/** Keeps `zoom_state` true to Zoom's recording.trashed / deleted / recovered events. */
export async function setZoomState(
  db: Db,
  tenantId: string,
  meetingUuid: string,
  state: "active" | "trashed" | "deleted",
): Promise<void> {
  await db
    .update(recordings)
    .set({ zoomState: state, updatedAt: Date.now() })
    .where(and(eq(recordings.tenantId, tenantId), eq(recordings.meetingUuid, meetingUuid)));
}
