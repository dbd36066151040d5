// Zoom's answer to a link attempt (GET /oauth/zoom/callback): state and browser cookie checked, the
// code exchanged, the Zoom user read, and only a *pending* link stored for the admin to confirm.
// Marketplace installs (no state) become an unowned pending link. A refused attempt never ends
// another tenant's working link.
import { and, eq, gt, isNull } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Db } from "../db/client.ts";
import { oauthStates } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import { credentialForAccount, vaultFor } from "../zoom/credentials.ts";
import { ZoomNeedsRelink, ZoomUnavailable } from "../zoom/errors.ts";
import { exchangeCode, revokeToken, type TokenSet } from "../zoom/oauth.ts";
import { ZoomUser } from "../zoom/schemas.ts";
import { refusedGrantMessage, missingScopes as scopesMissing } from "../zoom/scopes.ts";
import { activate, adoptGrant } from "./activate.ts";
import { storePending } from "./pending-store.ts";
import { HANDOFF_TTL_MS, isSecretShaped, PENDING_TTL_MS, safeReturnTo, verifierContext } from "./start.ts";

export type LinkOutcome =
  | { kind: "relinked"; tenantId: string; returnTo: string | null }
  | { kind: "pending"; confirmation: string; returnTo: string | null; zoomUserEmail: string | null }
  | { kind: "handoff"; handoff: string; zoomUserEmail: string | null }
  | { kind: "denied"; returnTo: string | null }
  | { kind: "failed"; status: number; title: string; message: string; returnTo: string | null };

export const failed = (
  status: number,
  title: string,
  message: string,
  returnTo: string | null = null,
): Extract<LinkOutcome, { kind: "failed" }> => ({
  kind: "failed",
  status,
  title,
  message,
  returnTo,
});

export const startAgain = "Start linking Zoom again from your Wise profile page.";
export const OTHER_INSTITUTE_MESSAGE =
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
    await activate(env, db, config, {
      tenantId: claimed.tenantId,
      createdBy: claimed.createdBy,
      me: { id: me.id, email: me.email, account_id: zoomAccountId },
      tokens,
    });
    return { kind: "relinked", tenantId: claimed.tenantId, returnTo };
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
export async function marketplaceInstall(
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
export async function refusePartialGrant(
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

export function exchangeFailed(err: unknown, returnTo: string | null): LinkOutcome {
  return err instanceof ZoomNeedsRelink
    ? failed(
        400,
        "Zoom refused the authorization",
        "The authorization could not be completed. Start again.",
        returnTo,
      )
    : zoomNotAnswering(returnTo);
}

const zoomNotAnswering = (returnTo: string | null = null) =>
  failed(502, "Zoom is not answering", "Zoom could not be reached. Try linking again in a minute.", returnTo);

/** The Zoom user behind fresh tokens; on failure the grant is revoked and a failure returned. */
export async function accountOf(
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
    return zoomNotAnswering();
  }
  if (!me.account_id) {
    await revokeToken(config, tokens.refreshToken);
    return failed(502, "Zoom did not name the account", "Try linking again in a minute.");
  }
  return me;
}

export async function fetchMe(config: Config, accessToken: string): Promise<ZoomUser> {
  const res = await fetch(`${config.zoom.apiBaseUrl}/users/me`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(config.zoom.timeoutMs),
  });
  if (!res.ok) throw new ZoomUnavailable(`users/me answered ${res.status}`);
  return ZoomUser.parse(await res.json());
}
