// Signed playback tokens for /r/{token}: `v1.<kid>.<payload b64url>.<sig b64url>`, HMAC-SHA256 over
// "v1.<kid>.<payload>" with the LINK_SIGNING_KEYS ring (the first key signs, every key verifies).
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "../tokens/encoding.ts";

export interface LinkKey {
  id: string;
  secret: Uint8Array;
}

export interface PlayGrant {
  tenantId: string;
  fileId: string;
  /** Who the link was made for (a Wise user id). */
  subject: string;
  /** Epoch seconds. */
  expiresAt: number;
}

export type PlayTokenFailure =
  | "malformed"
  | "unknown_key"
  | "bad_signature"
  | "wrong_purpose"
  | "expired"
  | "not_yet_valid";

export class PlayTokenError extends Error {
  override name = "PlayTokenError";
  constructor(readonly reason: PlayTokenFailure) {
    super(`play token refused: ${reason}`);
  }
}

const Payload = z
  .object({
    p: z.string(),
    t: z.string().min(1).max(128),
    f: z.string().min(1).max(128),
    s: z.string().min(1).max(256),
    exp: z.number().int(),
    nbf: z.number().int(),
  })
  .strict();

const VERSION = "v1";
// Clocks of the signer and the verifier may differ a little.
const SKEW_SECONDS = 60;
const keyCache = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(secret: Uint8Array): Promise<CryptoKey> {
  let key = keyCache.get(secret);
  if (!key) {
    key = crypto.subtle.importKey("raw", new Uint8Array(secret), { name: "HMAC", hash: "SHA-256" }, false, [
      "sign",
      "verify",
    ]);
    keyCache.set(secret, key);
  }
  return key;
}

const encoder = new TextEncoder();

export async function mintPlayToken(
  keys: LinkKey[],
  grant: Omit<PlayGrant, "expiresAt">,
  ttlSeconds: number,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<{ token: string; expiresAt: number }> {
  const key = keys[0];
  if (!key) throw new Error("no link signing key");
  const expiresAt = nowSeconds + ttlSeconds;
  const payload = toBase64Url(
    encoder.encode(
      JSON.stringify({
        p: "play",
        t: grant.tenantId,
        f: grant.fileId,
        s: grant.subject,
        exp: expiresAt,
        nbf: nowSeconds,
      }),
    ),
  );
  const signed = `${VERSION}.${key.id}.${payload}`;
  const sig = new Uint8Array(
    await crypto.subtle.sign("HMAC", await hmacKey(key.secret), encoder.encode(signed)),
  );
  return { token: `${signed}.${toBase64Url(sig)}`, expiresAt };
}

/** Checks the signature before reading anything else of the payload; throws PlayTokenError. */
export async function verifyPlayToken(
  keys: LinkKey[],
  token: string,
  nowSeconds = Math.floor(Date.now() / 1000),
): Promise<PlayGrant> {
  if (token.length > 2048) throw new PlayTokenError("malformed");
  const parts = token.split(".");
  if (parts.length !== 4 || parts[0] !== VERSION) throw new PlayTokenError("malformed");
  const [, kid, payloadPart, sigPart] = parts as [string, string, string, string];
  const sig = fromBase64Url(sigPart);
  const payloadBytes = fromBase64Url(payloadPart);
  if (!sig || !payloadBytes || sig.length !== 32) throw new PlayTokenError("malformed");
  const key = keys.find((k) => k.id === kid);
  if (!key) throw new PlayTokenError("unknown_key");
  const ok = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(key.secret),
    sig,
    encoder.encode(`${VERSION}.${kid}.${payloadPart}`),
  );
  if (!ok) throw new PlayTokenError("bad_signature");
  let raw: unknown;
  try {
    raw = JSON.parse(new TextDecoder().decode(payloadBytes));
  } catch {
    throw new PlayTokenError("malformed");
  }
  const payload = Payload.safeParse(raw);
  if (!payload.success) throw new PlayTokenError("malformed");
  const p = payload.data;
  if (p.p !== "play") throw new PlayTokenError("wrong_purpose");
  if (p.nbf > nowSeconds + SKEW_SECONDS) throw new PlayTokenError("not_yet_valid");
  if (p.exp <= nowSeconds) throw new PlayTokenError("expired");
  return { tenantId: p.t, fileId: p.f, subject: p.s, expiresAt: p.exp };
}
