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
