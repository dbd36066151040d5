// The outbox: an event is a D1 statement the caller adds to the batch that makes the state change,
// so both commit together (D1 has no interactive transactions). After the batch, `dispatchEvents`
// queues the fan-out; if the Worker dies before that, the nightly run queues the row again.
import { type SQL, sql } from "drizzle-orm";
import type { BatchItem } from "drizzle-orm/batch";
import { SQLiteSyncDialect } from "drizzle-orm/sqlite-core";
import type { Db } from "../db/client.ts";
import { log } from "../platform/log.ts";
import { toBase64Url } from "../tokens/encoding.ts";
import type { EventData, EventType } from "./catalogue.ts";

export interface PendingEvent {
  id: string;
  /** The INSERT to run in the same `db.batch()` as the change it reports (its rows: the ids written). */
  statement: BatchItem<"sqlite">;
  /** Runs the INSERT alone; answers the ids written. */
  run(): Promise<string[]>;
}

const dialect = new SQLiteSyncDialect();

/**
 * A raw SQL statement usable in drizzle's D1 `batch()`. drizzle's own `db.all(sql)` cannot be
 * batched with bound parameters (its raw query has no prepared statement), so this provides one.
 */
function rawBatchItem(db: Db, query: SQL): { item: BatchItem<"sqlite">; stmt: D1PreparedStatement } {
  const { sql: text, params } = dialect.sqlToQuery(query);
  const stmt = db.$client.prepare(text);
  const prepared = {
    stmt,
    getQuery: () => ({ sql: text, params }),
    mapResult: (result: D1Result) => result.results,
  };
  return { item: { _prepare: () => prepared } as unknown as BatchItem<"sqlite">, stmt: stmt.bind(...params) };
}

/** Queue message that creates the deliveries of one event. */
export interface FanOutMessage {
  kind: "event-fanout";
  eventId: string;
}

/**
 * A `webhook-id`: derived from `key` when the change has a natural identity (so a handler run twice
 * writes one event), random otherwise.
 */
export async function eventId(key?: string): Promise<string> {
  const bytes = key
    ? new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(key))).slice(0, 18)
    : crypto.getRandomValues(new Uint8Array(18));
  return `msg_${toBase64Url(bytes)}`;
}

/**
 * The outbox row of one event. `onlyIf` is SQL evaluated inside the batch: when false (the change
 * did not happen, for instance a conditional UPDATE that matched nothing) no event is written.
 * Nor is one written for a tenant without any subscription (enabled or not): that costs nothing
 * but the check, and there is nobody to send it to or replay it for.
 * `dataSql` builds the data inside the batch from the rows of `from`. With `perRow`, one event per
 * row of `from` (its id derived from the key and that row's value); `ids` are then unknown and the
 * statement's RETURNING rows name them (see `committedIds`).
 */
export async function eventStatement<T extends EventType>(
  db: Db,
  event: {
    tenantId: string;
    type: T;
    key?: string;
    onlyIf?: SQL;
    from?: SQL;
    perRow?: SQL;
    at?: number;
  } & ({ data: EventData<T> } | { dataSql: SQL }),
): Promise<PendingEvent> {
  const id = await eventId(
    event.key === undefined ? undefined : `${event.tenantId}|${event.type}|${event.key}`,
  );
  const data = "dataSql" in event ? event.dataSql : sql`${JSON.stringify(event.data)}`;
  const at = event.at ?? Date.now();
  const idSql = event.perRow ? sql`${id} || '_' || lower(hex(${event.perRow}))` : sql`${id}`;
  const from = event.from ? sql` FROM ${event.from}` : sql``;
  const { item, stmt } = rawBatchItem(
    db,
    sql`INSERT OR IGNORE INTO outbound_events (id, tenant_id, type, data, created_at) SELECT ${idSql}, ${event.tenantId}, ${event.type}, ${data}, ${at}${from} WHERE (${event.onlyIf ?? sql`1`}) AND EXISTS (SELECT 1 FROM event_subscriptions WHERE tenant_id = ${event.tenantId}) RETURNING id`,
  );
  return {
    id,
    statement: item,
    run: async () => committedIds([(await stmt.all<{ id: string }>()).results]),
  };
}

/** The ids of events a batch actually wrote, from the results of their statements. */
export function committedIds(results: unknown[]): string[] {
  const ids: string[] = [];
  for (const r of results) {
    if (!Array.isArray(r)) continue;
    for (const row of r) {
      const id = (row as { id?: unknown } | null)?.id;
      if (typeof id === "string" && id.startsWith("msg_")) ids.push(id);
    }
  }
  return ids;
}

/**
 * Queues the fan-out of events just committed. Never throws: a failure here is logged and the
 * nightly run queues the row again (an event is never lost for a failed send).
 */
export async function dispatchEvents(env: Env, ids: string[]): Promise<void> {
  if (!ids.length) return;
  try {
    await env.ARCHIVE_QUEUE.sendBatch(
      ids.map((eventId) => ({ body: { kind: "event-fanout", eventId } satisfies FanOutMessage })),
    );
  } catch (err) {
    log("warn", "events: fan-out not queued; the nightly run will", { events: ids, err });
  }
}

/** Writes one event on its own (when the state change is already durable and idempotent). */
export async function emitEvent<T extends EventType>(
  env: Env,
  db: Db,
  event: { tenantId: string; type: T; key?: string; data: EventData<T> },
): Promise<void> {
  const pending = await eventStatement(db, event);
  await dispatchEvents(env, await pending.run());
}
