// Zoom recording webhooks: recording.completed (and recording.transcript_completed, which brings a
// transcript finished later) records the instance and enqueues its files; recording.trashed /
// deleted / recovered keep the instance's Zoom state true and are audited (the archive keeps its copy).
import { and, eq, isNull, lt, or } from "drizzle-orm";
import { z } from "zod";
import { audit } from "../db/audit.ts";
import { database } from "../db/client.ts";
import { recordings } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import { ZoomRecordingMeeting } from "../zoom/schemas.ts";
import { recordMeeting } from "./discover.ts";
import { archiveFileMessages, enqueue } from "./messages.ts";

interface RecordingEvent {
  event: string;
  event_ts?: number | undefined;
  payload: Record<string, unknown>;
  download_token?: string | undefined;
}

const Completed = z.object({ account_id: z.string().min(1), object: ZoomRecordingMeeting });
const StateChange = z.object({
  account_id: z.string().min(1),
  object: z.object({ uuid: z.string().min(1).max(128) }),
});

export async function onRecordingCompleted(env: Env, config: Config, event: RecordingEvent): Promise<void> {
  const p = Completed.safeParse(event.payload);
  if (!p.success) {
    log("warn", "webhook: recording event with an unexpected shape; ignored", {
      event: event.event,
      issues: p.error.issues.slice(0, 5).map((i) => `${i.path.join(".")}: ${i.message}`),
    });
    return;
  }
  const db = database(env.DB);
  const cred = await credentialForAccount(db, p.data.account_id);
  if (!cred) return;
  const found = await recordMeeting(
    db,
    config,
    { tenantId: cred.tenantId, zoomAccountId: cred.zoomAccountId },
    p.data.object,
    { downloadToken: event.download_token },
  );
  await enqueue(env.ARCHIVE_QUEUE, archiveFileMessages(cred.tenantId, found.toArchive));
}

const stateOf: Record<string, "active" | "trashed" | "deleted"> = {
  "recording.trashed": "trashed",
  "recording.deleted": "deleted",
  "recording.recovered": "active",
};

export async function onRecordingStateChanged(
  env: Env,
  _config: Config,
  event: RecordingEvent,
): Promise<void> {
  const state = stateOf[event.event];
  const p = StateChange.safeParse(event.payload);
  if (!state || !p.success) return;
  const db = database(env.DB);
  const cred = await credentialForAccount(db, p.data.account_id);
  if (!cred) return;
  // Ordered by Zoom's event time: a trash and a recovery that arrive reversed end as Zoom did.
  const at = event.event_ts ?? Date.now();
  const row = await db
    .select({ id: recordings.id, zoomState: recordings.zoomState, zoomStateAt: recordings.zoomStateAt })
    .from(recordings)
    .where(and(eq(recordings.tenantId, cred.tenantId), eq(recordings.meetingUuid, p.data.object.uuid)))
    .get();
  if (!row || (row.zoomStateAt ?? 0) >= at) return;
  const applied = await db
    .update(recordings)
    .set({ zoomState: state, zoomStateAt: at, updatedAt: Date.now() })
    .where(and(eq(recordings.id, row.id), or(isNull(recordings.zoomStateAt), lt(recordings.zoomStateAt, at))))
    .returning({ id: recordings.id });
  // Only a change is audited, so a repeated event records nothing.
  if (!applied.length || row.zoomState === state) return;
  await audit(db, {
    tenantId: cred.tenantId,
    actor: "zoom",
    action: "recording.changed_in_zoom",
    details: {
      recordingId: row.id,
      meetingUuid: p.data.object.uuid,
      zoomState: state,
      event: event.event,
      ...(typeof event.payload.operator_id === "string" ? { operatorId: event.payload.operator_id } : {}),
    },
  });
}
