// Zoom webhook events the product handles, one handler per event name. Each handler is idempotent
// (a replayed or re-sent event changes nothing) and runs from the queue (inbox.ts); a handler that
// throws is retried.
import { z } from "zod";
import { onRecordingCompleted, onRecordingStateChanged } from "../archive/events.ts";
import { classEventHandlers } from "../classes/events.ts";
import { database } from "../db/client.ts";
import { log } from "../platform/log.ts";
import { credentialForAccount } from "../zoom/credentials.ts";
import type { EventHandler } from "../zoom/events.ts";

const Deauthorized = z.object({
  account_id: z.string().min(1),
  user_id: z.string().optional(),
  client_id: z.string().optional(),
  deauthorization_time: z.string().optional(),
});

/** app_deauthorized: the admin removed the app in Zoom. Delete the credential and record it. */
export const onAppDeauthorized: EventHandler = async (env, config, event) => {
  const p = Deauthorized.safeParse(event.payload);
  if (!p.success) {
    log("warn", "webhook: app_deauthorized without an account id; ignored");
    return;
  }
  if (p.data.client_id && p.data.client_id !== config.zoom.clientId) return;
  const row = await credentialForAccount(database(env.DB), p.data.account_id);
  if (!row) return;
  await env.ZOOM_ACCOUNT.getByName(row.zoomAccountId).unlink(row.zoomAccountId, "zoom", "deauthorized");
};

/** Handlers by event name; features add theirs here. */
export const eventHandlers: Record<string, EventHandler> = {
  app_deauthorized: onAppDeauthorized,
  "recording.completed": onRecordingCompleted,
  "recording.transcript_completed": onRecordingCompleted,
  "recording.trashed": onRecordingStateChanged,
  "recording.deleted": onRecordingStateChanged,
  "recording.recovered": onRecordingStateChanged,
  ...classEventHandlers,
};
