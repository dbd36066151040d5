// Verification of Zoom's webhook deliveries (ZOOM.md): HMAC-SHA256 over "v0:{timestamp}:{raw body}"
// with the app's secret token, compared in constant time by crypto.subtle.verify, within a
// 5-minute window. Zoom's own samples re-serialize JSON and skip the timestamp; we do neither.
// During a rotation the previous secret verifies too, until its window closes.
import type { Config } from "../platform/config.ts";
import { fromHex, toHex } from "../tokens/encoding.ts";

export const WEBHOOK_WINDOW_SECONDS = 300;

export type WebhookCheck = { ok: true } | { ok: false; reason: string };

const keys = new Map<string, Promise<CryptoKey>>();
function hmacKey(secret: string): Promise<CryptoKey> {
  let key = keys.get(secret);
  if (!key) {
    key = crypto.subtle.importKey(
      "raw",
      new TextEncoder().encode(secret),
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    keys.set(secret, key);
  }
  return key;
}

/** The secrets a delivery may be signed with at `nowMs`: the current one, then the previous one. */
export function webhookSecrets(zoom: Config["zoom"], nowMs: number): string[] {
  const previous = zoom.webhookPreviousSecret;
  const open = previous && (previous.untilMs === undefined || nowMs < previous.untilMs);
  return open ? [zoom.webhookSecret, previous.secret] : [zoom.webhookSecret];
}

export async function verifyWebhook(
  secrets: readonly string[],
  rawBody: Uint8Array,
  signatureHeader: string | undefined,
  timestampHeader: string | undefined,
  nowSeconds: number,
): Promise<WebhookCheck> {
  if (!secrets.length || secrets.some((s) => !s))
    return { ok: false, reason: "no webhook secret configured" };
  if (!signatureHeader || !timestampHeader) return { ok: false, reason: "missing signature headers" };
  if (!/^\d{1,12}$/.test(timestampHeader)) return { ok: false, reason: "malformed timestamp" };
  const ts = Number(timestampHeader);
  if (Math.abs(nowSeconds - ts) > WEBHOOK_WINDOW_SECONDS)
    return { ok: false, reason: "timestamp outside window" };
  const m = /^v0=([0-9a-f]{64})$/.exec(signatureHeader);
  const signature = m?.[1] ? fromHex(m[1]) : null;
  if (!signature) return { ok: false, reason: "malformed signature" };
  const prefix = new TextEncoder().encode(`v0:${timestampHeader}:`);
  const message = new Uint8Array(prefix.length + rawBody.length);
  message.set(prefix);
  message.set(rawBody, prefix.length);
  for (const secret of secrets) {
    if (await crypto.subtle.verify("HMAC", await hmacKey(secret), signature, message)) return { ok: true };
  }
  return { ok: false, reason: "signature mismatch" };
}

/** The `endpoint.url_validation` answer: hex HMAC-SHA256(secret, plainToken). */
export async function urlValidationAnswer(secret: string, plainToken: string) {
  const mac = await crypto.subtle.sign("HMAC", await hmacKey(secret), new TextEncoder().encode(plainToken));
  return { plainToken, encryptedToken: toHex(mac) };
}
