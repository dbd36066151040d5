// Starting a Zoom link: the admin's API call makes a single-use start handle; the start hop binds the
// request to the browser (cookie) and sends it to Zoom with state and PKCE. Also the checks every
// linking step shares: secret shapes, the return address, the sealing contexts.
import { and, eq, gt, isNull } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../db/client.ts";
import { oauthStates } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import { vaultFor } from "../zoom/credentials.ts";
import { authorizationUrl } from "../zoom/oauth.ts";

export const STATE_TTL_MS = 10 * 60_000;
/** How long an admin has to confirm a link after Zoom's consent (or after claiming a handoff). */
export const PENDING_TTL_MS = 10 * 60_000;
/** How long a Marketplace install waits for a Wise admin to claim it. */
export const HANDOFF_TTL_MS = 15 * 60_000;

/** The browser-binding cookie: `__Host-` over https (no Domain, path /, Secure); plain name on http. */
export const linkCookieName = (config: Config) =>
  config.publicBaseUrl.startsWith("https://") ? "__Host-zoom_link" : "zoom_link";

/** The handles and secrets this module mints: 32 random bytes, base64url. */
export const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
export const isSecretShaped = (s: unknown): s is string => typeof s === "string" && SECRET_PATTERN.test(s);

/**
 * Accepts a post-link redirect target only if it is an absolute http(s) URL on a configured Wise
 * origin. Relative, scheme-relative (`//evil`), `https:evil`, `javascript:` and credentialed URLs fail.
 */
export function safeReturnTo(raw: string | undefined | null, origins: string[]): string | null {
  if (!raw || raw.length > 2048 || /[\\\s]/.test(raw) || [...raw].some((ch) => ch.charCodeAt(0) < 0x20))
    return null;
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return null;
  }
  if (url.protocol !== "https:" && url.protocol !== "http:") return null;
  if (url.username || url.password) return null;
  if (
    !raw.toLowerCase().startsWith(`${url.origin.toLowerCase()}/`) &&
    raw.toLowerCase() !== url.origin.toLowerCase()
  ) {
    return null;
  }
  return origins.includes(url.origin) ? url.toString() : null;
}

export const verifierContext = (tenantId: string) => ({
  tenantId,
  zoomAccountId: "-",
  field: "pkce_verifier",
});
export const stateContext = (tenantId: string) => ({ tenantId, zoomAccountId: "-", field: "oauth_state" });
/** Pending tokens are sealed under the row's own id, so a row cannot be swapped for another. */
export const pendingContext = (id: string, zoomAccountId: string) => ({
  tenantId: `pending:${id}`,
  zoomAccountId,
});

/** POST /v1/zoom/link: a single-use start handle; the browser goes to the returned URL on this service. */
export async function startLink(
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  returnTo: string | null,
): Promise<string> {
  const handle = randomToken(32);
  const state = randomToken(32);
  const verifier = oauth.generateRandomCodeVerifier();
  const vault = vaultFor(config);
  await db.insert(oauthStates).values({
    stateHash: await sha256Hex(state),
    handleHash: await sha256Hex(handle),
    stateEnc: await vault.encrypt(state, stateContext(tenantId)),
    tenantId,
    createdBy: userId,
    codeVerifierEnc: await vault.encrypt(verifier, verifierContext(tenantId)),
    returnTo,
    expiresAt: Date.now() + STATE_TTL_MS,
  });
  return `${config.publicBaseUrl}/oauth/zoom/start/${handle}`;
}

export type StartOutcome =
  | { kind: "redirect"; authorizeUrl: string; browserSecret: string }
  | { kind: "failed"; status: number; title: string; message: string };

/**
 * GET /oauth/zoom/start/{handle}: the first hop. Uses the handle once and binds the request to this
 * browser (the hash of a fresh cookie value), then sends the browser to Zoom with state and PKCE.
 */
export async function beginAuthorization(db: Db, config: Config, handle: string): Promise<StartOutcome> {
  const gone = {
    kind: "failed",
    status: 400,
    title: "This link request has expired or was already used",
    message: "Start linking Zoom again from your Wise profile page.",
  } as const;
  if (!isSecretShaped(handle)) return gone;
  const browserSecret = randomToken(32);
  const now = Date.now();
  // Conditional on started_at still being empty: of two concurrent first hops, one wins.
  const row = await db
    .update(oauthStates)
    .set({ startedAt: now, browserHash: await sha256Hex(browserSecret) })
    .where(
      and(
        eq(oauthStates.handleHash, await sha256Hex(handle)),
        isNull(oauthStates.startedAt),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, now),
      ),
    )
    .returning()
    .get();
  if (!row?.stateEnc) return gone;
  const vault = vaultFor(config);
  const state = await vault.decrypt(row.stateEnc, stateContext(row.tenantId));
  const verifier = await vault.decrypt(row.codeVerifierEnc, verifierContext(row.tenantId));
  return { kind: "redirect", authorizeUrl: await authorizationUrl(config, state, verifier), browserSecret };
}
