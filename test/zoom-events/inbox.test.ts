// Zoom's webhook work is never lost: a delivery is stored and queued before it is acknowledged, its
// handler runs from the queue with retries, it is marked processed only when the handler succeeded,
// the nightly run re-queues what is left and catches up on what a lost webhook would have said; and
// the webhook secret rotates with a window in which the previous secret still verifies.
import { createExecutionContext, createScheduledController, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { afterEach, beforeEach, describe, expect, it, vi } from "vitest";
import worker from "../../src/index.ts";
import { count, rows } from "../helpers/api.ts";
import { BASE } from "../helpers/app.ts";
import { createClass } from "../helpers/classes.ts";
import { hmacHex, signedHeaders } from "../helpers/webhook-signing.ts";
import {
  addFault,
  advanceZoomClock,
  consumeOne,
  type Delivery,
  deliver,
  emulator,
  fetchAndSettle,
  freshStart,
  linkStatus,
  linkZoom,
  MessageCapture,
  outbox,
} from "../helpers/zoom.ts";

const SECRET = env.ZOOM_WEBHOOK_SECRET ?? "";

function post(d: Pick<Delivery, "headers" | "body">, overrides: Record<string, unknown> = {}) {
  return fetchAndSettle(
    new Request(`${BASE}/webhooks/zoom`, { method: "POST", headers: d.headers, body: d.body }),
    overrides,
  );
}

async function endedMeeting() {
  const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
  await emulator(`/meetings/${cls.meetingId}/simulate`, { participants: [{ name: "Kim" }] });
  const ended = (await outbox()).find((d) => d.event === "meeting.ended");
  if (!ended) throw new Error("no meeting.ended");
  return { cls, ended };
}

const inbox = () =>
  rows<{ event: string; processed_at: number | null; attempts: number; last_error: string | null }>(
    "SELECT event, processed_at, attempts, last_error FROM webhook_deliveries",
  );

beforeEach(async () => {
  await freshStart();
});

afterEach(() => {
  vi.useRealTimers();
});

/** Moves Zoom's clock on and ours with it (only Date), so signatures stay within our 5-minute window. */
async function advanceBothClocks(seconds: number) {
  const { nowMs } = await advanceZoomClock(seconds);
  vi.useFakeTimers({ toFake: ["Date"] });
  vi.setSystemTime(nowMs as number);
}

describe("the inbox", () => {
  it("acknowledges only once the event is queued; a handler that fails once is retried and its effect happens once", async () => {
    const { cls, ended } = await endedMeeting();
    const queue = new MessageCapture();
    const res = await post(ended, { ARCHIVE_QUEUE: queue });
    expect(await res.json()).toEqual({ status: "accepted" });
    const [message] = queue.take();
    expect(message).toMatchObject({ kind: "zoom-event" });
    // Nothing happened yet: the handler runs from the queue.
    expect((await inbox())[0]).toMatchObject({ event: "meeting.ended", processed_at: null });
    expect(await count("class_sessions")).toBe(0);

    // Zoom's attendance report fails once (a refusal the client does not retry): the handler throws.
    await addFault({ operation: "past_meetings.get", times: 1, status: 400, zoomCode: 300, message: "busy" });
    const first = await consumeOne(message, 1);
    expect(first.retryMessages).toHaveLength(1);
    expect(first.explicitAcks).toHaveLength(0);
    expect((await inbox())[0]).toMatchObject({ processed_at: null, attempts: 1 });
    expect((await inbox())[0]?.last_error).toBeTruthy();
    expect(await count("class_sessions")).toBe(0);

    const second = await consumeOne(message, 2);
    expect(second.explicitAcks).toHaveLength(1);
    expect((await inbox())[0]?.processed_at).toBeGreaterThan(0);
    expect(await count("class_sessions")).toBe(1);
    const status = await rows<{ status: string }>(
      "SELECT status FROM classes WHERE class_id = ?",
      cls.classId,
    );
    expect(status[0]?.status).toBe("ended");

    // The same message again (the Queue delivers at least once) and Zoom's re-sent delivery: nothing twice.
    const fetchedAt = await rows("SELECT fetched_at FROM class_sessions");
    expect((await consumeOne(message, 1)).explicitAcks).toHaveLength(1);
    const resent = await post(
      { ...ended, headers: await signedHeaders(ended.body) },
      { ARCHIVE_QUEUE: queue },
    );
    expect(await resent.json()).toEqual({ status: "duplicate" });
    expect(queue.take()).toEqual([]);
    expect(await rows("SELECT fetched_at FROM class_sessions")).toEqual(fetchedAt);
  });

  it("a delivery whose queue send fails gets a 5xx, and Zoom's retry at +5 minutes is queued", async () => {
    await linkZoom("tenant-a");
    await emulator("/deauthorize", { accountId: "emuAcctA1" });
    const down = {
      send: async () => {
        throw new Error("queue unavailable");
      },
      sendBatch: async () => {
        throw new Error("queue unavailable");
      },
    };
    const [removal] = (
      await emulator<{ deliveries: (Delivery & { id: string })[] }>("/webhooks/due", undefined, "GET")
    ).deliveries.filter((d) => d.event === "app_deauthorized");
    if (!removal) throw new Error("no due app_deauthorized");
    const failed = await post(removal, { ARCHIVE_QUEUE: down });
    expect(failed.status).toBe(500);
    await emulator(`/webhooks/${removal.id}/answer`, { status: failed.status });
    expect((await linkStatus("tenant-a")).status).toBe("linked");

    // Zoom tries again five minutes later.
    await advanceBothClocks(300);
    const due = (await emulator<{ deliveries: Delivery[] }>("/webhooks/due", undefined, "GET")).deliveries;
    expect(due.map((d) => d.event)).toEqual(["app_deauthorized"]);
    const retried = await deliver(due[0] as Delivery);
    expect(await retried.json()).toEqual({ status: "accepted" });
    expect((await linkStatus("tenant-a")).status).toBe("unlinked");
  });

  it("keeps the download_token sealed, never in the stored event", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
    const sim = await emulator<{ recording: { downloadToken: string } }>(
      `/meetings/${cls.meetingId}/simulate`,
      {
        recording: { files: [{ fileType: "MP4", sample: true }] },
      },
    );
    const completed = (await outbox()).find((d) => d.event === "recording.completed");
    if (!completed) throw new Error("no recording.completed");
    await post(completed, { ARCHIVE_QUEUE: new MessageCapture() });
    const [row] = await rows<{ payload: string; download_token_enc: string }>(
      "SELECT payload, download_token_enc FROM webhook_deliveries",
    );
    expect(row?.payload).not.toContain(sim.recording.downloadToken);
    expect(row?.download_token_enc).toBeTruthy();
    expect(row?.download_token_enc).not.toContain(sim.recording.downloadToken);
  });

  it("an event whose sealed download token can no longer be read is handled without it", async () => {
    const cls = await createClass("tenant-a", { startTime: Date.now() - 3600_000 });
    await emulator(`/meetings/${cls.meetingId}/simulate`, {
      recording: { files: [{ fileType: "MP4", sample: true }] },
    });
    const completed = (await outbox()).find((d) => d.event === "recording.completed");
    if (!completed) throw new Error("no recording.completed");
    const queue = new MessageCapture();
    await post(completed, { ARCHIVE_QUEUE: queue });
    const [message] = queue.take();
    // The key that sealed it (t2) was retired from the ring meanwhile.
    const withoutT2 = (env.TOKEN_ENCRYPTION_KEYS ?? "").split(",").filter((k) => !k.startsWith("t2:"));
    const newKey = "t3:cm90YXRpb24ta2V5LW51bWJlci10aHJlZS0zMmJ5dGU=";
    const result = await consumeOne(message, 1, {
      TOKEN_ENCRYPTION_KEYS: [newKey, ...withoutT2].join(","),
      ARCHIVE_QUEUE: queue,
    });
    expect(result.explicitAcks).toHaveLength(1);
    expect(await count("recording_files")).toBe(1);
    expect(queue.take()).toMatchObject([{ kind: "archive-file" }]);
  });
});

async function runCron(queue: MessageCapture) {
  const ctx = createExecutionContext();
  await worker.scheduled(
    createScheduledController({ cron: "0 3 * * *" }),
    // The capture has the producer methods the product uses, not the whole Queue interface.
    { ...env, ARCHIVE_QUEUE: queue } as unknown as typeof env,
    ctx,
  );
  await waitOnExecutionContext(ctx);
}

describe("the nightly catch-up", () => {
  it("queues again an event whose queue message was lost", async () => {
    const { ended } = await endedMeeting();
    await post(ended, { ARCHIVE_QUEUE: new MessageCapture() }); // its message is lost
    await rows("UPDATE webhook_deliveries SET received_at = received_at - 3600000");
    const queue = new MessageCapture();
    await runCron(queue);
    const again = queue.take().filter((m) => (m as { kind?: string }).kind === "zoom-event");
    expect(again).toHaveLength(1);
    expect((await consumeOne(again[0], 1)).explicitAcks).toHaveLength(1);
    expect(await count("class_sessions")).toBe(1);
  });

  it("finds what lost webhooks would have said: attendance, users, and the app removed in Zoom", async () => {
    const { cls } = await endedMeeting();
    await rows(
      "INSERT INTO teachers (tenant_id, wise_user_id, zoom_user_id, email, status, licensed) VALUES ('tenant-a', 't-9', 'Tq1vN7yUQiK2bXcE4sHf9w', 'teacher1@school-a.example', 'active', 1)",
    );
    const token = (await emulator<{ validTokens: { access: string[] } }>("/stats", undefined, "GET"))
      .validTokens.access[0];
    await fetch("https://api.zoom.us/v2/users/Tq1vN7yUQiK2bXcE4sHf9w/status", {
      method: "PUT",
      headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
      body: JSON.stringify({ action: "deactivate" }),
    });
    // None of Zoom's events (meeting.ended, user.deactivated) reached us.
    const queue = new MessageCapture();
    await runCron(queue);
    const catchUp = queue.take().find((m) => (m as { kind?: string }).kind === "zoom-catch-up");
    expect(catchUp).toEqual({ kind: "zoom-catch-up", tenantId: "tenant-a" });
    expect((await consumeOne(catchUp, 1)).explicitAcks).toHaveLength(1);
    expect(await rows("SELECT class_id FROM class_sessions")).toEqual([{ class_id: cls.classId }]);
    expect(await rows("SELECT status FROM teachers WHERE wise_user_id = 't-9'")).toEqual([
      { status: "inactive" },
    ]);

    // The app removed in Zoom and its app_deauthorized lost: the next catch-up finds the link dead.
    await emulator("/deauthorize", { accountId: "emuAcctA1" });
    expect((await consumeOne(catchUp, 1)).explicitAcks).toHaveLength(1);
    expect((await linkStatus("tenant-a")).status).toBe("needs_relink");
  });
});

describe("webhook secret rotation", () => {
  const rotated = (until?: string) => ({
    ZOOM_WEBHOOK_SECRET: "rotated-webhook-secret",
    ZOOM_WEBHOOK_SECRET_PREVIOUS: SECRET,
    ...(until ? { ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL: until } : {}),
  });

  it("re-validation every 72 hours is answered with the current secret", async () => {
    await emulator("/config", { webhook: { secretToken: "rotated-webhook-secret" } });
    await advanceBothClocks(72 * 3600);
    const due = (
      await emulator<{ deliveries: (Delivery & { id: string })[] }>("/webhooks/due", undefined, "GET")
    ).deliveries;
    const challenge = due.find((d) => d.event === "endpoint.url_validation");
    if (!challenge) throw new Error("no re-validation");
    const res = await post(challenge, rotated());
    expect(res.status).toBe(200);
    const answer = await res.text();
    await emulator(`/webhooks/${challenge.id}/answer`, { status: 200, body: answer });
    const config = await emulator<{ webhook: { validated?: boolean } }>("/config", undefined, "GET");
    expect(config.webhook.validated).toBe(true);
    const plainToken = (JSON.parse(challenge.body) as { payload: { plainToken: string } }).payload.plainToken;
    expect(JSON.parse(answer).encryptedToken).toBe(await hmacHex("rotated-webhook-secret", plainToken));
  });

  it("a product still on the old secret fails re-validation, and Zoom then sends it nothing", async () => {
    await emulator("/config", { webhook: { secretToken: "rotated-webhook-secret" } });
    await advanceBothClocks(72 * 3600);
    const challenge = (
      await emulator<{ deliveries: (Delivery & { id: string })[] }>("/webhooks/due", undefined, "GET")
    ).deliveries.find((d) => d.event === "endpoint.url_validation");
    if (!challenge) throw new Error("no re-validation");
    // Signed with the new secret, which this product does not know yet.
    expect((await post(challenge)).status).toBe(401);
    await emulator(`/webhooks/${challenge.id}/answer`, { status: 401 });
    await emulator("/deauthorize", { accountId: "emuAcctA1" });
    const due = (await emulator<{ deliveries: Delivery[] }>("/webhooks/due", undefined, "GET")).deliveries;
    expect(due).toEqual([]);
  });

  it("a delivery signed with the old secret passes during the window and fails after it", async () => {
    await linkZoom("tenant-a");
    const body = JSON.stringify({
      event: "user.updated",
      event_ts: Date.now(),
      payload: { account_id: "emuAcctA1", object: { id: "Tq1vN7yUQiK2bXcE4sHf9w", type: 2 } },
    });
    const headers = await signedHeaders(body, undefined, SECRET);
    const tomorrow = new Date(Date.now() + 86_400_000).toISOString();
    const yesterday = new Date(Date.now() - 86_400_000).toISOString();
    const queue = new MessageCapture();
    expect((await post({ headers, body }, { ...rotated(tomorrow), ARCHIVE_QUEUE: queue })).status).toBe(200);
    expect((await post({ headers, body }, { ...rotated(), ARCHIVE_QUEUE: queue })).status).toBe(200);
    await rows("DELETE FROM webhook_deliveries");
    const after = await post({ headers, body }, { ...rotated(yesterday), ARCHIVE_QUEUE: queue });
    expect(after.status).toBe(401);
    const removed = await post({ headers, body }, { ZOOM_WEBHOOK_SECRET: "rotated-webhook-secret" });
    expect(removed.status).toBe(401);
    expect(await count("webhook_deliveries")).toBe(0);
    // The new secret verifies throughout.
    const fresh = await signedHeaders(body, undefined, "rotated-webhook-secret");
    expect(
      (await post({ headers: fresh, body }, { ...rotated(yesterday), ARCHIVE_QUEUE: queue })).status,
    ).toBe(200);
  });

  it("a malformed rotation window is a configuration error", async () => {
    const res = await post(
      { headers: await signedHeaders("{}"), body: "{}" },
      { ...rotated("next tuesday") },
    );
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "misconfigured" });
  });
});

it("unknown events are acknowledged and stored as done", async () => {
  const body = JSON.stringify({
    event: "meeting.chat_message_sent",
    event_ts: 1,
    payload: { account_id: "x" },
  });
  const queue = new MessageCapture();
  const res = await post({ headers: await signedHeaders(body), body }, { ARCHIVE_QUEUE: queue });
  expect(await res.json()).toEqual({ status: "ignored" });
  expect(queue.take()).toEqual([]);
  expect(await rows("SELECT event, processed_at > 0 AS done FROM webhook_deliveries")).toEqual([
    { event: "meeting.chat_message_sent", done: 1 },
  ]);
});
