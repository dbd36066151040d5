// Outbound event test helpers: a subscription to the emulator's receiver (Wise's endpoint stand-in),
// a Queue stand-in that keeps each message's delay, runs of the real consumer on event messages,
// and what the receiver got.
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { api } from "./api.ts";
import { BASE } from "./app.ts";
import { consume } from "./archive.ts";
import { bearer } from "./jwt.ts";
import { emulator, fetchAndSettle } from "./zoom.ts";

export const HOOKS = "https://hooks.wise.example";

export interface Received {
  seq: number;
  webhookId: string | null;
  timestamp: string | null;
  signature: string | null;
  verifiedSecrets: number;
  type: string | null;
  body: string;
  answeredStatus: number;
}

export const received = async (endpoint: string) =>
  (await emulator<{ deliveries: Received[] }>(`/receiver/${endpoint}`, undefined, "GET")).deliveries;

export const receiverMode = (endpoint: string, secrets: string[], mode = "ok", delayMs?: number) =>
  emulator(`/receiver/${endpoint}`, { secrets, mode, ...(delayMs ? { delayMs } : {}) }, "PUT");

export const clearReceiver = () => emulator("/receiver", undefined, "DELETE");

/** Lets the tenant's subscriptions point at the receiver's origin. */
export async function allowHooksOrigin(tenant: string) {
  const res = await api("PATCH", "/v1/tenant", { webhookOrigins: [HOOKS] }, { tenant });
  expect(res.status).toBe(200);
}

/** Subscribes `tenant` to `types` at the receiver's `endpoint`, which learns the secret. */
export async function subscribe(
  tenant: string,
  endpoint: string,
  eventTypes: string[],
): Promise<{ id: string; secret: string }> {
  await allowHooksOrigin(tenant);
  const res = await api<{ subscription: { id: string }; secret: string }>(
    "POST",
    "/v1/events/subscriptions",
    { url: `${HOOKS}/hooks/${endpoint}`, eventTypes },
    { tenant },
  );
  expect(res.status).toBe(201);
  await receiverMode(endpoint, [res.body.secret]);
  return { id: res.body.subscription.id, secret: res.body.secret };
}

/** The ARCHIVE_QUEUE producer, keeping each message with its delay. */
export class DelayedQueue {
  messages: { body: unknown; delaySeconds: number }[] = [];
  async send(body: unknown, opts?: { delaySeconds?: number }) {
    this.messages.push({ body, delaySeconds: opts?.delaySeconds ?? 0 });
  }
  async sendBatch(batch: Iterable<{ body: unknown; delaySeconds?: number }>) {
    for (const m of batch) this.messages.push({ body: m.body, delaySeconds: m.delaySeconds ?? 0 });
  }
  take() {
    const out = this.messages;
    this.messages = [];
    return out;
  }
}

/**
 * Runs the real consumer on what `q` holds, as the Queue would: messages due now first, and what
 * they send in turn; delayed ones (retries) stay in `q` unless `all`.
 */
export async function pump(
  q: DelayedQueue,
  opts: { all?: boolean; overrides?: Record<string, unknown> } = {},
) {
  for (let round = 0; round < 20; round++) {
    const due = q.take();
    const now = due.filter((m) => opts.all || m.delaySeconds === 0);
    q.messages.push(...due.filter((m) => !now.includes(m)));
    if (!now.length) return;
    for (const m of now) await consume([m.body], 1, { ARCHIVE_QUEUE: q, ...opts.overrides });
    if (opts.all) opts = { ...opts, all: false };
  }
}

export async function deliveryRow(eventId: string) {
  return env.DB.prepare("SELECT * FROM event_deliveries WHERE event_id = ?").bind(eventId).first<{
    status: string;
    attempts: number;
    last_status: number | null;
    last_error: string | null;
    first_attempt_at: number | null;
    next_attempt_at: number;
  }>();
}

/** Moves a delivery's clock: its run of attempts started `hoursAgo`, and its next attempt is due. */
export async function age(eventId: string, hoursAgo: number) {
  await env.DB.prepare(
    "UPDATE event_deliveries SET first_attempt_at = ?, next_attempt_at = 0 WHERE event_id = ?",
  )
    .bind(Date.now() - hoursAgo * 3600_000, eventId)
    .run();
}

/** Calls the API as the tenant's admin with `queue` as the Worker's ARCHIVE_QUEUE. */
export async function apiWithQueue(
  queue: DelayedQueue,
  method: string,
  path: string,
  body?: unknown,
  tenant = "tenant-a",
) {
  const res = await fetchAndSettle(
    new Request(`${BASE}${path}`, {
      method,
      headers: {
        ...(await bearer({ tenant, role: "admin", sub: "admin-1" })),
        "content-type": "application/json",
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    }),
    { ARCHIVE_QUEUE: queue },
  );
  const text = await res.text();
  return { status: res.status, body: (text ? JSON.parse(text) : {}) as Record<string, unknown> };
}
