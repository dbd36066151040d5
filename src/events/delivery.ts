// Delivery of outbound events: the fan-out of an outbox row to the tenant's subscriptions, then one
// signed POST per delivery (Standard Webhooks, through the `standardwebhooks` library) with a
// timeout, no redirects followed, exponential backoff with jitter for `EVENTS_RETRY_HOURS`, then
// dead. Every attempt is claimed in D1 first, so a duplicated queue message sends nothing twice.
import { and, eq, isNull, lt } from "drizzle-orm";
import { Webhook } from "standardwebhooks";
import { z } from "zod";
import { type Db, database } from "../db/client.ts";
import { eventDeliveries, eventSubscriptions, outboundEvents } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { vaultFor } from "../zoom/credentials.ts";
import { envelope } from "./catalogue.ts";
import { signingSecrets } from "./subscriptions.ts";

const MAX_DELAY_SECONDS = 6 * 3600;
/** A claimed attempt holds the delivery this long beyond the timeout before a re-queue may take it. */
const CLAIM_SLACK_MS = 60_000;

export const EventMessage = z.discriminatedUnion("kind", [
  z.object({ kind: z.literal("event-fanout"), eventId: z.string().min(1).max(300) }),
  z.object({
    kind: z.literal("event-delivery"),
    eventId: z.string().min(1).max(300),
    subscriptionId: z.string().min(1).max(300),
  }),
]);
export type EventMessage = z.infer<typeof EventMessage>;

export const isEventMessage = (kind: unknown) => kind === "event-fanout" || kind === "event-delivery";

/** Seconds before attempt `attempt + 1`: 30 s doubling to 6 h, with equal jitter. */
export function retryDelaySeconds(attempt: number, random = Math.random()): number {
  const base = Math.min(30 * 2 ** Math.max(0, attempt - 1), MAX_DELAY_SECONDS);
  return Math.max(1, Math.round(base / 2 + (random * base) / 2));
}

export const deliveryMessage = (eventId: string, subscriptionId: string): EventMessage => ({
  kind: "event-delivery",
  eventId,
  subscriptionId,
});

/** Creates the deliveries of one event for the tenant's enabled subscriptions to its type. */
export async function fanOut(env: Env, db: Db, eventId: string): Promise<number> {
  const event = await db.select().from(outboundEvents).where(eq(outboundEvents.id, eventId)).get();
  if (!event) return 0;
  const subs = await db
    .select({
      id: eventSubscriptions.id,
      eventTypes: eventSubscriptions.eventTypes,
      url: eventSubscriptions.url,
    })
    .from(eventSubscriptions)
    .where(and(eq(eventSubscriptions.tenantId, event.tenantId), eq(eventSubscriptions.enabled, true)))
    .all();
  // An origin the admin has since removed from webhookOrigins gets nothing more.
  const origins = (await getTenant(db, event.tenantId)).settings.webhookOrigins ?? [];
  const matching = subs.filter(
    (s) => s.eventTypes.includes(event.type) && origins.includes(new URL(s.url).origin),
  );
  const now = Date.now();
  const created = matching.length
    ? await db
        .insert(eventDeliveries)
        .values(
          matching.map((s) => ({
            eventId,
            subscriptionId: s.id,
            tenantId: event.tenantId,
            status: "pending" as const,
            nextAttemptAt: now,
            createdAt: now,
          })),
        )
        .onConflictDoNothing()
        .returning({ subscriptionId: eventDeliveries.subscriptionId })
    : [];
  await db
    .update(outboundEvents)
    .set({ dispatchedAt: now })
    .where(and(eq(outboundEvents.id, eventId), isNull(outboundEvents.dispatchedAt)));
  await sendAll(
    env,
    created.map((d) => deliveryMessage(eventId, d.subscriptionId)),
  );
  return created.length;
}

export async function sendAll(env: Env, messages: EventMessage[], delaySeconds?: number) {
  for (let i = 0; i < messages.length; i += 100) {
    await env.ARCHIVE_QUEUE.sendBatch(
      messages.slice(i, i + 100).map((body) => ({ body, ...(delaySeconds ? { delaySeconds } : {}) })),
    );
  }
}

export type AttemptOutcome = "delivered" | "retry" | "dead" | "gone" | "skipped" | "cancelled";

/** One attempt of one delivery. */
export async function attemptDelivery(
  env: Env,
  config: Config,
  eventId: string,
  subscriptionId: string,
): Promise<AttemptOutcome> {
  const db = database(env.DB);
  const key = and(eq(eventDeliveries.eventId, eventId), eq(eventDeliveries.subscriptionId, subscriptionId));
  const row = await db.select().from(eventDeliveries).where(key).get();
  const now = Date.now();
  // Already finished, or a later attempt is scheduled (this message is a duplicate): nothing to do.
  if (row?.status !== "pending" || row.nextAttemptAt > now + CLAIM_SLACK_MS) return "skipped";
  const claimed = await db
    .update(eventDeliveries)
    .set({
      attempts: row.attempts + 1,
      lastAttemptAt: now,
      firstAttemptAt: row.firstAttemptAt ?? now,
      nextAttemptAt: now + config.events.timeoutMs + CLAIM_SLACK_MS,
    })
    .where(and(key, eq(eventDeliveries.status, "pending"), eq(eventDeliveries.attempts, row.attempts)))
    .returning()
    .get();
  if (!claimed) return "skipped";

  const [sub, event] = await Promise.all([
    db.select().from(eventSubscriptions).where(eq(eventSubscriptions.id, subscriptionId)).get(),
    db.select().from(outboundEvents).where(eq(outboundEvents.id, eventId)).get(),
  ]);
  if (!sub || !event || !sub.enabled || sub.tenantId !== row.tenantId) {
    await db
      .update(eventDeliveries)
      .set({ status: "cancelled", lastError: sub ? "subscription disabled" : "subscription removed" })
      .where(key);
    return "cancelled";
  }

  const body = envelope(event);
  const at = new Date(now);
  const secrets = await signingSecrets(vaultFor(config), sub, now);
  // Standard Webhooks: several space-separated signatures, one per secret in use (rotation overlap).
  const signature = secrets.map((s) => new Webhook(s).sign(event.id, at, body)).join(" ");

  let status: number | null = null;
  let error: string | null = null;
  try {
    const res = await fetch(sub.url, {
      method: "POST",
      headers: {
        "content-type": "application/json",
        "user-agent": "wise-zoom-edge-events/1",
        "webhook-id": event.id,
        "webhook-timestamp": String(Math.floor(now / 1000)),
        "webhook-signature": signature,
      },
      body,
      // A redirect is an answer, never followed: the endpoint was checked, its target was not.
      redirect: "manual",
      signal: AbortSignal.timeout(config.events.timeoutMs),
    });
    status = res.status;
    await res.body?.cancel();
    if (status >= 300 && status < 400) error = "redirect not followed";
    else if (status < 200 || status >= 300) error = `endpoint answered ${status}`;
  } catch (err) {
    error =
      err instanceof Error && (err.name === "TimeoutError" || err.name === "AbortError")
        ? `no answer within ${config.events.timeoutMs} ms`
        : "endpoint unreachable";
  }

  const done = Date.now();
  if (status !== null && status >= 200 && status < 300) {
    await db
      .update(eventDeliveries)
      .set({ status: "delivered", deliveredAt: done, lastStatus: status, lastError: null })
      .where(key);
    return "delivered";
  }
  if (status === 410) {
    // 410 Gone: the receiver asks to stop. The subscription is turned off; an admin may turn it on.
    await db.batch([
      db
        .update(eventDeliveries)
        .set({ status: "cancelled", lastStatus: status, lastError: "endpoint answered 410 Gone" })
        .where(key),
      db
        .update(eventSubscriptions)
        .set({ enabled: false, disabledReason: "endpoint answered 410 Gone", updatedAt: done })
        .where(eq(eventSubscriptions.id, subscriptionId)),
    ]);
    log("warn", "events: endpoint answered 410; subscription disabled", {
      tenantId: sub.tenantId,
      subscriptionId,
    });
    return "gone";
  }
  const first = claimed.firstAttemptAt ?? now;
  if (done - first >= config.events.retryHours * 3600_000) {
    await db.update(eventDeliveries).set({ status: "dead", lastStatus: status, lastError: error }).where(key);
    log("error", "events: delivery dead after its retry window", {
      tenantId: sub.tenantId,
      subscriptionId,
      eventId,
      attempts: claimed.attempts,
      lastStatus: status,
      lastError: error,
    });
    return "dead";
  }
  const delay = retryDelaySeconds(claimed.attempts);
  await db
    .update(eventDeliveries)
    .set({ nextAttemptAt: done + delay * 1000, lastStatus: status, lastError: error })
    .where(key);
  await env.ARCHIVE_QUEUE.send(deliveryMessage(eventId, subscriptionId), { delaySeconds: delay });
  return "retry";
}

/** The queue consumer's part for event messages. */
export async function consumeEventMessage(
  message: Message<unknown>,
  env: Env,
  config: Config,
): Promise<void> {
  const parsed = EventMessage.safeParse(message.body);
  if (!parsed.success) {
    log("error", "events: malformed queue message dropped", {});
    message.ack();
    return;
  }
  const body = parsed.data;
  try {
    if (body.kind === "event-fanout") await fanOut(env, database(env.DB), body.eventId);
    else await attemptDelivery(env, config, body.eventId, body.subscriptionId);
    message.ack();
  } catch (err) {
    log("error", "events: queue message failed", { kind: body.kind, eventId: body.eventId, err });
    message.retry({ delaySeconds: retryDelaySeconds(message.attempts) });
  }
}

/**
 * Nightly: queues again what a dead Worker left behind: events never fanned out, and pending
 * deliveries whose scheduled attempt is well past (their queue message was never sent).
 */
export async function requeueStalledEvents(
  env: Env,
  now: number,
): Promise<{ events: number; deliveries: number }> {
  const db = database(env.DB);
  const stale = now - 10 * 60_000;
  const events = await db
    .select({ id: outboundEvents.id })
    .from(outboundEvents)
    .where(and(isNull(outboundEvents.dispatchedAt), lt(outboundEvents.createdAt, stale)))
    .limit(1000)
    .all();
  const deliveries = await db
    .select({ eventId: eventDeliveries.eventId, subscriptionId: eventDeliveries.subscriptionId })
    .from(eventDeliveries)
    .where(and(eq(eventDeliveries.status, "pending"), lt(eventDeliveries.nextAttemptAt, stale)))
    .limit(1000)
    .all();
  await sendAll(env, [
    ...events.map((e) => ({ kind: "event-fanout" as const, eventId: e.id })),
    ...deliveries.map((d) => deliveryMessage(d.eventId, d.subscriptionId)),
  ]);
  return { events: events.length, deliveries: deliveries.length };
}
