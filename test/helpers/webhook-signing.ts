// Signs webhook deliveries as Zoom does (hex HMAC-SHA256 over "v0:{ts}:{body}"), written apart from the
// product's verifier so that tests do not check the product against itself.
import { env } from "cloudflare:workers";

export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  const mac = new Uint8Array(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
  return Array.from(mac, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** The `x-zm-signature` value for a body at a timestamp (seconds). */
export const zoomSignature = async (body: string, ts: number, secret: string) =>
  `v0=${await hmacHex(secret, `v0:${ts}:${body}`)}`;

/** Headers of a delivery signed now (or at `ts`) with the test configuration's webhook secret. */
export async function signedHeaders(
  body: string,
  ts = Math.floor(Date.now() / 1000),
  secret = env.ZOOM_WEBHOOK_SECRET ?? "",
) {
  return {
    "content-type": "application/json",
    "x-zm-request-timestamp": String(ts),
    "x-zm-signature": await zoomSignature(body, ts, secret),
  };
}
