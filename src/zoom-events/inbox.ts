// The inbox of Zoom's webhook events: a delivery is stored in D1 and queued before it is acknowledged,
// processed from the queue with retries, and marked processed only when its handler succeeded. Zoom
// retries a delivery only three times and then drops it, so nothing may depend on handling it inline.
import { and, eq, isNotNull, isNull, lt } from "drizzle-orm";
import { z } from "zod";
import { database } from "../db/client.ts";
import { webhookDeliveries } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { sha256Hex } from "../tokens/encoding.ts";
import { VaultError } from "../tokens/vault.ts";
import { vaultFor } from "../zoom/credentials.ts";
import { ZoomEvent } from "../zoom/events.ts";
import { eventHandlers } from "./handlers.ts";

export const ZoomEventMessage = z
  .object({ kind: z.literal("zoom-event"), id: z.string().regex(/^[0-9a-f]{64}$/) })
  .strict();
export type ZoomEventMessage = z.infer<typeof ZoomEventMessage>;

/** A stored event whose queue message was lost is sent again by the nightly catch-up after this. */
export const REQUEUE_AFTER_MS = 15 * 60_000;
/** Pending events re-queued per catch-up run (D1's 1,000 queries per invocation). */
const REQUEUE_BATCH = 200;

// Bound to the delivery: its tenant is not known until the handler looks up the account.
const sealContext = (id: string) => ({
  tenantId: "zoom-webhook",
  zoomAccountId: "",
  field: `download_token:${id}`,
});

async function send(queue: Queue<unknown>, ids: string[]): Promise<void> {
  for (let i = 0; i < ids.length; i += 100) {
    const batch = ids.slice(i, i + 100).map((id) => ({
      body: { kind: "zoom-event", id } satisfies ZoomEventMessage,
      contentType: "json" as const,
    }));
    await queue.sendBatch(batch);
  }
}

export type Acceptance = "accepted" | "duplicate" | "ignored";

/**
 * Stores the delivery and queues it. A delivery Zoom re-sends carries the same body (with a new
 * timestamp), so the body hash is its id. A re-sent event not yet processed is queued again: its
 * first queue send may be what failed.
 */
export async function acceptEvent(
  env: Env,
  config: Config,
  raw: Uint8Array<ArrayBuffer>,
  event: ZoomEvent,
): Promise<Acceptance> {
  const db = database(env.DB);
  const id = await sha256Hex(raw);
  const now = Date.now();
  if (!eventHandlers[event.event]) {
    await db
      .insert(webhookDeliveries)
      .values({ id, event: event.event, receivedAt: now, processedAt: now })
      .onConflictDoNothing();
    return "ignored";
  }
  // The download_token is a credential: it is kept sealed, never in the stored payload.
  const { download_token: downloadToken, ...rest } = event;
  const downloadTokenEnc = downloadToken
    ? await vaultFor(config).encrypt(downloadToken, sealContext(id))
    : null;
  const inserted = await db
    .insert(webhookDeliveries)
    .values({ id, event: event.event, receivedAt: now, payload: JSON.stringify(rest), downloadTokenEnc })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  if (inserted.length === 0) {
    const row = await db
      .select({ processedAt: webhookDeliveries.processedAt, payload: webhookDeliveries.payload })
      .from(webhookDeliveries)
      .where(eq(webhookDeliveries.id, id))
      .get();
    // Rows without a payload are done (or predate the inbox).
    if (row?.processedAt || !row?.payload) return "duplicate";
  }
  await send(env.ARCHIVE_QUEUE, [id]);
  return "accepted";
}

export type EventOutcome = "processed" | "already-processed" | "gone";

/** Runs the handler of a stored event; throws (to be retried) when the handler fails. */
export async function processEvent(env: Env, config: Config, id: string): Promise<EventOutcome> {
  const db = database(env.DB);
  const row = await db.select().from(webhookDeliveries).where(eq(webhookDeliveries.id, id)).get();
  if (!row) return "gone";
  if (row.processedAt || !row.payload) return "already-processed";
  const done = () =>
    db
      .update(webhookDeliveries)
      .set({ processedAt: Date.now(), payload: null, downloadTokenEnc: null, lastError: null })
      .where(and(eq(webhookDeliveries.id, id), isNull(webhookDeliveries.processedAt)));
  const parsed = ZoomEvent.safeParse(JSON.parse(row.payload));
  const handler = parsed.success ? eventHandlers[parsed.data.event] : undefined;
  if (!parsed.success || !handler) {
    // Validated when accepted: this only happens when a handler was removed since.
    log("warn", "webhook inbox: stored event has no handler; marked processed", { id, event: row.event });
    await done();
    return "processed";
  }
  let downloadToken: string | undefined;
  if (row.downloadTokenEnc) {
    try {
      downloadToken = await vaultFor(config).decrypt(row.downloadTokenEnc, sealContext(id));
    } catch (err) {
      // Sealed under a key since retired: the archive fetches a download URL with the account's token.
      if (!(err instanceof VaultError)) throw err;
      log("warn", "webhook inbox: download token no longer readable; handled without it", { id });
    }
  }
  try {
    await handler(env, config, {
      ...parsed.data,
      ...(downloadToken ? { download_token: downloadToken } : {}),
    });
  } catch (err) {
    await db
      .update(webhookDeliveries)
      .set({
        attempts: row.attempts + 1,
        lastError: err instanceof Error ? err.message.slice(0, 300) : "failed",
      })
      .where(eq(webhookDeliveries.id, id));
    throw err;
  }
  await done();
  return "processed";
}

/** Nightly: queues again the stored events still unprocessed (a lost send, or retries exhausted). */
export async function requeuePendingEvents(env: Env, now = Date.now()): Promise<number> {
  const db = database(env.DB);
  const pending = await db
    .select({ id: webhookDeliveries.id })
    .from(webhookDeliveries)
    .where(
      and(
        isNull(webhookDeliveries.processedAt),
        isNotNull(webhookDeliveries.payload),
        lt(webhookDeliveries.receivedAt, now - REQUEUE_AFTER_MS),
      ),
    )
    .limit(REQUEUE_BATCH);
  const ids = pending.map((r) => r.id);
  if (ids.length) {
    await send(env.ARCHIVE_QUEUE, ids);
    log("info", "webhook inbox: unprocessed events queued again", { count: ids.length });
  }
  return ids.length;
}
