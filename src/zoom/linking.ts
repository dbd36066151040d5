// Linking a tenant to a Zoom account. Trust boundaries, in order: the admin's API call (JWT) makes a
// single-use start handle; the start hop binds the request to the browser (cookie) and sends it to
// Zoom (state + PKCE); the callback checks state and cookie, exchanges the code and stores only a
// *pending* link; the same admin confirms it with the secret given to the browser that came back
// from Zoom. Installs from the Zoom Marketplace (no state) become an unowned pending link that a Wise
// admin claims with a handoff secret. A refused attempt never kills another tenant's working link.

import { and, eq, gt, isNull, lte } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { oauthStates, zoomCredentials, zoomPendingLinks } from "../db/schema.ts";
import { ensureTenant } from "../db/tenants.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import {
  type CredentialRow,
  credentialForAccount,
  credentialForTenant,
  openTokens,
  sealTokens,
  vaultFor,
} from "./credentials.ts";
import { ZoomNeedsRelink, ZoomUnavailable } from "./errors.ts";
import { authorizationUrl, exchangeCode, revokeToken, type TokenSet } from "./oauth.ts";
import { ZoomUser } from "./schemas.ts";
import { refusedGrantMessage, missingScopes as scopesMissing } from "./scopes.ts";

export const STATE_TTL_MS = 10 * 60_000;
/** How long an admin has to confirm a link after Zoom's consent (or after claiming a handoff). */
export const PENDING_TTL_MS = 10 * 60_000;
/** How long a Marketplace install waits for a Wise admin to claim it. */
export const HANDOFF_TTL_MS = 15 * 60_000;

/** The browser-binding cookie: `__Host-` over https (no Domain, path /, Secure); plain name on http. */
export const linkCookieName = (config: Config) =>
  config.publicBaseUrl.startsWith("https://") ? "__Host-zoom_link" : "zoom_link";

/** The handles and secrets this module mints: 32 random bytes, base64url. */
const SECRET_PATTERN = /^[A-Za-z0-9_-]{43}$/;
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

const verifierContext = (tenantId: string) => ({ tenantId, zoomAccountId: "-", field: "pkce_verifier" });
const stateContext = (tenantId: string) => ({ tenantId, zoomAccountId: "-", field: "oauth_state" });
/** Pending tokens are sealed under the row's own id, so a row cannot be swapped for another. */
const pendingContext = (id: string, zoomAccountId: string) => ({ tenantId: `pending:${id}`, zoomAccountId });

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

export type LinkOutcome =
  | { kind: "linked" | "relinked"; tenantId: string; returnTo: string | null; missingScopes: string[] }
  | { kind: "pending"; confirmation: string; returnTo: string | null; zoomUserEmail: string | null }
  | { kind: "handoff"; handoff: string; zoomUserEmail: string | null }
  | { kind: "denied"; returnTo: string | null }
  | { kind: "failed"; status: number; title: string; message: string; returnTo: string | null };

const failed = (
  status: number,
  title: string,
  message: string,
  returnTo: string | null = null,
): LinkOutcome => ({
  kind: "failed",
  status,
  title,
  message,
  returnTo,
});

const startAgain = "Start linking Zoom again from your Wise profile page.";
const OTHER_INSTITUTE_MESSAGE =
  "A Zoom account can be linked to one Wise institute only. That institute's link keeps working with this authorization. Unlink it there first, or sign in to another Zoom account.";

/**
 * Handles GET /oauth/zoom/callback. A link becomes active only through `confirmPendingLink`; here a
 * matching state and browser cookie lead to a pending link (or, for an account already linked, to
 * that link keeping the new grant). `browserSecret` is the cookie set by the first hop.
 */
export async function completeLink(
  env: Env,
  db: Db,
  config: Config,
  query: URLSearchParams,
  browserSecret: string | undefined,
): Promise<LinkOutcome> {
  const state = query.get("state");
  if (state === null && query.has("code") && !query.has("error")) {
    return marketplaceInstall(env, db, config, query);
  }
  if (!state || state.length > 512) {
    return failed(400, "This link request is not valid", startAgain);
  }
  const stateHash = await sha256Hex(state);
  const browserHash = isSecretShaped(browserSecret) ? await sha256Hex(browserSecret) : null;
  const now = Date.now();
  // Single use, and only in the browser that started it: the first request to flip used_at wins;
  // replays, expired states, and other browsers (no cookie, another cookie) find nothing.
  const claimed = browserHash
    ? await db
        .update(oauthStates)
        .set({ usedAt: now })
        .where(
          and(
            eq(oauthStates.stateHash, stateHash),
            eq(oauthStates.browserHash, browserHash),
            isNull(oauthStates.usedAt),
            gt(oauthStates.expiresAt, now),
          ),
        )
        .returning()
        .get()
    : undefined;
  if (!claimed) {
    const open = await db
      .select({ usedAt: oauthStates.usedAt, expiresAt: oauthStates.expiresAt })
      .from(oauthStates)
      .where(eq(oauthStates.stateHash, stateHash))
      .get();
    if (open && !open.usedAt && open.expiresAt > now) {
      log("warn", "link: callback from a browser that did not start the request", {
        cookie: browserHash ? "other" : "missing",
      });
      return failed(
        400,
        "This link was started in another browser",
        "For your security, linking Zoom must finish in the browser where it started. Start linking Zoom again from your Wise profile page, in this browser.",
      );
    }
    return failed(400, "This link request has expired or was already used", startAgain);
  }
  const returnTo = safeReturnTo(claimed.returnTo, config.wiseOrigins);
  const error = query.get("error");
  if (error) {
    return error === "access_denied"
      ? { kind: "denied", returnTo }
      : failed(400, "Zoom did not authorize the link", `Zoom answered: ${error.slice(0, 100)}`, returnTo);
  }
  const code = query.get("code");
  if (!code || code.length > 2048) {
    return failed(400, "Zoom did not send an authorization code", "Start linking Zoom again.", returnTo);
  }

  const vault = vaultFor(config);
  let tokens: TokenSet;
  try {
    const verifier = await vault.decrypt(claimed.codeVerifierEnc, verifierContext(claimed.tenantId));
    tokens = await exchangeCode(config, query, state, verifier);
  } catch (err) {
    log("warn", "link: code exchange failed", { tenantId: claimed.tenantId, err });
    return exchangeFailed(err, returnTo);
  }
  const partial = await refusePartialGrant(config, tokens, returnTo);
  if (partial) return partial;
  const me = await accountOf(config, tokens, claimed.tenantId);
  if ("kind" in me) return { ...me, returnTo };
  const zoomAccountId = me.account_id as string;

  const owner = await credentialForAccount(db, zoomAccountId);
  if (owner && owner.tenantId !== claimed.tenantId) {
    // Zoom revoked the owner's tokens when it issued these (ZOOM.md: re-authorization, 4741): the
    // rightful tenant keeps the new grant instead of both sides ending up dead.
    await adoptGrant(env, db, config, owner, tokens, { refusedTenantId: claimed.tenantId });
    return failed(409, "This Zoom account is linked to another institute", OTHER_INSTITUTE_MESSAGE, returnTo);
  }
  if (owner) {
    // The same account again for the same institute: nothing changes hands, so no confirmation;
    // the new grant replaces the one Zoom just revoked.
    const missingScopes = await activate(env, db, config, {
      tenantId: claimed.tenantId,
      createdBy: claimed.createdBy,
      me: { id: me.id, email: me.email, account_id: zoomAccountId },
      tokens,
    });
    return { kind: "relinked", tenantId: claimed.tenantId, returnTo, missingScopes };
  }

  const confirmation = randomToken(32);
  await storePending(db, config, me, tokens, {
    secret: confirmation,
    tenantId: claimed.tenantId,
    createdBy: claimed.createdBy,
    returnTo,
    ttlMs: PENDING_TTL_MS,
  });
  return { kind: "pending", confirmation, returnTo, zoomUserEmail: me.email ?? null };
}

/**
 * A callback without state: the admin added the app from the Zoom Marketplace, so Zoom sent a code
 * for the app's redirect URI with no state and no PKCE. The grant is kept (encrypted, unowned) for a
 * Wise admin to claim with the handoff secret shown to this browser.
 */
async function marketplaceInstall(
  env: Env,
  db: Db,
  config: Config,
  query: URLSearchParams,
): Promise<LinkOutcome> {
  const code = query.get("code") ?? "";
  if (!code || code.length > 2048) return failed(400, "This link request is not valid", startAgain);
  let tokens: TokenSet;
  try {
    tokens = await exchangeCode(config, query, oauth.expectNoState, oauth.nopkce);
  } catch (err) {
    log("warn", "marketplace install: code exchange failed", { err });
    return exchangeFailed(err, null);
  }
  const partial = await refusePartialGrant(config, tokens, null);
  if (partial) return partial;
  const me = await accountOf(config, tokens, "marketplace");
  if ("kind" in me) return me;
  const owner = await credentialForAccount(db, me.account_id as string);
  if (owner) {
    await adoptGrant(env, db, config, owner, tokens, { marketplace: true });
    return failed(
      409,
      "This Zoom account is already linked to a Wise institute",
      "Its link keeps working with this authorization. To link it to another institute, unlink it in Wise first.",
    );
  }
  const handoff = randomToken(32);
  await storePending(db, config, me, tokens, {
    secret: handoff,
    tenantId: null,
    createdBy: null,
    returnTo: null,
    ttlMs: HANDOFF_TTL_MS,
  });
  return { kind: "handoff", handoff, zoomUserEmail: me.email ?? null };
}

/**
 * A grant missing a scope the product needs would fail later, call by call: it is revoked at once
 * and the admin is told which permissions to add in Zoom. Nothing is stored.
 */
async function refusePartialGrant(
  config: Config,
  tokens: TokenSet,
  returnTo: string | null,
): Promise<LinkOutcome | undefined> {
  const missing = scopesMissing(tokens.scopes, config.zoom.scopeSet);
  if (!missing.length) return undefined;
  await revokeToken(config, tokens.refreshToken);
  return failed(
    403,
    "Zoom did not grant every permission Wise needs",
    refusedGrantMessage(missing),
    returnTo,
  );
}

function exchangeFailed(err: unknown, returnTo: string | null): LinkOutcome {
  return err instanceof ZoomNeedsRelink
    ? failed(
        400,
        "Zoom refused the authorization",
        "The authorization could not be completed. Start again.",
        returnTo,
      )
    : failed(
        502,
        "Zoom is not answering",
        "Zoom could not be reached. Try linking again in a minute.",
        returnTo,
      );
}

/** The Zoom user behind fresh tokens; on failure the grant is revoked and a failure returned. */
async function accountOf(
  config: Config,
  tokens: TokenSet,
  tenantId: string,
): Promise<ZoomUser | Extract<LinkOutcome, { kind: "failed" }>> {
  let me: ZoomUser;
  try {
    me = await fetchMe(config, tokens.accessToken);
  } catch (err) {
    log("warn", "link: reading the Zoom user failed", { tenantId, err });
    await revokeToken(config, tokens.refreshToken);
    return {
      kind: "failed",
      status: 502,
      title: "Zoom is not answering",
      message: "Zoom could not be reached. Try linking again in a minute.",
      returnTo: null,
    };
  }
  if (!me.account_id) {
    await revokeToken(config, tokens.refreshToken);
    return {
      kind: "failed",
      status: 502,
      title: "Zoom did not name the account",
      message: "Try linking again in a minute.",
      returnTo: null,
    };
  }
  return me;
}

async function storePending(
  db: Db,
  config: Config,
  me: ZoomUser,
  tokens: TokenSet,
  opts: {
    secret: string;
    tenantId: string | null;
    createdBy: string | null;
    returnTo: string | null;
    ttlMs: number;
  },
): Promise<void> {
  const vault = vaultFor(config);
  const id = randomToken(16);
  const zoomAccountId = me.account_id as string;
  // Zoom revoked the account's earlier grants when it issued this one: an older pending link or
  // handoff of the account could only ever activate dead tokens, so this one replaces it.
  await dropPendingOfAccount(db, config, zoomAccountId);
  const ctx = pendingContext(id, zoomAccountId);
  const now = Date.now();
  await db.insert(zoomPendingLinks).values({
    id,
    tenantId: opts.tenantId,
    createdBy: opts.createdBy,
    secretHash: await sha256Hex(opts.secret),
    zoomAccountId,
    zoomUserId: me.id,
    zoomUserEmail: me.email ?? null,
    scopes: tokens.scopes.join(" "),
    apiUrl: tokens.apiUrl ?? null,
    accessTokenEnc: await vault.encrypt(tokens.accessToken, { ...ctx, field: "access_token" }),
    refreshTokenEnc: await vault.encrypt(tokens.refreshToken, { ...ctx, field: "refresh_token" }),
    accessTokenExpiresAt: tokens.accessTokenExpiresAt,
    returnTo: opts.returnTo,
    createdAt: now,
    expiresAt: now + opts.ttlMs,
  });
}

type PendingRow = typeof zoomPendingLinks.$inferSelect;

async function openPending(config: Config, row: PendingRow): Promise<TokenSet> {
  const vault = vaultFor(config);
  const ctx = pendingContext(row.id, row.zoomAccountId);
  return {
    accessToken: await vault.decrypt(row.accessTokenEnc, { ...ctx, field: "access_token" }),
    refreshToken: await vault.decrypt(row.refreshTokenEnc, { ...ctx, field: "refresh_token" }),
    accessTokenExpiresAt: row.accessTokenExpiresAt,
    scopes: row.scopes.split(" ").filter(Boolean),
    apiUrl: row.apiUrl ?? undefined,
  };
}

/**
 * The account's rightful tenant takes over a grant that Zoom issued to someone else's attempt
 * (Zoom revoked the tenant's own tokens when it issued it). Compare-and-swap on the refresh token
 * read, so a concurrent refresh or relink is never overwritten.
 */
async function adoptGrant(
  env: Env,
  db: Db,
  config: Config,
  owner: CredentialRow,
  tokens: TokenSet,
  details: Record<string, unknown>,
): Promise<void> {
  const sealed = await sealTokens(vaultFor(config), owner, tokens);
  const now = Date.now();
  const adopted = await db
    .update(zoomCredentials)
    .set({
      ...sealed,
      scopes: tokens.scopes.join(" "),
      apiUrl: tokens.apiUrl ?? null,
      status: "linked",
      reason: null,
      updatedAt: now,
    })
    .where(
      and(
        eq(zoomCredentials.zoomAccountId, owner.zoomAccountId),
        eq(zoomCredentials.tenantId, owner.tenantId),
        eq(zoomCredentials.refreshTokenHash, owner.refreshTokenHash),
      ),
    )
    .returning({ tenantId: zoomCredentials.tenantId });
  if (adopted.length !== 1) {
    log("warn", "link: the owner's credential changed meanwhile; new grant revoked", {
      tenantId: owner.tenantId,
    });
    await revokeToken(config, tokens.refreshToken);
    return;
  }
  await env.ZOOM_ACCOUNT.getByName(owner.zoomAccountId).linked(owner.zoomAccountId);
  await dropPendingOfAccount(db, config, owner.zoomAccountId);
  await audit(db, {
    tenantId: owner.tenantId,
    actor: "system",
    action: "zoom.grant_adopted",
    details: { zoomAccountId: owner.zoomAccountId, ...details },
  });
}

/** Stores the credential of a confirmed (or same-account) link and starts its refresher. */
async function activate(
  env: Env,
  db: Db,
  config: Config,
  link: {
    tenantId: string;
    createdBy: string;
    me: { id: string; email: string | null; account_id?: string | undefined };
    tokens: TokenSet;
  },
): Promise<string[]> {
  const { tenantId, createdBy, me, tokens } = link;
  const zoomAccountId = me.account_id as string;
  const vault = vaultFor(config);
  const previous = await credentialForTenant(db, tenantId);
  const owned = { tenantId, zoomAccountId };
  const sealed = await sealTokens(vault, owned, tokens);
  const now = Date.now();
  const values = {
    ...owned,
    zoomUserId: me.id,
    zoomUserEmail: me.email ?? null,
    linkedBy: createdBy,
    status: "linked" as const,
    reason: null,
    scopes: tokens.scopes.join(" "),
    apiUrl: tokens.apiUrl ?? null,
    ...sealed,
    linkedAt: now,
    lastRefreshAt: null,
    updatedAt: now,
  };
  await ensureTenant(db, tenantId);
  // The unique zoom_account_id index refuses the write if another tenant linked this account meanwhile.
  await db
    .insert(zoomCredentials)
    .values(values)
    .onConflictDoUpdate({ target: zoomCredentials.tenantId, set: values });

  if (previous && previous.zoomAccountId !== zoomAccountId) {
    // The tenant moved to another Zoom account: end the old grant and its refresher.
    await env.ZOOM_ACCOUNT.getByName(previous.zoomAccountId).forget();
    try {
      await revokeToken(config, (await openTokens(vault, previous)).refreshToken);
    } catch (err) {
      log("warn", "relink: could not revoke the previous account's grant", { err });
    }
  }
  await env.ZOOM_ACCOUNT.getByName(zoomAccountId).linked(zoomAccountId);

  // Grants missing a scope are refused right after the exchange, so this is empty for a stored link.
  const missingScopes = scopesMissing(tokens.scopes, config.zoom.scopeSet);
  const kind = previous ? "relinked" : "linked";
  await audit(db, {
    tenantId,
    actor: createdBy,
    action: kind === "linked" ? "zoom.linked" : "zoom.relinked",
    details: {
      zoomAccountId,
      zoomUserId: me.id,
      missingScopes,
      previousZoomAccountId: previous?.zoomAccountId,
    },
  });
  return missingScopes;
}

export interface PendingLinkView {
  zoomAccountId: string;
  zoomUserEmail: string | null;
  scopes: string[];
  createdAt: string;
  expiresAt: string;
}

const view = (row: PendingRow): PendingLinkView => ({
  zoomAccountId: row.zoomAccountId,
  zoomUserEmail: row.zoomUserEmail,
  scopes: row.scopes.split(" ").filter(Boolean),
  createdAt: new Date(row.createdAt).toISOString(),
  expiresAt: new Date(row.expiresAt).toISOString(),
});

/** The admin's own unexpired pending links, newest first (what the confirmation screen shows). */
export async function pendingLinksOf(db: Db, tenantId: string, userId: string): Promise<PendingLinkView[]> {
  const rows = await db
    .select()
    .from(zoomPendingLinks)
    .where(
      and(
        eq(zoomPendingLinks.tenantId, tenantId),
        eq(zoomPendingLinks.createdBy, userId),
        gt(zoomPendingLinks.expiresAt, Date.now()),
      ),
    )
    .all();
  return rows.sort((a, b) => b.createdAt - a.createdAt).map(view);
}

export class PendingLinkError extends Error {
  constructor(
    readonly status: 404 | 409,
    readonly code: "pending_link_not_found" | "zoom_account_taken" | "handoff_not_found",
    message: string,
  ) {
    super(message);
  }
}

/**
 * POST /v1/zoom/link/confirm: activates a pending link, once. Needs the confirmation secret (only
 * the browser that came back from Zoom has it) and the same tenant and admin that started the link.
 * The row is deleted as it is claimed, so two confirmations cannot both activate it.
 */
export async function confirmPendingLink(
  env: Env,
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  confirmation: string,
): Promise<{ kind: "linked" | "relinked"; missingScopes: string[] }> {
  const notFound = new PendingLinkError(
    404,
    "pending_link_not_found",
    "No pending Zoom link matches: it expired, was already confirmed or cancelled, or was started by someone else.",
  );
  if (!isSecretShaped(confirmation)) throw notFound;
  const row = await db
    .delete(zoomPendingLinks)
    .where(
      and(
        eq(zoomPendingLinks.secretHash, await sha256Hex(confirmation)),
        eq(zoomPendingLinks.tenantId, tenantId),
        eq(zoomPendingLinks.createdBy, userId),
        gt(zoomPendingLinks.expiresAt, Date.now()),
      ),
    )
    .returning()
    .get();
  if (!row) throw notFound;
  const tokens = await openPending(config, row);
  const owner = await credentialForAccount(db, row.zoomAccountId);
  if (owner && owner.tenantId !== tenantId) {
    // Linked elsewhere since Zoom's consent: that link holds a newer grant; this one is dropped.
    await revokeToken(config, tokens.refreshToken);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
  const before = await credentialForTenant(db, tenantId);
  const me = { id: row.zoomUserId, email: row.zoomUserEmail, account_id: row.zoomAccountId };
  let missingScopes: string[];
  try {
    missingScopes = await activate(env, db, config, { tenantId, createdBy: userId, me, tokens });
  } catch (err) {
    log("warn", "link: storing the confirmed credential failed", { tenantId, err });
    await revokeToken(config, tokens.refreshToken);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
  return { kind: before ? "relinked" : "linked", missingScopes };
}

/**
 * POST /v1/zoom/link/claim: a Wise admin takes an unowned Marketplace install for their tenant. It
 * becomes a normal pending link of that admin, with a new confirmation secret returned once.
 */
export async function claimHandoff(
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  handoff: string,
): Promise<{ confirmation: string; pending: PendingLinkView }> {
  const notFound = new PendingLinkError(
    404,
    "handoff_not_found",
    "This Zoom install cannot be claimed: it expired or was already claimed. Add the app from the Zoom Marketplace again, or link Zoom from Wise.",
  );
  if (!isSecretShaped(handoff)) throw notFound;
  const confirmation = randomToken(32);
  const now = Date.now();
  const row = await db
    .update(zoomPendingLinks)
    .set({
      tenantId,
      createdBy: userId,
      secretHash: await sha256Hex(confirmation),
      expiresAt: now + PENDING_TTL_MS,
    })
    .where(
      and(
        eq(zoomPendingLinks.secretHash, await sha256Hex(handoff)),
        isNull(zoomPendingLinks.tenantId),
        gt(zoomPendingLinks.expiresAt, now),
      ),
    )
    .returning()
    .get();
  if (!row) throw notFound;
  const owner = await credentialForAccount(db, row.zoomAccountId);
  if (owner && owner.tenantId !== tenantId) {
    await dropPending(config, db, [row]);
    throw new PendingLinkError(
      409,
      "zoom_account_taken",
      "This Zoom account is linked to another institute.",
    );
  }
  return { confirmation, pending: view(row) };
}

/** DELETE /v1/zoom/link/pending: the admin cancels their pending links; their grants are revoked. */
export async function cancelPendingLinks(db: Db, config: Config, tenantId: string, userId: string) {
  const rows = await db
    .delete(zoomPendingLinks)
    .where(and(eq(zoomPendingLinks.tenantId, tenantId), eq(zoomPendingLinks.createdBy, userId)))
    .returning();
  await revokePending(config, rows);
  return rows.length;
}

/** Cron: drops pending links and handoffs past their time and revokes their grants at Zoom. */
export async function expirePendingLinks(db: Db, config: Config, now = Date.now()): Promise<number> {
  const rows = await db.delete(zoomPendingLinks).where(lte(zoomPendingLinks.expiresAt, now)).returning();
  await revokePending(config, rows);
  return rows.length;
}

async function dropPendingOfAccount(db: Db, config: Config, zoomAccountId: string) {
  const rows = await db
    .delete(zoomPendingLinks)
    .where(eq(zoomPendingLinks.zoomAccountId, zoomAccountId))
    .returning();
  await revokePending(config, rows);
}

async function dropPending(config: Config, db: Db, rows: PendingRow[]) {
  for (const row of rows) await db.delete(zoomPendingLinks).where(eq(zoomPendingLinks.id, row.id));
  await revokePending(config, rows);
}

async function revokePending(config: Config, rows: PendingRow[]) {
  for (const row of rows) {
    try {
      const revoked = await revokeToken(config, (await openPending(config, row)).refreshToken);
      if (!revoked) log("warn", "pending link: Zoom did not confirm the revocation", { id: row.id });
    } catch (err) {
      log("warn", "pending link: could not open its tokens to revoke them", { id: row.id, err });
    }
  }
}

async function fetchMe(config: Config, accessToken: string): Promise<ZoomUser> {
  const res = await fetch(`${config.zoom.apiBaseUrl}/users/me`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(config.zoom.timeoutMs),
  });
  if (!res.ok) throw new ZoomUnavailable(`users/me answered ${res.status}`);
  return ZoomUser.parse(await res.json());
}
