// Webhooks: Zoom's signature and URL-validation answer, the outbox, the event sequence of a
// simulated meeting, user events and app deauthorization.
import { beforeEach, describe, expect, it } from "vitest";
import {
  advance,
  api,
  authorize,
  control,
  createMeeting,
  type Delivery,
  deliveries,
  reset,
  simulate,
} from "./helpers.ts";

const SECRET = "wise-local-webhook-secret";

async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const sig = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return Array.from(sig, (b) => b.toString(16).padStart(2, "0")).join("");
}

async function expectSigned(d: Delivery, secret = SECRET) {
  const ts = d.headers["x-zm-request-timestamp"] as string;
  expect(d.headers["content-type"]).toBe("application/json");
  expect(d.headers["x-zm-signature"]).toBe(`v0=${await hmacHex(secret, `v0:${ts}:${d.body}`)}`);
}

let token = "";
beforeEach(async () => {
  await reset();
  token = (await authorize()).access_token;
});

describe("signatures", () => {
  it("matches the url_validation test vector", async () => {
    expect(await hmacHex("test_secret_token_123", "qgg8vlvZRS6UYooatFL8Aw")).toBe(
      "2b5cfb77819cee95afa1a1521bcd4b88c3aacdd939430efc23bc041cbecf816e",
    );
    await control("/config", { webhook: { secretToken: "test_secret_token_123" } });
    const { delivery } = await control<{ delivery: Delivery }>("/webhooks/validate");
    await expectSigned(delivery, "test_secret_token_123");
    const plainToken = (JSON.parse(delivery.body) as { payload: { plainToken: string } }).payload.plainToken;
    const good = await control<{ valid: boolean }>("/webhooks/validate/check", {
      deliveryId: delivery.id,
      response: { plainToken, encryptedToken: await hmacHex("test_secret_token_123", plainToken) },
    });
    expect(good.valid).toBe(true);
    const bad = await control<{ valid: boolean }>("/webhooks/validate/check", {
      deliveryId: delivery.id,
      response: { plainToken, encryptedToken: await hmacHex("other", plainToken) },
    });
    expect(bad.valid).toBe(false);
  });

  it("stamps emulator time", async () => {
    await advance(3600);
    const { delivery } = await control<{ delivery: Delivery }>("/webhooks/validate");
    const ts = Number(delivery.headers["x-zm-request-timestamp"]);
    expect(ts - Date.now() / 1000).toBeGreaterThan(3500);
  });
});

describe("simulate", () => {
  it("produces started, joined, left, ended and recording.completed, all signed", async () => {
    const m = await createMeeting(token, { settings: { approval_type: 0 } });
    const reg = (await (
      await api(token, `/meetings/${m.id}/registrants`, {
        method: "POST",
        body: { first_name: "Reg", last_name: "One", email: "reg@s.example" },
      })
    ).json()) as { registrant_id: string };
    await control("/webhooks", undefined, "DELETE");
    const s = await simulate(m.id, {
      participants: [{ registrantId: reg.registrant_id }, { name: "Walk In", email: "walk@s.example" }],
      durationMinutes: 30,
      recording: {},
    });
    const out = await deliveries();
    expect(out.map((d) => d.id)).toEqual(s.deliveries);
    expect(out.map((d) => d.event)).toEqual([
      "meeting.started",
      "meeting.participant_joined",
      "meeting.participant_joined",
      "meeting.participant_joined",
      "meeting.participant_left",
      "meeting.participant_left",
      "meeting.participant_left",
      "meeting.ended",
      "recording.completed",
    ]);
    for (const d of out) await expectSigned(d);
    const started = JSON.parse(out[0]?.body ?? "{}");
    expect(started.payload.object.id).toBe(String(m.id));
    expect(started.payload.object.uuid).toBe(s.uuid);
    const joined = JSON.parse(out[1 + 1]?.body ?? "{}");
    expect(joined.payload.object.participant.registrant_id).toBe(reg.registrant_id);
    expect(joined.payload.object.participant.user_name).toBe("Reg One");
    const completed = JSON.parse(out.at(-1)?.body ?? "{}");
    expect(completed.download_token).toBe(s.recording?.downloadToken);
    expect(completed.payload.account_id).toBe("emuAcctA1");
    expect(completed.payload.object).toMatchObject({
      id: m.id,
      uuid: s.uuid,
      host_email: "owner@school-a.example",
    });
    expect(completed.payload.object.recording_files).toHaveLength(6);
    expect(completed.payload.object.recording_count).toBe(6);
  });

  it("holds recording.completed back while processing", async () => {
    const m = await createMeeting(token);
    await control("/webhooks", undefined, "DELETE");
    const s = await simulate(m.id, { recording: {}, processing: true });
    expect((await deliveries()).map((d) => d.event)).not.toContain("recording.completed");
    const blocked = await fetch(s.recording?.files[0]?.download_url ?? "", {
      headers: { authorization: `Bearer ${token}` },
      redirect: "manual",
    });
    expect(blocked.status).toBe(404);
    await control(`/recordings/${encodeURIComponent(s.uuid)}/complete`);
    expect((await deliveries()).map((d) => d.event)).toContain("recording.completed");
  });
});

describe("events from API changes", () => {
  it("emits user events and meeting.deleted", async () => {
    const u = (await (
      await api(token, "/users", {
        method: "POST",
        body: {
          action: "custCreate",
          user_info: { email: "ev@school-a.example", type: 1, first_name: "Ev" },
        },
      })
    ).json()) as { id: string };
    await api(token, `/users/${u.id}`, { method: "PATCH", body: { first_name: "Eve" } });
    await api(token, `/users/${u.id}/status`, { method: "PUT", body: { action: "deactivate" } });
    await api(token, `/users/${u.id}`, { method: "DELETE" });
    const m = await createMeeting(token);
    await api(token, `/meetings/${m.id}`, { method: "DELETE" });
    const events = (await deliveries()).map((d) => d.event);
    expect(events).toEqual([
      "user.created",
      "user.updated",
      "user.deactivated",
      "user.disassociated",
      "meeting.deleted",
    ]);
    const updated = JSON.parse((await deliveries())[1]?.body ?? "{}");
    expect(updated.payload.object).toEqual({ id: u.id, first_name: "Eve" });
    expect(updated.payload.old_object).toEqual({ id: u.id, first_name: "Ev" });
  });
});

describe("deauthorize", () => {
  it("sends app_deauthorized and revokes the account's tokens", async () => {
    const { delivery } = await control<{ delivery: string }>("/deauthorize", { accountId: "emuAcctA1" });
    const d = (await deliveries()).find((x) => x.id === delivery);
    expect(d?.event).toBe("app_deauthorized");
    const body = JSON.parse(d?.body ?? "{}");
    expect(body.payload).toMatchObject({
      account_id: "emuAcctA1",
      user_id: "Qm3tWgkXRSmZ0aW1Jp7dAA",
      client_id: "wise-local-client",
    });
    expect(body.payload.signature).toMatch(/^[0-9a-f]{64}$/);
    expect(body.payload.deauthorization_time).toMatch(/Z$/);
    expect((await api(token, "/users/me")).status).toBe(401);
    const stats = await control<{ validTokens: { access: string[] } }>("/stats", undefined, "GET");
    expect(stats.validTokens.access).toEqual([]);
  });
});

interface TrackedDelivery extends Delivery {
  state: "pending" | "acknowledged" | "dropped";
  attempts: { at: number; status: number | string }[];
  nextAttemptAt?: number;
  deliveredStatus?: number | string;
  duplicateOf?: string;
}

const due = async () =>
  (await control<{ deliveries: TrackedDelivery[] }>("/webhooks/due", undefined, "GET")).deliveries;
const answer = (id: string, status: number | string, body?: string) =>
  control<{ delivery: TrackedDelivery }>(`/webhooks/${id}/answer`, { status, body });
const tracked = async () => (await deliveries()) as TrackedDelivery[];

describe("retries of unacknowledged deliveries", () => {
  it("retries at +5, +20 and +60 minutes, each signed again, then drops the event", async () => {
    const { delivery } = await control<{ delivery: string }>("/deauthorize", { accountId: "emuAcctA1" });
    expect((await due()).map((d) => d.id)).toEqual([delivery]);
    const first = (await due())[0] as TrackedDelivery;
    await answer(delivery, 500);
    expect(await due()).toEqual([]);
    for (const [minutes, status] of [
      [5, "timeout"],
      [20, 503],
      [60, 500],
    ] as const) {
      await advance(minutes * 60 - 5);
      expect(await due(), `not due before +${minutes} min`).toEqual([]);
      await advance(5);
      const retry = (await due())[0];
      expect(retry?.id).toBe(delivery);
      expect(retry?.body).toBe(first.body);
      expect(Number(retry?.headers["x-zm-request-timestamp"])).toBeGreaterThan(
        Number(first.headers["x-zm-request-timestamp"]),
      );
      await expectSigned(retry as TrackedDelivery);
      await answer(delivery, status);
    }
    const dropped = (await tracked()).find((d) => d.id === delivery);
    expect(dropped?.state).toBe("dropped");
    expect(dropped?.attempts.map((a) => a.status)).toEqual([500, "timeout", 503, 500]);
    await advance(24 * 3600);
    expect((await due()).map((d) => d.event)).not.toContain("app_deauthorized");
  });

  it("an acknowledged delivery is not sent again", async () => {
    const { delivery } = await control<{ delivery: string }>("/deauthorize", { accountId: "emuAcctA1" });
    expect((await answer(delivery, 200)).delivery.state).toBe("acknowledged");
    await advance(3600);
    expect(await due()).toEqual([]);
  });

  it("duplicates and reorders deliveries on request", async () => {
    const m = await createMeeting(token);
    await control("/webhooks", undefined, "DELETE");
    await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "One" } });
    await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "Two" } });
    const [a, b] = await tracked();
    if (!a || !b) throw new Error("two meeting.updated deliveries expected");
    const { delivery: copy } = await control<{ delivery: TrackedDelivery }>(`/webhooks/${a.id}/duplicate`);
    expect(copy).toMatchObject({ body: a.body, duplicateOf: a.id, state: "pending" });
    expect(copy.id).not.toBe(a.id);
    await expectSigned(copy);
    await control("/webhooks/reorder", { ids: [b.id, a.id, copy.id] });
    expect((await tracked()).map((d) => d.id)).toEqual([b.id, a.id, copy.id]);
    expect((await due()).map((d) => d.id)).toEqual([b.id, a.id, copy.id]);
  });
});

it("with a URL and hold, deliveries wait in the outbox until released, then are attempted in order", async () => {
  await control("/config", { webhook: { url: "http://127.0.0.1:9/webhooks/zoom", hold: true } });
  await control("/deauthorize", { accountId: "emuAcctA1" });
  const held = await tracked();
  expect(held.map((d) => [d.event, d.state, d.attempts.length])).toEqual([
    ["endpoint.url_validation", "pending", 0],
    ["app_deauthorized", "pending", 0],
  ]);
  await control("/webhooks/release");
  const sent = await tracked();
  // Nothing listens there: each got one failed attempt and a retry five minutes later.
  expect(sent.map((d) => d.attempts.length)).toEqual([1, 1]);
  const retry = sent[1];
  expect(retry?.state).toBe("pending");
  expect((retry?.nextAttemptAt ?? 0) - (retry?.attempts[0]?.at ?? 0)).toBe(5 * 60_000);
});

describe("URL validation every 72 hours", () => {
  const plainTokenOf = (d: Delivery) =>
    (JSON.parse(d.body) as { payload: { plainToken: string } }).payload.plainToken;

  it("validates again after 72 hours, with the current (rotated) secret", async () => {
    await advance(71 * 3600);
    expect((await deliveries()).map((d) => d.event)).not.toContain("endpoint.url_validation");
    await control("/config", { webhook: { secretToken: "rotated-secret" } });
    await advance(3600);
    const challenge = (await due()).find((d) => d.event === "endpoint.url_validation");
    if (!challenge) throw new Error("no re-validation after 72 hours");
    await expectSigned(challenge, "rotated-secret");
    const plainToken = plainTokenOf(challenge);
    const wrong = await answer(
      challenge.id,
      200,
      JSON.stringify({ plainToken, encryptedToken: await hmacHex(SECRET, plainToken) }),
    );
    expect(wrong.delivery.deliveredStatus).toBe("200 (wrong encryptedToken)");
    const config = await control<{ webhook: { validated?: boolean } }>("/config", undefined, "GET");
    expect(config.webhook.validated).toBe(false);

    // Three days on, the endpoint answers with the rotated secret and receives events again.
    await advance(72 * 3600);
    const again = (await due()).find((d) => d.event === "endpoint.url_validation");
    if (!again) throw new Error("no second re-validation");
    const token2 = plainTokenOf(again);
    await answer(
      again.id,
      200,
      JSON.stringify({ plainToken: token2, encryptedToken: await hmacHex("rotated-secret", token2) }),
    );
    const ok = await control<{ webhook: { validated?: boolean } }>("/config", undefined, "GET");
    expect(ok.webhook.validated).toBe(true);
    await control("/deauthorize", { accountId: "emuAcctA1" });
    expect((await due()).map((d) => d.event)).toContain("app_deauthorized");
  });

  it("an endpoint that fails validation receives no events", async () => {
    await advance(72 * 3600);
    const challenge = (await due()).find((d) => d.event === "endpoint.url_validation");
    if (!challenge) throw new Error("no re-validation");
    await answer(challenge.id, 500);
    const { delivery } = await control<{ delivery: string }>("/deauthorize", { accountId: "emuAcctA1" });
    expect(await due()).toEqual([]);
    const d = (await tracked()).find((x) => x.id === delivery);
    expect(d).toMatchObject({ state: "dropped", attempts: [] });
    expect(d?.deliveredStatus).toContain("failed URL validation");
  });

  it("with a URL that fails, the emulator itself stops delivering to it", async () => {
    // Nothing listens there: the challenge gets no answer, so validation fails.
    await control("/config", { webhook: { url: "http://127.0.0.1:9/webhooks/zoom" } });
    let config = await control<{ webhook: { validated?: boolean } }>("/config", undefined, "GET");
    for (let i = 0; i < 50 && config.webhook.validated === undefined; i++) {
      await new Promise((r) => setTimeout(r, 100));
      config = await control<{ webhook: { validated?: boolean } }>("/config", undefined, "GET");
    }
    expect(config.webhook.validated).toBe(false);
    const { delivery } = await control<{ delivery: string }>("/deauthorize", { accountId: "emuAcctA1" });
    const d = (await tracked()).find((x) => x.id === delivery);
    expect(d).toMatchObject({ state: "dropped", attempts: [] });
  });
});

describe("events made in Zoom", () => {
  it("an invited user accepting sends user.invitation_accepted", async () => {
    const created = (await (
      await api(token, "/users", {
        method: "POST",
        body: { action: "create", user_info: { email: "new@school-a.example", type: 1, first_name: "New" } },
      })
    ).json()) as { id: string };
    await control("/webhooks", undefined, "DELETE");
    await control(`/users/${created.id}/accept`);
    const [d] = await deliveries();
    expect(d?.event).toBe("user.invitation_accepted");
    expect(JSON.parse(d?.body ?? "{}").payload).toEqual({
      account_id: "emuAcctA1",
      object: { id: created.id, first_name: "New", last_name: "", email: "new@school-a.example", type: 1 },
    });
  });

  it("meeting.updated carries the changed fields, their old values and the time of the change", async () => {
    const m = await createMeeting(token);
    await control("/webhooks", undefined, "DELETE");
    await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "Geometry", duration: 60 } });
    // A future start: Zoom moves a past one to now.
    await control(`/meetings/${m.id}/edit`, { start_time: "2030-12-02T09:00:00Z" });
    await api(token, `/meetings/${m.id}`, { method: "PATCH", body: { topic: "Geometry" } });
    const out = await deliveries();
    expect(out.map((d) => d.event)).toEqual(["meeting.updated", "meeting.updated"]);
    const [api1, ui] = out.map((d) => JSON.parse(d.body).payload);
    expect(api1.object).toEqual({ id: m.id, uuid: m.uuid, topic: "Geometry", duration: 60 });
    expect(api1.old_object).toEqual({ id: m.id, uuid: m.uuid, topic: "Algebra", duration: 45 });
    expect(api1.operator_id).toBe("Qm3tWgkXRSmZ0aW1Jp7dAA");
    expect(ui.object).toEqual({ id: m.id, uuid: m.uuid, start_time: "2030-12-02T09:00:00Z" });
    expect(ui.time_stamp).toBeGreaterThanOrEqual(api1.time_stamp);
  });

  it("a transcript finished later sends recording.transcript_completed with the transcript only", async () => {
    const m = await createMeeting(token);
    await control("/webhooks", undefined, "DELETE");
    const s = await simulate(m.id, {
      recording: {
        files: [{ fileType: "MP4", sample: true }, { fileType: "TRANSCRIPT" }],
        transcriptLater: true,
      },
    });
    const completed = JSON.parse((await deliveries()).at(-1)?.body ?? "{}");
    expect(completed.event).toBe("recording.completed");
    expect(completed.payload.object.recording_files.map((f: { file_type: string }) => f.file_type)).toEqual([
      "MP4",
    ]);
    await control(`/recordings/${encodeURIComponent(s.uuid)}/transcript`);
    const transcript = JSON.parse((await deliveries()).at(-1)?.body ?? "{}");
    expect(transcript.event).toBe("recording.transcript_completed");
    expect(transcript.download_token).toBeTruthy();
    expect(transcript.payload.object.uuid).toBe(s.uuid);
    expect(
      transcript.payload.object.recording_files.map((f: { file_type: string; status: string }) => [
        f.file_type,
        f.status,
      ]),
    ).toEqual([["TRANSCRIPT", "completed"]]);
  });
});
