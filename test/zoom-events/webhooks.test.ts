// POST /webhooks/zoom: signature, clock window, replay, malformed input, url validation and
// deauthorization, with deliveries signed by the emulator exactly as Zoom signs them.
import { env } from "cloudflare:workers";
import { beforeEach, describe, expect, it, vi } from "vitest";
import { BASE } from "../helpers/app.ts";
import { count } from "../helpers/db.ts";
import { hmacHex, signedHeaders } from "../helpers/webhook-signing.ts";
import {
  deliver,
  emulator,
  fetchAndSettle,
  freshStart,
  linkStatus,
  linkZoom,
  outbox,
} from "../helpers/zoom.ts";

const SECRET = env.ZOOM_WEBHOOK_SECRET ?? "";

const sign = signedHeaders;

async function deauthorizeDelivery() {
  await emulator("/deauthorize", { accountId: "emuAcctA1" });
  const d = (await outbox()).find((x) => x.event === "app_deauthorized");
  if (!d) throw new Error("no app_deauthorized delivery");
  return d;
}

beforeEach(async () => {
  await freshStart();
  await linkZoom("tenant-a");
});

describe("deliveries from Zoom", () => {
  it("answers the endpoint.url_validation challenge", async () => {
    const body = JSON.stringify({
      event: "endpoint.url_validation",
      payload: { plainToken: "qgg8vlvZRS6UYooatFL8Aw" },
      event_ts: 1,
    });
    const res = await deliver({ headers: await sign(body), body });
    expect(res.status).toBe(200);
    const answer = (await res.json()) as { plainToken: string; encryptedToken: string };
    expect(answer).toEqual({
      plainToken: "qgg8vlvZRS6UYooatFL8Aw",
      encryptedToken: await hmacHex(SECRET, "qgg8vlvZRS6UYooatFL8Aw"),
    });
  });

  it("app_deauthorized deletes the credential, marks the link unlinked and audits", async () => {
    const res = await deliver(await deauthorizeDelivery());
    expect(res.status).toBe(200);
    expect(await count("zoom_credentials")).toBe(0);
    const status = await linkStatus("tenant-a");
    expect(status.status).toBe("unlinked");
    expect(status.reason).toContain("removed from Zoom");
    const audit = await env.DB.prepare("SELECT action, actor FROM audit_log ORDER BY id").all();
    expect(audit.results.at(-1)).toEqual({ action: "zoom.deauthorized", actor: "zoom" });
  });

  it("a replayed delivery changes nothing the second time", async () => {
    const d = await deauthorizeDelivery();
    await deliver(d);
    await linkZoom("tenant-a");
    const again = await deliver(d);
    expect(again.status).toBe(200);
    expect(await again.json()).toEqual({ status: "duplicate" });
    expect((await linkStatus("tenant-a")).status).toBe("linked");
  });
});

describe("hostile deliveries change nothing", () => {
  async function expectRejected(headers: Record<string, string>, body: string, status = 401) {
    const res = await fetchAndSettle(new Request(`${BASE}/webhooks/zoom`, { method: "POST", headers, body }));
    expect(res.status).toBe(status);
    expect(res.headers.get("content-type")).toBe("application/problem+json");
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    expect(await count("webhook_deliveries")).toBe(0);
  }

  it("a bad signature, a wrong secret, or no signature", async () => {
    const d = await deauthorizeDelivery();
    await expectRejected({ ...d.headers, "x-zm-signature": `v0=${"0".repeat(64)}` }, d.body);
    await expectRejected(await sign(d.body, undefined, "not-the-secret"), d.body);
    const { "x-zm-signature": _drop, ...unsigned } = d.headers;
    await expectRejected(unsigned, d.body);
  });

  it("a body changed by one byte", async () => {
    const d = await deauthorizeDelivery();
    const changed = d.body.replace('"app_deauthorized"', '"app_deauthorizeD"');
    expect(changed).not.toBe(d.body);
    await expectRejected(d.headers, changed);
  });

  it("stale and future timestamps, even correctly signed", async () => {
    const d = await deauthorizeDelivery();
    const now = Math.floor(Date.now() / 1000);
    await expectRejected(await sign(d.body, now - 330), d.body);
    await expectRejected(await sign(d.body, now + 330), d.body);
  });

  it("malformed JSON, correctly signed", async () => {
    const body = '{"event":"app_deauthorized","payload":';
    await expectRejected(await sign(body), body, 400);
  });

  it("a missing webhook secret fails closed", async () => {
    const d = await deauthorizeDelivery();
    vi.spyOn(console, "error").mockImplementation(() => {});
    const res = await fetchAndSettle(
      new Request(`${BASE}/webhooks/zoom`, { method: "POST", headers: d.headers, body: d.body }),
      {
        ZOOM_WEBHOOK_SECRET: undefined,
      },
    );
    expect(res.status).toBe(500);
    expect(await res.json()).toMatchObject({ code: "misconfigured" });
    expect((await linkStatus("tenant-a")).status).toBe("linked");
    vi.restoreAllMocks();
  });

  it("a deauthorization for another app's client id is ignored", async () => {
    const body = JSON.stringify({
      event: "app_deauthorized",
      event_ts: Date.now(),
      payload: {
        account_id: "emuAcctA1",
        user_id: "u",
        client_id: "someone-elses-app",
        deauthorization_time: "x",
      },
    });
    expect((await deliver({ headers: await sign(body), body })).status).toBe(200);
    expect((await linkStatus("tenant-a")).status).toBe("linked");
  });
});
