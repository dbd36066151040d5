// Zoom recording webhooks: recording.completed records the instance and enqueues its files;
// recording.trashed / deleted / recovered keep the instance's Zoom state true.
import { z } from "zod";
import type { Config } from "../config.ts";
import { database } from "../db/client.ts";
import type { Env } from "../env.ts";
import { log } from "../http/log.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import { ZoomRecordingMeeting } from "../zoom/schemas.ts";
import { recordMeeting } from "./discover.ts";
import { archiveFileMessages, enqueue } from "./messages.ts";
import { setZoomState } from "./policy.ts";

interface RecordingEvent {
  event: string;
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
    log("warn", "webhook: recording.completed with an unexpected shape; ignored", {
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
  await setZoomState(db, cred.tenantId, p.data.object.uuid, state);
}
