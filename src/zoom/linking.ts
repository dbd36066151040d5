// Linking a tenant to a Zoom account: the authorization request (state + PKCE), the callback
// (single-use state, code exchange, account lookup, scope check, storage) and the redirect back.

import { and, eq, gt, isNull } from "drizzle-orm";
import * as oauth from "oauth4webapi";
import type { Config } from "../config.ts";
import { audit } from "../db/audit.ts";
import type { Db } from "../db/client.ts";
import { oauthStates, zoomCredentials } from "../db/schema.ts";
import { ensureTenant } from "../db/tenants.ts";
import type { Env } from "../env.ts";
import { log } from "../http/log.ts";
import { randomToken, sha256Hex } from "../tokens/encoding.ts";
import {
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

export async function startLink(
  db: Db,
  config: Config,
  tenantId: string,
  userId: string,
  returnTo: string | null,
): Promise<string> {
  const state = randomToken(32);
  const verifier = oauth.generateRandomCodeVerifier();
  await db.insert(oauthStates).values({
    stateHash: await sha256Hex(state),
    tenantId,
    createdBy: userId,
    codeVerifierEnc: await vaultFor(config).encrypt(verifier, verifierContext(tenantId)),
    returnTo,
    expiresAt: Date.now() + STATE_TTL_MS,
  });
  return authorizationUrl(config, state, verifier);
}

export type LinkOutcome =
  | { kind: "linked" | "relinked"; tenantId: string; returnTo: string | null; missingScopes: string[] }
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

/** Handles GET /oauth/zoom/callback. Nothing is stored unless every check passes. */
export async function completeLink(
  env: Env,
  db: Db,
  config: Config,
  query: URLSearchParams,
): Promise<LinkOutcome> {
  const state = query.get("state");
  if (!state || state.length > 512) {
    return failed(
      400,
      "This link request is not valid",
      "Start linking Zoom again from your Wise profile page.",
    );
  }
  const stateHash = await sha256Hex(state);
  // Single use: the first request to flip used_at wins; replays and expired states find nothing.
  const claimed = await db
    .update(oauthStates)
    .set({ usedAt: Date.now() })
    .where(
      and(
        eq(oauthStates.stateHash, stateHash),
        isNull(oauthStates.usedAt),
        gt(oauthStates.expiresAt, Date.now()),
      ),
    )
    .returning()
    .get();
  if (!claimed) {
    return failed(
      400,
      "This link request has expired or was already used",
      "Start linking Zoom again from your Wise profile page.",
    );
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

  const missing = scopesMissing(tokens.scopes, config.zoom.scopeSet);
  if (missing.length) {
    // A partial grant would fail later, call by call: end it now and say what to add in Zoom.
    await revokeToken(config, tokens.refreshToken);
    return failed(
      403,
      "Zoom did not grant every permission Wise needs",
      refusedGrantMessage(missing),
      returnTo,
    );
  }

  let me: ZoomUser;
  try {
    me = await fetchMe(config, tokens.accessToken);
  } catch (err) {
    log("warn", "link: reading the Zoom user failed", { tenantId: claimed.tenantId, err });
    await revokeToken(config, tokens.refreshToken);
    return failed(
      502,
      "Zoom is not answering",
      "Zoom could not be reached. Try linking again in a minute.",
      returnTo,
    );
  }
  const zoomAccountId = me.account_id;
  if (!zoomAccountId) {
    await revokeToken(config, tokens.refreshToken);
    return failed(502, "Zoom did not name the account", "Try linking again in a minute.", returnTo);
  }

  const owner = await credentialForAccount(db, zoomAccountId);
  if (owner && owner.tenantId !== claimed.tenantId) {
    await revokeToken(config, tokens.refreshToken);
    return failed(
      409,
      "This Zoom account is linked to another institute",
      "A Zoom account can be linked to one Wise institute only. Unlink it there first, or sign in to another Zoom account.",
      returnTo,
    );
  }

  const previous = await credentialForTenant(db, claimed.tenantId);
  const owned = { tenantId: claimed.tenantId, zoomAccountId };
  const sealed = await sealTokens(vault, owned, tokens);
  const now = Date.now();
  const values = {
    ...owned,
    zoomUserId: me.id,
    zoomUserEmail: me.email,
    linkedBy: claimed.createdBy,
    status: "linked" as const,
    reason: null,
    scopes: tokens.scopes.join(" "),
    apiUrl: tokens.apiUrl ?? null,
    ...sealed,
    linkedAt: now,
    lastRefreshAt: null,
    updatedAt: now,
  };
  await ensureTenant(db, claimed.tenantId);
  try {
    await db
      .insert(zoomCredentials)
      .values(values)
      .onConflictDoUpdate({ target: zoomCredentials.tenantId, set: values });
  } catch (err) {
    // The unique zoom_account_id index: another tenant linked this account in the meantime.
    log("warn", "link: storing the credential failed", { tenantId: claimed.tenantId, err });
    await revokeToken(config, tokens.refreshToken);
    return failed(
      409,
      "This Zoom account is linked to another institute",
      "Unlink it there first.",
      returnTo,
    );
  }

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

  // Refused above when any is missing, so a stored link has every scope.
  const missingScopes = missing;
  const kind = previous ? "relinked" : "linked";
  await audit(db, {
    tenantId: claimed.tenantId,
    actor: claimed.createdBy,
    action: kind === "linked" ? "zoom.linked" : "zoom.relinked",
    details: {
      zoomAccountId,
      zoomUserId: me.id,
      missingScopes,
      previousZoomAccountId: previous?.zoomAccountId,
    },
  });
  return { kind, tenantId: claimed.tenantId, returnTo, missingScopes };
}

async function fetchMe(config: Config, accessToken: string): Promise<ZoomUser> {
  const res = await fetch(`${config.zoom.apiBaseUrl}/users/me`, {
    headers: { authorization: `Bearer ${accessToken}`, accept: "application/json" },
    signal: AbortSignal.timeout(config.zoom.timeoutMs),
  });
  if (!res.ok) throw new ZoomUnavailable(`users/me answered ${res.status}`);
  return ZoomUser.parse(await res.json());
}
