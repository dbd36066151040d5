import { describe, expect, it } from "vitest";
import { zoomSignature } from "../../test/helpers/webhook-signing.ts";
import { urlValidationAnswer, verifyWebhook, webhookSecrets } from "./webhook.ts";

const secret = "test_secret_token_123";
const sign = (body: string, ts: number) => zoomSignature(body, ts, secret);
const bytes = (s: string) => new TextEncoder().encode(s);

describe("webhook verification", () => {
  it("answers the url_validation test vector from ZOOM.md", async () => {
    expect(await urlValidationAnswer(secret, "qgg8vlvZRS6UYooatFL8Aw")).toEqual({
      plainToken: "qgg8vlvZRS6UYooatFL8Aw",
      encryptedToken: "2b5cfb77819cee95afa1a1521bcd4b88c3aacdd939430efc23bc041cbecf816e",
    });
  });

  it("accepts a correct signature over the raw bytes", async () => {
    const body = '{"event":"x","payload":{}}';
    expect(await verifyWebhook([secret], bytes(body), await sign(body, 1000), "1000", 1010)).toEqual({
      ok: true,
    });
  });

  it("refuses a body changed by one byte, a wrong secret, stale and future timestamps", async () => {
    const body = '{"event":"x","payload":{}}';
    const sig = await sign(body, 1000);
    expect((await verifyWebhook([secret], bytes(body.replace("x", "y")), sig, "1000", 1000)).ok).toBe(false);
    expect((await verifyWebhook(["other"], bytes(body), sig, "1000", 1000)).ok).toBe(false);
    expect(await verifyWebhook([secret], bytes(body), sig, "1000", 1301)).toEqual({
      ok: false,
      reason: "timestamp outside window",
    });
    expect(await verifyWebhook([secret], bytes(body), sig, "1000", 699)).toEqual({
      ok: false,
      reason: "timestamp outside window",
    });
    // Re-serialised JSON (what Zoom's samples verify) is not what was signed.
    expect(
      (
        await verifyWebhook(
          [secret],
          bytes(JSON.stringify(JSON.parse(` ${body}`))),
          await sign(` ${body}`, 1000),
          "1000",
          1000,
        )
      ).ok,
    ).toBe(false);
  });

  it("refuses malformed headers and a missing secret", async () => {
    const body = "{}";
    const sig = await sign(body, 1000);
    expect((await verifyWebhook([secret], bytes(body), undefined, "1000", 1000)).ok).toBe(false);
    expect((await verifyWebhook([secret], bytes(body), sig.toUpperCase(), "1000", 1000)).ok).toBe(false);
    expect((await verifyWebhook([secret], bytes(body), "v1=abc", "1000", 1000)).ok).toBe(false);
    expect((await verifyWebhook([secret], bytes(body), sig, "1e3", 1000)).ok).toBe(false);
    expect((await verifyWebhook([""], bytes(body), sig, "1000", 1000)).ok).toBe(false);
  });

  it("verifies with the previous secret only while its rotation window is open", async () => {
    const body = "{}";
    const sig = await zoomSignature(body, 1000, "old-secret");
    const zoom = {
      webhookSecret: secret,
      webhookPreviousSecret: { secret: "old-secret", untilMs: 2_000_000 },
    } as Parameters<typeof webhookSecrets>[0];
    expect(webhookSecrets(zoom, 1_999_999)).toEqual([secret, "old-secret"]);
    expect(webhookSecrets(zoom, 2_000_000)).toEqual([secret]);
    expect((await verifyWebhook(webhookSecrets(zoom, 1_000_000), bytes(body), sig, "1000", 1000)).ok).toBe(
      true,
    );
    expect((await verifyWebhook(webhookSecrets(zoom, 2_000_000), bytes(body), sig, "1000", 1000)).ok).toBe(
      false,
    );
    const open = { webhookSecret: secret, webhookPreviousSecret: { secret: "old-secret" } };
    expect(
      webhookSecrets(open as Parameters<typeof webhookSecrets>[0], Number.MAX_SAFE_INTEGER),
    ).toHaveLength(2);
  });
});
