// Signed link tokens for /j (join), /s (start) and /r (play): `v1.<kid>.<payload>.<sig>`, HMAC-SHA256
// over the first three parts with a key ring (the first key signs, every key verifies). Pure: no I/O.
import { z } from "zod";
import { fromBase64Url, toBase64Url } from "../tokens/encoding.ts";

export type LinkPurpose = "join" | "start" | "play";

export interface LinkKey {
  id: string;
  secret: Uint8Array;
}

/** What a link grants. Times: exp and nbf in epoch seconds, iat in epoch milliseconds (see README). */
export interface LinkClaims {
  purpose: LinkPurpose;
  tenant: string;
  /** The class, for join and start links. */
  class?: string | undefined;
  /** The archived file, for play links. */
  file?: string | undefined;
  /** The student (join, play) or teacher (start). */
  subject: string;
  exp: number;
  nbf: number;
  /**
   * Milliseconds, so a revocation recorded at time T refuses every link issued up to T and none
   * minted a moment later, even within the same second.
   */
  iat: number;
}

export type LinkFailure =
  | "malformed"
  | "too_long"
  | "unknown_key"
  | "bad_signature"
  | "wrong_purpose"
  | "expired"
  | "not_yet_valid";

export type LinkVerification = { ok: true; claims: LinkClaims } | { ok: false; reason: LinkFailure };

export const LINK_VERSION = "v1";
/** Longer tokens are refused before any parsing or crypto. */
export const MAX_TOKEN_LENGTH = 2048;
/** Tolerated clock difference between the minting and the verifying isolate, in seconds. */
export const CLOCK_SKEW_SECONDS = 60;

// Wise ids as the JWT module accepts them: safe in keys, logs and URLs.
const Id = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]{0,127}$/);
// Zoom's recording file ids are base64-like and may hold `+`, `/` and `=`. They travel inside the
// JSON payload (itself base64url), so no other encoding is needed; minting checks the same schema.
const FileId = z.string().regex(/^[A-Za-z0-9_=+/.-]{1,128}$/);
const Seconds = z.number().int().min(0).max(1e11);

const Payload = z
  .object({
    purpose: z.enum(["join", "start", "play"]),
    tenant: Id,
    class: Id.optional(),
    file: FileId.optional(),
    subject: Id,
    exp: Seconds,
    nbf: Seconds,
    iat: z.number().int().min(0).max(1e14),
  })
  .strict()
  .refine((p) => (p.purpose === "play" ? p.file !== undefined : p.class !== undefined && !p.file), {
    message: "join and start links name a class, play links a file",
  });

// Exact structure: version, key id (as the config allows), payload, and a 32-byte signature (43 chars).
const SHAPE = /^v1\.([A-Za-z0-9_-]{1,16})\.([A-Za-z0-9_-]{16,1800})\.([A-Za-z0-9_-]{43})$/;

// Imported CryptoKeys, once per isolate: keyed by the secret's bytes object, which the per-isolate
// configuration keeps (a rotated secret is a new object, so it gets a new key).
const imported = new WeakMap<Uint8Array, Promise<CryptoKey>>();

function hmacKey(key: LinkKey): Promise<CryptoKey> {
  let k = imported.get(key.secret);
  if (!k) {
    k = crypto.subtle.importKey(
      "raw",
      key.secret as Uint8Array<ArrayBuffer>,
      { name: "HMAC", hash: "SHA-256" },
      false,
      ["sign", "verify"],
    );
    imported.set(key.secret, k);
  }
  return k;
}

const encoder = new TextEncoder();
const decoder = new TextDecoder("utf-8", { fatal: true, ignoreBOM: false });

/** Signs claims with the ring's first (current) key. */
export async function signLink(ring: readonly LinkKey[], claims: LinkClaims): Promise<string> {
  const key = ring[0];
  if (!key) throw new Error("the link signing key ring is empty");
  const body: Record<string, unknown> = {
    purpose: claims.purpose,
    tenant: claims.tenant,
    ...(claims.class !== undefined ? { class: claims.class } : {}),
    ...(claims.file !== undefined ? { file: claims.file } : {}),
    subject: claims.subject,
    exp: claims.exp,
    nbf: claims.nbf,
    iat: claims.iat,
  };
  // The verifier's own schema: a link that could never open is refused here, not at the click.
  if (!Payload.safeParse(body).success) throw new Error("link claims do not fit the token schema");
  const signed = `${LINK_VERSION}.${key.id}.${toBase64Url(encoder.encode(JSON.stringify(body)))}`;
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(key), encoder.encode(signed));
  const token = `${signed}.${toBase64Url(new Uint8Array(sig))}`;
  if (token.length > MAX_TOKEN_LENGTH) throw new Error("link claims too large for a token");
  return token;
}

/**
 * Verifies a token for one purpose at `nowMs`. Order matters: structure and key id first, then the
 * signature (so nothing of an unsigned payload is trusted), then purpose and time.
 */
export async function verifyLink(
  ring: readonly LinkKey[],
  token: string,
  purpose: LinkPurpose,
  nowMs: number = Date.now(),
): Promise<LinkVerification> {
  if (token.length > MAX_TOKEN_LENGTH) return { ok: false, reason: "too_long" };
  const m = SHAPE.exec(token);
  if (!m) return { ok: false, reason: "malformed" };
  const [, kid, payloadPart, sigPart] = m as unknown as [string, string, string, string];
  const key = ring.find((k) => k.id === kid);
  if (!key) return { ok: false, reason: "unknown_key" };
  const sig = canonical(sigPart);
  const payloadBytes = canonical(payloadPart);
  if (!sig || !payloadBytes) return { ok: false, reason: "malformed" };
  const signed = token.slice(0, token.length - sigPart.length - 1);
  const valid = await crypto.subtle.verify("HMAC", await hmacKey(key), sig, encoder.encode(signed));
  if (!valid) return { ok: false, reason: "bad_signature" };

  let raw: unknown;
  try {
    raw = JSON.parse(decoder.decode(payloadBytes));
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const parsed = Payload.safeParse(raw);
  if (!parsed.success) return { ok: false, reason: "malformed" };
  const claims = parsed.data;
  if (claims.purpose !== purpose) return { ok: false, reason: "wrong_purpose" };
  const now = Math.floor(nowMs / 1000);
  if (now + CLOCK_SKEW_SECONDS < claims.nbf) return { ok: false, reason: "not_yet_valid" };
  if (now >= claims.exp) return { ok: false, reason: "expired" };
  return { ok: true, claims };
}

/** Strict base64url that re-encodes to itself, so one link has exactly one spelling. */
function canonical(part: string): Uint8Array<ArrayBuffer> | null {
  const bytes = fromBase64Url(part);
  return bytes && toBase64Url(bytes) === part ? bytes : null;
}
