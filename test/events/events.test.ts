// Outbound events to Wise: subscriptions (admin only, secrets shown once and sealed, URLs checked),
// Standard Webhooks signatures verified by the standardwebhooks library at the emulator's receiver,
// retries with backoff through timeouts, 500s and an hour of downtime, 410 turning a subscription
// off, redirects never followed, the outbox surviving a Worker that dies before its queue send, and
// a secret rotation signing with both secrets during the overlap.
import { env } from "cloudflare:workers";
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { database } from "../../src/db/client.ts";
import { emitEvent } from "../../src/events/outbox.ts";
import { runMaintenance } from "../../src/maintenance.ts";
import { loadConfig } from "../../src/platform/config.ts";
import { TokenVault } from "../../src/tokens/vault.ts";
import { api, count, rows } from "../helpers/api.ts";
import { BASE } from "../helpers/app.ts";
import { testEnv } from "../helpers/archive.ts";
import {
  age,
  allowHooksOrigin,
  apiWithQueue,
  clearReceiver,
  DelayedQueue,
  deliveryRow,
  HOOKS,
  pump,
  type Received,
  received,
  receiverMode,
  subscribe,
} from "../helpers/events.ts";
import { bearer } from "../helpers/jwt.ts";
import { fetchAndSettle, freshStart } from "../helpers/zoom.ts";

const T = "tenant-a";
const q = new DelayedQueue();

beforeEach(async () => {
  await freshStart();
  await clearReceiver();
  q.take();
});

/** A committed event through the real outbox, its fan-out queued on `q`. */
async function emitted(type: "class.started" = "class.started", key?: string) {
  await emitEvent(testEnv({ ARCHIVE_QUEUE: q }), database(env.DB), {
    tenantId: T,
    type,
    ...(key ? { key } : {}),
    data: { classId: "class-1", zoomMeetingId: "123", meetingUuid: "u-1" },
  });
  const [row] = await rows<{ id: string }>("SELECT id FROM outbound_events ORDER BY created_at DESC LIMIT 1");
  if (!row) throw new Error("no event written");
  return row.id;
}

function verify(secret: string, r: Received) {
  return new Webhook(secret).verify(r.body, {
    "webhook-id": r.webhookId ?? "",
    "webhook-timestamp": r.timestamp ?? "",
    "webhook-signature": r.signature ?? "",
  });
}

describe("subscriptions API", () => {
  it("shows the secret once, keeps it sealed in D1, and is for admins of the tenant only", async () => {
    const { id, secret } = await subscribe(T, "wise", ["class.started", "recording.archived"]);
    expect(secret).toMatch(/^whsec_[A-Za-z0-9+/]{43}=$/);
    const [row] = await rows<{ secret_enc: string }>("SELECT secret_enc FROM event_subscriptions");
    expect(row?.secret_enc).toMatch(/^v1\./);
    expect(row?.secret_enc).not.toContain(secret.slice(6, 20));
    const got = await api("GET", `/v1/events/subscriptions/${id}`);
    expect(got.status).toBe(200);
    expect(JSON.stringify(got.body)).not.toContain(secret);
    expect(got.body).toMatchObject({ url: `${HOOKS}/hooks/wise`, enabled: true });
    expect((await api("GET", "/v1/events/subscriptions", undefined, { role: "teacher" })).status).toBe(403);
    expect(
      (await api("GET", `/v1/events/subscriptions/${id}`, undefined, { tenant: "tenant-b" })).status,
    ).toBe(404);
    const other = await api<{ subscriptions: unknown[] }>("GET", "/v1/events/subscriptions", undefined, {
      tenant: "tenant-b",
    });
    expect(other.body.subscriptions).toHaveLength(0);
    expect(
      (await api("DELETE", `/v1/events/subscriptions/${id}`, undefined, { tenant: "tenant-b" })).status,
    ).toBe(404);
  });

  it("refuses URLs that are not https, not on the tenant's origins or over 2 KB, and unknown types, writing nothing", async () => {
    await allowHooksOrigin(T);
    const cases: [unknown, string][] = [
      [{ url: "http://hooks.wise.example/hooks/x", eventTypes: ["class.started"] }, "url_not_https"],
      [{ url: "https://evil.example/hooks/x", eventTypes: ["class.started"] }, "url_origin_not_allowed"],
      [{ url: `${HOOKS}/hooks/${"a".repeat(2100)}`, eventTypes: ["class.started"] }, "url_too_long"],
      [{ url: `${HOOKS}/hooks/x`, eventTypes: ["class.started", "class.exploded"] }, "unknown_event_type"],
      [{ url: `${HOOKS}/hooks/x`, eventTypes: [] }, "invalid_request"],
    ];
    for (const [body, code] of cases) {
      const res = await api("POST", "/v1/events/subscriptions", body);
      expect(res.status, code).toBe(400);
      expect(res.headers.get("content-type")).toContain("application/problem+json");
      expect(res.body.code).toBe(code);
    }
    expect(await count("event_subscriptions")).toBe(0);
    // Without configured origins nothing is accepted at all.
    const bare = await api(
      "POST",
      "/v1/events/subscriptions",
      { url: `${HOOKS}/x`, eventTypes: ["class.started"] },
      {
        tenant: "tenant-b",
      },
    );
    expect(bare.body.code).toBe("url_origin_not_allowed");
  });

  it("refuses a bad URL or type on change too, leaving the subscription as it was", async () => {
    const { id } = await subscribe(T, "wise", ["class.started"]);
    for (const body of [
      { url: "http://hooks.wise.example/hooks/x" },
      { url: "https://evil.example/x" },
      { eventTypes: ["class.started", "nope"] },
      { enabled: "yes" },
    ]) {
      expect((await api("PATCH", `/v1/events/subscriptions/${id}`, body)).status).toBe(400);
    }
    const got = await api("GET", `/v1/events/subscriptions/${id}`);
    expect(got.body).toMatchObject({
      url: `${HOOKS}/hooks/wise`,
      eventTypes: ["class.started"],
      enabled: true,
    });
  });

  it("allows at most 10 subscriptions per tenant", async () => {
    await allowHooksOrigin(T);
    for (let i = 0; i < 10; i++) {
      const res = await api("POST", "/v1/events/subscriptions", {
        url: `${HOOKS}/hooks/${i}`,
        eventTypes: ["class.started"],
      });
      expect(res.status).toBe(201);
    }
    const over = await api("POST", "/v1/events/subscriptions", {
      url: `${HOOKS}/hooks/x`,
      eventTypes: ["class.started"],
    });
    expect(over.status).toBe(409);
    expect(over.body.code).toBe("too_many_subscriptions");
    expect(await count("event_subscriptions")).toBe(10);
  });

  it("refuses private and loopback addresses in production, even on a configured origin", async () => {
    const headers = {
      ...(await bearer({ tenant: T, role: "admin", sub: "a-1" })),
      "content-type": "application/json",
    };
    const prod = { ENVIRONMENT: "production" };
    const send = (path: string, method: string, body: unknown) =>
      fetchAndSettle(new Request(`${BASE}${path}`, { method, headers, body: JSON.stringify(body) }), prod);
    const origins = ["https://10.0.0.7", "https://127.0.0.1", "https://[::1]", "https://169.254.169.254"];
    expect((await send("/v1/tenant", "PATCH", { webhookOrigins: origins })).status).toBe(200);
    for (const origin of origins) {
      const res = await send("/v1/events/subscriptions", "POST", {
        url: `${origin}/hook`,
        eventTypes: ["class.started"],
      });
      expect(res.status, origin).toBe(400);
      expect(((await res.json()) as { code: string }).code).toBe("url_private_address");
    }
    expect(await count("event_subscriptions")).toBe(0);
  });

  it("publishes every event type's versioned schema in the OpenAPI document's webhooks", async () => {
    const doc = (await (await fetchAndSettle(new Request(`${BASE}/openapi.json`))).json()) as {
      openapi: string;
      webhooks: Record<string, { post: { requestBody: { content: Record<string, { schema: unknown }> } } }>;
    };
    expect(doc.openapi).toBe("3.1.0");
    expect(Object.keys(doc.webhooks).sort()).toEqual(
      [
        "class.ended",
        "class.started",
        "recording.archived",
        "recording.deleted_from_zoom",
        "recording.failed",
        "storage.low",
        "teacher.status_changed",
        "zoom.link.needs_relink",
        "zoom.link.unlinked",
      ].sort(),
    );
    expect(JSON.stringify(doc.webhooks["recording.archived"]?.post.requestBody.content)).toContain(
      "playbackLinkRoute",
    );
  });
});

describe("delivery", () => {
  it("signs with Standard Webhooks, verified by the library, and a duplicated message sends once", async () => {
    const { secret } = await subscribe(T, "wise", ["class.started"]);
    const id = await emitted();
    const fanout = q.messages.slice();
    await pump(q);
    // The same fan-out and the same delivery message again (a queue redelivery): nothing more is sent.
    q.messages.push(...fanout);
    await pump(q);
    const got = await received("wise");
    expect(got).toHaveLength(1);
    const [r] = got as [Received];
    expect(r).toMatchObject({
      webhookId: id,
      verifiedSecrets: 1,
      type: "class.started",
      answeredStatus: 204,
    });
    expect(verify(secret, r)).toMatchObject({ type: "class.started", id, data: { classId: "class-1" } });
    expect(() => verify(`whsec_${btoa("x".repeat(32))}`, r)).toThrow();
    expect(await deliveryRow(id)).toMatchObject({ status: "delivered", attempts: 1, last_status: 204 });
  });

  it("retries a 500 with backoff under the same webhook-id, and delivers once the endpoint recovers", async () => {
    const { secret, id: sub } = await subscribe(T, "wise", ["class.started"]);
    await receiverMode("wise", [secret], "fail");
    const id = await emitted();
    await pump(q);
    expect(await deliveryRow(id)).toMatchObject({ status: "pending", attempts: 1, last_status: 500 });
    const [retry] = q.messages;
    expect(retry?.delaySeconds).toBeGreaterThanOrEqual(15);
    expect(retry?.delaySeconds).toBeLessThanOrEqual(30);
    await receiverMode("wise", [secret]);
    await age(id, 0);
    await pump(q, { all: true });
    const got = await received("wise");
    expect(got.map((r) => [r.webhookId, r.answeredStatus])).toEqual([
      [id, 500],
      [id, 204],
    ]);
    const history = await api<{ deliveries: { eventId: string; status: string; attempts: number }[] }>(
      "GET",
      `/v1/events/subscriptions/${sub}/deliveries`,
    );
    expect(history.body.deliveries).toMatchObject([{ eventId: id, status: "delivered", attempts: 2 }]);
  });

  it("gives up on an answer slower than the timeout and tries again later", async () => {
    const { secret } = await subscribe(T, "wise", ["class.started"]);
    await receiverMode("wise", [secret], "slow", 2500);
    const id = await emitted();
    const started = Date.now();
    await pump(q);
    expect(Date.now() - started).toBeLessThan(2400);
    expect(await deliveryRow(id)).toMatchObject({
      status: "pending",
      last_status: null,
      last_error: "no answer within 1000 ms",
    });
    expect(q.messages).toHaveLength(1);
  });

  it("never follows a redirect", async () => {
    const { secret } = await subscribe(T, "wise", ["class.started"]);
    await receiverMode("wise", [secret], "redirect");
    await receiverMode("wise-moved", [secret]);
    const id = await emitted();
    await pump(q);
    expect(await received("wise")).toHaveLength(1);
    expect(await received("wise-moved")).toHaveLength(0);
    expect(await deliveryRow(id)).toMatchObject({
      status: "pending",
      last_status: 307,
      last_error: "redirect not followed",
    });
  });

  it("turns the subscription off on 410 and sends it nothing more", async () => {
    const { secret, id: sub } = await subscribe(T, "wise", ["class.started"]);
    await receiverMode("wise", [secret], "gone");
    const first = await emitted();
    await pump(q);
    expect(await deliveryRow(first)).toMatchObject({ status: "cancelled", last_status: 410 });
    expect(q.messages).toHaveLength(0);
    const got = await api<{ enabled: boolean; disabledReason: string }>(
      "GET",
      `/v1/events/subscriptions/${sub}`,
    );
    expect(got.body).toMatchObject({ enabled: false, disabledReason: "endpoint answered 410 Gone" });
    await receiverMode("wise", [secret]);
    await emitted("class.started", "second");
    await pump(q);
    expect(await received("wise")).toHaveLength(1);
    expect(await count("event_deliveries")).toBe(1);
  });

  it("keeps retrying through an hour of downtime and delivers when the endpoint is back; dead after 24 hours", async () => {
    const { secret } = await subscribe(T, "wise", ["class.started"]);
    await receiverMode("wise", [secret], "down");
    const id = await emitted();
    await pump(q);
    for (const hoursAgo of [0.25, 0.5, 1]) {
      await age(id, hoursAgo);
      await pump(q, { all: true });
      expect((await deliveryRow(id))?.status).toBe("pending");
    }
    await receiverMode("wise", [secret]);
    await age(id, 1.1);
    await pump(q, { all: true });
    expect(await deliveryRow(id)).toMatchObject({ status: "delivered", attempts: 5 });
    expect((await received("wise")).filter((r) => r.answeredStatus === 204).map((r) => r.webhookId)).toEqual([
      id,
    ]);

    // Down for longer than the retry window: the delivery is dead, and says why.
    await receiverMode("wise", [secret], "down");
    const late = await emitted("class.started", "late");
    await pump(q);
    await age(late, 24.1);
    await pump(q, { all: true });
    expect(await deliveryRow(late)).toMatchObject({ status: "dead", last_status: 503 });
    expect(q.messages).toHaveLength(0);
  });

  it("writes no event for a tenant without subscriptions", async () => {
    await emitEvent(testEnv({ ARCHIVE_QUEUE: q }), database(env.DB), {
      tenantId: "tenant-b",
      type: "class.started",
      data: { classId: "class-1", zoomMeetingId: "123", meetingUuid: null },
    });
    expect(await count("outbound_events")).toBe(0);
    expect(q.messages).toHaveLength(0);
  });

  it("still delivers when the Worker died between the state change and the queue send", async () => {
    await subscribe(T, "wise", ["class.started"]);
    const broken = {
      send: async () => {
        throw new Error("worker evicted");
      },
      sendBatch: async () => {
        throw new Error("worker evicted");
      },
    };
    await emitEvent(testEnv({ ARCHIVE_QUEUE: broken }), database(env.DB), {
      tenantId: T,
      type: "class.started",
      data: { classId: "class-1", zoomMeetingId: "123", meetingUuid: null },
    });
    const [event] = await rows<{ id: string; dispatched_at: number | null }>("SELECT * FROM outbound_events");
    expect(event?.dispatched_at).toBeNull();
    await env.DB.prepare("UPDATE outbound_events SET created_at = created_at - 11 * 60000").run();
    await runMaintenance(testEnv({ ARCHIVE_QUEUE: q }));
    await pump(q);
    expect((await received("wise")).map((r) => [r.webhookId, r.verifiedSecrets])).toEqual([[event?.id, 1]]);
    // A delivery whose queued attempt was lost is sent again by the next night too.
    await subscribe(T, "second", ["class.started"]);
    const again = await emitted("class.started", "again");
    q.take();
    await env.DB.prepare("UPDATE outbound_events SET created_at = created_at - 11 * 60000").run();
    await runMaintenance(testEnv({ ARCHIVE_QUEUE: q }));
    await pump(q);
    expect((await received("second")).map((r) => r.webhookId)).toEqual([again]);
  });

  it("signs with both secrets during a rotation's overlap, then with the new one only", async () => {
    const { id: sub, secret: old } = await subscribe(T, "wise", ["class.started"]);
    const rotated = await api<{ secret: string; subscription: { previousSecretExpiresAt: string } }>(
      "POST",
      `/v1/events/subscriptions/${sub}/rotate-secret`,
      { overlapSeconds: 3600 },
    );
    expect(rotated.status).toBe(200);
    const fresh = rotated.body.secret;
    expect(fresh).not.toBe(old);
    expect(Date.parse(rotated.body.subscription.previousSecretExpiresAt)).toBeGreaterThan(Date.now());
    // Wise has not switched yet: its receiver knows only the old secret.
    await receiverMode("wise", [old]);
    await emitted();
    await pump(q);
    const [during] = (await received("wise")) as [Received];
    expect(during.signature?.split(" ")).toHaveLength(2);
    expect(during.verifiedSecrets).toBe(1);
    expect(() => verify(old, during)).not.toThrow();
    expect(() => verify(fresh, during)).not.toThrow();

    await env.DB.prepare("UPDATE event_subscriptions SET previous_secret_until = ?")
      .bind(Date.now() - 1)
      .run();
    await clearReceiver();
    await receiverMode("wise", [old, fresh]);
    await emitted("class.started", "after");
    await pump(q);
    const [after] = (await received("wise")) as [Received];
    expect(after.signature?.split(" ")).toHaveLength(1);
    expect(() => verify(fresh, after)).not.toThrow();
    expect(() => verify(old, after)).toThrow();
  });

  it("sends nothing to an endpoint whose origin the admin removed from webhookOrigins", async () => {
    await subscribe(T, "wise", ["class.started"]);
    expect(
      (await api("PATCH", "/v1/tenant", { webhookOrigins: ["https://other.wise.example"] })).status,
    ).toBe(200);
    await emitted();
    await pump(q);
    expect(await received("wise")).toHaveLength(0);
    expect(await count("event_deliveries")).toBe(0);
  });

  it("drops finished deliveries and their events after 30 days, keeping pending ones", async () => {
    const { secret } = await subscribe(T, "wise", ["class.started"]);
    const done = await emitted("class.started", "done");
    await pump(q);
    await receiverMode("wise", [secret], "down");
    const pending = await emitted("class.started", "pending");
    await pump(q);
    q.take();
    const old = Date.now() - 31 * 86_400_000;
    await env.DB.prepare("UPDATE event_deliveries SET created_at = ?, next_attempt_at = ?")
      .bind(old, Date.now() + 3600_000)
      .run();
    await env.DB.prepare("UPDATE outbound_events SET created_at = ?, dispatched_at = ?").bind(old, old).run();
    await runMaintenance(testEnv({ ARCHIVE_QUEUE: q }));
    expect((await rows<{ id: string }>("SELECT id FROM outbound_events")).map((r) => r.id)).toEqual([
      pending,
    ]);
    expect(
      (await rows<{ event_id: string }>("SELECT event_id FROM event_deliveries")).map((r) => r.event_id),
    ).toEqual([pending]);
    expect(done).not.toBe(pending);
  });

  it("re-seals secrets under the current vault key at night, and they still sign", async () => {
    const { id: sub, secret } = await subscribe(T, "wise", ["class.started"]);
    // Sealed under the older key of the ring (t1), as before a key rotation.
    const keys = loadConfig(env).tokenKeys;
    const older = new TokenVault([...keys].reverse());
    const ctx = { tenantId: T, zoomAccountId: "-", field: `event_secret:${sub}` };
    await env.DB.prepare("UPDATE event_subscriptions SET secret_enc = ?")
      .bind(await older.encrypt(secret, ctx))
      .run();
    await runMaintenance(testEnv({ ARCHIVE_QUEUE: q }));
    const [row] = await rows<{ secret_enc: string }>("SELECT secret_enc FROM event_subscriptions");
    expect(TokenVault.keyIdOf(row?.secret_enc ?? "")).toBe(keys[0]?.id);
    await emitted();
    await pump(q);
    expect((await received("wise")).map((r) => r.verifiedSecrets)).toEqual([1]);
  });

  it("replays one event, or a time range, under the same webhook-id", async () => {
    const { id: sub } = await subscribe(T, "wise", ["class.started"]);
    const a = await emitted("class.started", "a");
    const b = await emitted("class.started", "b");
    await pump(q);
    expect((await received("wise")).map((r) => r.webhookId).sort()).toEqual([a, b].sort());
    const one = await apiWithQueue(q, "POST", `/v1/events/subscriptions/${sub}/replay`, { eventId: a });
    expect(one.status).toBe(202);
    expect(one.body).toMatchObject({ queued: 1 });
    await pump(q);
    const range = await apiWithQueue(q, "POST", `/v1/events/subscriptions/${sub}/replay`, {
      from: new Date(Date.now() - 60_000).toISOString(),
      to: new Date().toISOString(),
    });
    expect(range.body).toMatchObject({ queued: 2, truncated: false });
    await pump(q);
    const ids = (await received("wise")).map((r) => r.webhookId);
    expect(ids.filter((i) => i === a)).toHaveLength(3);
    expect(ids.filter((i) => i === b)).toHaveLength(2);
    expect(
      (await apiWithQueue(q, "POST", `/v1/events/subscriptions/${sub}/replay`, { eventId: "msg_nope" }))
        .status,
    ).toBe(404);
    expect(
      (
        await apiWithQueue(q, "POST", `/v1/events/subscriptions/${sub}/replay`, {
          from: "2026-12-02T00:00:00Z",
          to: "2026-12-01T00:00:00Z",
        })
      ).status,
    ).toBe(400);
  });
});

describe("logs", () => {
  it("never hold a subscription secret, across creation, rotation, failed and successful deliveries", async () => {
    const lines: string[] = [];
    for (const level of ["log", "info", "warn", "error", "debug"] as const) {
      vi.spyOn(console, level).mockImplementation((...args: unknown[]) => {
        lines.push(args.map(String).join(" "));
      });
    }
    const { id: sub, secret } = await subscribe(T, "wise", ["class.started"]);
    const rotated = await api<{ secret: string }>(
      "POST",
      `/v1/events/subscriptions/${sub}/rotate-secret`,
      {},
    );
    await receiverMode("wise", [rotated.body.secret], "fail");
    const id = await emitted();
    await pump(q);
    await receiverMode("wise", [rotated.body.secret], "gone");
    await age(id, 25);
    await pump(q, { all: true });
    vi.restoreAllMocks();
    expect(lines.length).toBeGreaterThan(0);
    for (const s of [secret, rotated.body.secret]) {
      const raw = s.slice("whsec_".length);
      expect(lines.join("\n")).not.toContain(raw);
      expect(lines.join("\n")).not.toContain(raw.slice(0, 16));
    }
  });
});

describe("console", () => {
  it("shows subscriptions with their recent deliveries and a replay button, from its same-origin script", async () => {
    const page = await fetchAndSettle(new Request(`${BASE}/console`));
    const html = await page.text();
    expect(html).toContain("Events to Wise");
    expect(html).toMatch(/<form id="subscription-form"/);
    // No inline script: the page loads only its own file (CSP script-src 'self' plus a nonce).
    expect(html).not.toMatch(/<script(?![^>]*\bsrc=)[^>]*>/);
    const js = await (await fetchAndSettle(new Request(`${BASE}/console/console.js`))).text();
    for (const part of [
      "/v1/events/subscriptions",
      "/deliveries?limit=10",
      "/replay",
      "/rotate-secret",
      "data-replay",
    ])
      expect(js).toContain(part);
    expect(js).not.toContain("innerHTML");
  });
});
