// Access, refresh and download tokens: issue, look up, rotate and revoke. Refresh tokens are
// single-use and rotate on every use, as Zoom's current tokens do.
import type { Core } from "./core.ts";
import type { TokenRow } from "./db.ts";
import { newOpaque, newToken } from "./ids.ts";

export const ACCESS_TTL_SECONDS = 3599;
/** Sources disagree on the refresh token lifetime (15 years vs about 90 days): take the short one. */
export const REFRESH_TTL_SECONDS = 90 * 24 * 3600;
/** `download_token` of recording.completed and `download_access_token` live 24 hours. */
export const DOWNLOAD_TTL_SECONDS = 24 * 3600;

export interface Grant {
  grantId: string;
  accountId: string;
  userId: string;
  clientId: string;
  scopes: string[];
}

export interface IssuedTokens {
  accessToken: string;
  refreshToken: string;
  scopes: string[];
  /** Seconds the access token lives: the token response's `expires_in`. */
  expiresIn: number;
}

export function issueTokens(core: Core, grant: Grant): IssuedTokens {
  const now = core.now();
  const accessToken = newToken();
  const refreshToken = newToken();
  const insert = (token: string, kind: string, ttl: number) =>
    core.db.run(
      "INSERT INTO tokens (token, kind, grant_id, account_id, user_id, client_id, scopes, expires_at) VALUES (?, ?, ?, ?, ?, ?, ?, ?)",
      token,
      kind,
      grant.grantId,
      grant.accountId,
      grant.userId,
      grant.clientId,
      grant.scopes.join(" "),
      now + ttl * 1000,
    );
  const expiresIn = core.config().accessTokenTtlSeconds ?? ACCESS_TTL_SECONDS;
  insert(accessToken, "access", expiresIn);
  insert(refreshToken, "refresh", REFRESH_TTL_SECONDS);
  return { accessToken, refreshToken, scopes: grant.scopes, expiresIn };
}

/** A new authorization of the same account by the same app revokes everything issued before (Zoom 4741). */
export function startGrant(core: Core, fields: Omit<Grant, "grantId">): Grant {
  revokeAccount(core, fields.accountId, fields.clientId);
  return { ...fields, grantId: `g_${newOpaque(12)}` };
}

export function revokeAccount(core: Core, accountId: string, clientId?: string): number {
  const before = validTokens(core).access.length + validTokens(core).refresh.length;
  if (clientId) {
    core.db.run(
      "UPDATE tokens SET revoked = 1 WHERE account_id = ? AND client_id = ? AND kind != 'download'",
      accountId,
      clientId,
    );
  } else {
    core.db.run("UPDATE tokens SET revoked = 1 WHERE account_id = ? AND kind != 'download'", accountId);
  }
  return before - (validTokens(core).access.length + validTokens(core).refresh.length);
}

export function revokeGrantOf(core: Core, token: string): boolean {
  const row = core.db.one<TokenRow>("SELECT * FROM tokens WHERE token = ? AND kind != 'download'", token);
  if (!row) return false;
  core.db.run("UPDATE tokens SET revoked = 1 WHERE grant_id = ?", row.grant_id);
  return true;
}

/** A usable access token, or undefined when unknown, expired or revoked. */
export function accessToken(core: Core, token: string): TokenRow | undefined {
  const row = core.db.one<TokenRow>("SELECT * FROM tokens WHERE token = ? AND kind = 'access'", token);
  if (!row || row.revoked || row.expires_at <= core.now()) return undefined;
  return row;
}

/** Why a refresh token was refused, as Zoom words it: `code` is Zoom's OAuth error code, if any. */
export interface RefreshRefusal {
  reason: string;
  code?: number;
}

/**
 * Consumes a refresh token. The check and the mark happen without an await in between, so two
 * racing refreshes with the same token cannot both win. A refusal says why, with Zoom's codes:
 * 4737 unknown token, 4741 revoked (a later authorization or a revoke), 4735 the user who
 * authorized is gone, 4738 the account's admin disabled the app; a used (rotated) or expired token
 * is the bare `Invalid Token!` Zoom sends.
 */
export function consumeRefreshToken(
  core: Core,
  token: string,
  clientId: string,
): { row: TokenRow } | { refused: RefreshRefusal } {
  const row = core.db.one<TokenRow>("SELECT * FROM tokens WHERE token = ? AND kind = 'refresh'", token);
  if (!row || row.client_id !== clientId) return { refused: { reason: "Token does not exist.", code: 4737 } };
  if (row.revoked) return { refused: { reason: "Token has been revoked.", code: 4741 } };
  if (row.used || row.expires_at <= core.now()) return { refused: { reason: "Invalid Token!" } };
  if (core.db.account(row.account_id)?.appDisabled) {
    return { refused: { reason: "The app has been disabled by the account's admin.", code: 4738 } };
  }
  if (!core.db.user(row.user_id))
    return { refused: { reason: "Owner of token does not exist.", code: 4735 } };
  core.db.run("UPDATE tokens SET used = 1 WHERE token = ?", token);
  return { row };
}

/**
 * An access token standing for the account owner in Zoom's web portal, where no app scopes apply:
 * tests act as the admin with it (recover a recording, deactivate a user) whatever the app was granted.
 */
export function issuePortalToken(core: Core, accountId: string, userId: string, scopes: string[]): string {
  const token = newToken();
  core.db.run(
    "INSERT INTO tokens (token, kind, grant_id, account_id, user_id, client_id, scopes, expires_at) VALUES (?, 'access', ?, ?, ?, 'zoom-web-portal', ?, ?)",
    token,
    `p_${newOpaque(8)}`,
    accountId,
    userId,
    scopes.join(" "),
    core.now() + ACCESS_TTL_SECONDS * 1000,
  );
  return token;
}

export function issueDownloadToken(core: Core, accountId: string, userId: string): string {
  const token = newToken();
  core.db.run(
    "INSERT INTO tokens (token, kind, grant_id, account_id, user_id, client_id, scopes, expires_at) VALUES (?, 'download', ?, ?, ?, '', 'recording:read:admin', ?)",
    token,
    `d_${newOpaque(8)}`,
    accountId,
    userId,
    core.now() + DOWNLOAD_TTL_SECONDS * 1000,
  );
  return token;
}

export function downloadToken(core: Core, token: string): TokenRow | undefined {
  const row = core.db.one<TokenRow>("SELECT * FROM tokens WHERE token = ? AND kind = 'download'", token);
  if (!row || row.revoked || row.expires_at <= core.now()) return undefined;
  return row;
}

export function validTokens(core: Core): { access: string[]; refresh: string[] } {
  const now = core.now();
  const pick = (kind: string) =>
    core.db
      .all<{ token: string }>(
        "SELECT token FROM tokens WHERE kind = ? AND revoked = 0 AND used = 0 AND expires_at > ? ORDER BY rowid",
        kind,
        now,
      )
      .map((r) => r.token);
  return { access: pick("access"), refresh: pick("refresh") };
}

/** The bearer token of an Authorization header, if it is one. */
export function bearer(authorization: string | undefined): string | undefined {
  const m = /^Bearer\s+(\S+)\s*$/i.exec(authorization ?? "");
  return m?.[1];
}
