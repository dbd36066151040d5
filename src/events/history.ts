// What happened to a subscription's events: its delivery history, replays (each a new run of
// attempts under the same webhook-id), and the nightly pruning of finished deliveries and old events.
import { and, eq, gte, inArray, lt, lte, sql } from "drizzle-orm";
import { type Db, database } from "../db/client.ts";
import { eventDeliveries, type eventSubscriptions, outboundEvents } from "../db/schema.ts";
import { deliveryMessage, sendAll } from "./delivery.ts";

/** Most events one replay may queue. */
export const REPLAY_LIMIT = 1000;

/**
 * Sends events again to one subscription: one event by id, or every event of its types in a time
 * range. Each starts a new run of attempts under the same `webhook-id`.
 */
export async function replay(
  env: Env,
  sub: typeof eventSubscriptions.$inferSelect,
  which: { eventId: string } | { from: number; to: number },
): Promise<{ queued: number; truncated: boolean }> {
  const db = database(env.DB);
  const filter =
    "eventId" in which
      ? eq(outboundEvents.id, which.eventId)
      : and(gte(outboundEvents.createdAt, which.from), lte(outboundEvents.createdAt, which.to));
  const events = await db
    .select({ id: outboundEvents.id })
    .from(outboundEvents)
    .where(
      and(eq(outboundEvents.tenantId, sub.tenantId), inArray(outboundEvents.type, sub.eventTypes), filter),
    )
    .orderBy(outboundEvents.createdAt)
    .limit(REPLAY_LIMIT + 1)
    .all();
  const chosen = events.slice(0, REPLAY_LIMIT);
  const now = Date.now();
  // 100 bound parameters per D1 statement: 7 per row.
  for (let i = 0; i < chosen.length; i += 12) {
    await db
      .insert(eventDeliveries)
      .values(
        chosen.slice(i, i + 12).map((e) => ({
          eventId: e.id,
          subscriptionId: sub.id,
          tenantId: sub.tenantId,
          status: "pending" as const,
          nextAttemptAt: now,
          createdAt: now,
        })),
      )
      .onConflictDoUpdate({
        target: [eventDeliveries.eventId, eventDeliveries.subscriptionId],
        set: {
          status: "pending",
          attempts: 0,
          firstAttemptAt: null,
          nextAttemptAt: now,
          lastError: null,
          deliveredAt: null,
        },
      });
  }
  await sendAll(
    env,
    chosen.map((e) => deliveryMessage(e.id, sub.id)),
  );
  return { queued: chosen.length, truncated: events.length > REPLAY_LIMIT };
}

/** Delivery history of one subscription, newest first. */
export function deliveryHistory(
  db: Db,
  tenantId: string,
  subscriptionId: string,
  limit: number,
  before?: number,
) {
  return db
    .select({
      eventId: eventDeliveries.eventId,
      type: outboundEvents.type,
      status: eventDeliveries.status,
      attempts: eventDeliveries.attempts,
      lastStatus: eventDeliveries.lastStatus,
      lastError: eventDeliveries.lastError,
      lastAttemptAt: eventDeliveries.lastAttemptAt,
      nextAttemptAt: eventDeliveries.nextAttemptAt,
      deliveredAt: eventDeliveries.deliveredAt,
      createdAt: eventDeliveries.createdAt,
      eventCreatedAt: outboundEvents.createdAt,
    })
    .from(eventDeliveries)
    .innerJoin(outboundEvents, eq(outboundEvents.id, eventDeliveries.eventId))
    .where(
      and(
        eq(eventDeliveries.tenantId, tenantId),
        eq(eventDeliveries.subscriptionId, subscriptionId),
        before === undefined ? sql`1` : lt(eventDeliveries.createdAt, before),
      ),
    )
    .orderBy(sql`${eventDeliveries.createdAt} DESC, ${outboundEvents.createdAt} DESC`)
    .limit(limit)
    .all();
}

/** Finished deliveries, and events, are kept this long (the window for a replay). */
export const EVENT_RETENTION_MS = 30 * 24 * 3600_000;

/** Nightly: drops finished deliveries and events older than the retention, keeping pending ones. */
export async function pruneEvents(db: Db, now: number): Promise<void> {
  const before = now - EVENT_RETENTION_MS;
  await db.batch([
    db
      .delete(eventDeliveries)
      .where(
        and(
          inArray(eventDeliveries.status, ["delivered", "dead", "cancelled"]),
          lt(eventDeliveries.createdAt, before),
        ),
      ),
    db
      .delete(outboundEvents)
      .where(
        and(
          lt(outboundEvents.createdAt, before),
          sql`NOT EXISTS (SELECT 1 FROM event_deliveries d WHERE d.event_id = ${outboundEvents.id})`,
        ),
      ),
  ]);
}
