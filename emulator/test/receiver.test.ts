// The event receiver (Wise's endpoint stand-in): Standard Webhooks verification with the
// `standardwebhooks` library, recording, and the behaviours tests ask of it.
import { Webhook } from "standardwebhooks";
import { beforeEach, describe, expect, it } from "vitest";
import { control } from "./helpers.ts";

const HOOKS = "https://hooks.wise.example";
const SECRET = `whsec_${btoa("0123456789abcdef0123456789abcdef")}`;
const OTHER = `whsec_${btoa("fedcba9876543210fedcba9876543210")}`;

interface Received {
  webhookId: string;
  verifiedSecrets: number;
  type: string;
  answeredStatus: number;
}

const received = async (endpoint: string) =>
  (await control<{ deliveries: Received[] }>(`/receiver/${endpoint}`, undefined, "GET")).deliveries;

function signed(secret: string | string[], id: string, body: string, at = new Date()) {
  const signature = [secret]
    .flat()
    .map((s) => new Webhook(s).sign(id, at, body))
    .join(" ");
  return {
    "content-type": "application/json",
    "webhook-id": id,
    "webhook-timestamp": String(Math.floor(at.getTime() / 1000)),
    "webhook-signature": signature,
  };
}

const post = (endpoint: string, headers: Record<string, string>, body: string) =>
  fetch(`${HOOKS}/hooks/${endpoint}`, { method: "POST", headers, body, redirect: "manual" });

beforeEach(async () => {
  await control("/receiver", undefined, "DELETE");
});

describe("event receiver", () => {
  it("accepts and records a delivery signed with its secret, refuses others", async () => {
    await control("/receiver/wise", { secrets: [SECRET] }, "PUT");
    const body = JSON.stringify({ type: "class.started", data: {} });
    expect((await post("wise", signed(SECRET, "msg_1", body), body)).status).toBe(204);
    expect((await post("wise", signed(OTHER, "msg_2", body), body)).status).toBe(401);
    const tampered = signed(SECRET, "msg_3", body);
    expect((await post("wise", tampered, body.replace("started", "ended"))).status).toBe(401);
    const old = signed(SECRET, "msg_4", body, new Date(Date.now() - 10 * 60_000));
    expect((await post("wise", old, body)).status).toBe(401);
    expect(await received("wise")).toMatchObject([
      { webhookId: "msg_1", verifiedSecrets: 1, type: "class.started", answeredStatus: 204 },
      { webhookId: "msg_2", verifiedSecrets: 0, answeredStatus: 401 },
      { webhookId: "msg_3", verifiedSecrets: 0 },
      { webhookId: "msg_4", verifiedSecrets: 0 },
    ]);
  });

  it("counts every configured secret a multi-signature delivery verifies with", async () => {
    await control("/receiver/both", { secrets: [SECRET, OTHER] }, "PUT");
    const body = "{}";
    expect((await post("both", signed([SECRET, OTHER], "msg_x", body), body)).status).toBe(204);
    expect((await received("both"))[0]?.verifiedSecrets).toBe(2);
  });

  it("answers as told: 500, 410, a redirect, down, slow", async () => {
    const body = "{}";
    for (const [mode, status] of [
      ["fail", 500],
      ["gone", 410],
      ["redirect", 307],
      ["down", 503],
    ] as const) {
      await control(`/receiver/${mode}`, { secrets: [SECRET], mode }, "PUT");
      const res = await post(mode, signed(SECRET, `msg_${mode}`, body), body);
      expect(res.status, mode).toBe(status);
      if (mode === "redirect") expect(res.headers.get("location")).toBe(`${HOOKS}/hooks/redirect-moved`);
    }
    await control("/receiver/slow", { secrets: [SECRET], mode: "slow", delayMs: 300 }, "PUT");
    const started = Date.now();
    expect((await post("slow", signed(SECRET, "msg_s", body), body)).status).toBe(204);
    expect(Date.now() - started).toBeGreaterThanOrEqual(290);
  });
});
