// Zoom's OAuth 2.0 endpoints through oauth4webapi: authorization URL with PKCE S256, code exchange,
// refresh, revocation. Failures are classified here: terminal (the admin must link again) versus
// transient (network, 5xx, XML or unparsable bodies), because only the former may end a link.
import * as oauth from "oauth4webapi";
import type { Config } from "../platform/config.ts";
import { ZoomNeedsRelink, ZoomUnavailable } from "./errors.ts";
import { requestedScopes } from "./scopes.ts";

export interface TokenSet {
  accessToken: string;
  refreshToken: string;
  /** epoch ms, computed from expires_in (often 3599), never assumed. */
  accessTokenExpiresAt: number;
  scopes: string[];
  apiUrl: string | undefined;
}

function server(config: Config): oauth.AuthorizationServer {
  const base = config.zoom.oauthBaseUrl;
  return {
    issuer: base,
    authorization_endpoint: `${base}/oauth/authorize`,
    token_endpoint: `${base}/oauth/token`,
    revocation_endpoint: `${base}/oauth/revoke`,
  };
}

function requestOptions(config: Config) {
  return {
    // The emulator runs on plain http://localhost; production Zoom is https only.
    [oauth.allowInsecureRequests]: config.zoom.oauthBaseUrl.startsWith("http://"),
    signal: () => AbortSignal.timeout(config.zoom.timeoutMs),
  };
}

const client = (config: Config): oauth.Client => ({ client_id: config.zoom.clientId });
/**
 * Zoom documents `Basic base64(client_id:client_secret)` of the raw values. oauth4webapi's
 * ClientSecretBasic form-encodes them first (RFC 6749 2.3.1), which changes ids with "-" or "."
 * and is refused by Zoom, so the header is built as Zoom asks.
 */
const auth =
  (config: Config): oauth.ClientAuth =>
  (_as, _client, _body, headers) => {
    headers.set("authorization", `Basic ${btoa(`${config.zoom.clientId}:${config.zoom.clientSecret}`)}`);
  };

export function redirectUri(config: Config): string {
  return `${config.publicBaseUrl}/oauth/zoom/callback`;
}

export async function authorizationUrl(config: Config, state: string, codeVerifier: string): Promise<string> {
  const url = new URL(`${config.zoom.oauthBaseUrl}/oauth/authorize`);
  url.searchParams.set("response_type", "code");
  url.searchParams.set("client_id", config.zoom.clientId);
  url.searchParams.set("redirect_uri", redirectUri(config));
  url.searchParams.set("state", state);
  url.searchParams.set("code_challenge", await oauth.calculatePKCECodeChallenge(codeVerifier));
  url.searchParams.set("code_challenge_method", "S256");
  // One naming only: Zoom refuses an authorization that mixes classic and granular scopes. Commas,
  // because Zoom's authorize page has refused several space-separated scopes (error 4700).
  url.searchParams.set("scope", requestedScopes(config.zoom.scopeSet).join(","));
  return url.toString();
}

// Zoom's terminal token errors (ZOOM.md): invalid_grant, and 4735 owner gone, 4737 not found,
// 4738 disabled by admin, 4741 revoked. Zoom once answered invalid_request for a dead token too.
const TERMINAL_ZOOM_CODES = new Set([4735, 4737, 4738, 4741]);

function classify(err: unknown, body?: Record<string, unknown>): Error {
  if (err instanceof oauth.ResponseBodyError) {
    const code = Number(err.cause.code);
    const reason = String(err.cause.reason ?? err.error_description ?? err.error);
    if (err.status >= 500) return new ZoomUnavailable(`token endpoint answered ${err.status}`);
    if (err.error === "invalid_grant" || err.error === "invalid_request" || TERMINAL_ZOOM_CODES.has(code)) {
      return new ZoomNeedsRelink(`${err.error}${Number.isFinite(code) ? ` ${code}` : ""}: ${reason}`);
    }
    if (err.error === "invalid_client")
      return new ZoomUnavailable(`Zoom refused our client credentials (${reason})`);
    return new ZoomUnavailable(`token endpoint error ${err.error}: ${reason}`);
  }
  if (body && TERMINAL_ZOOM_CODES.has(Number(body.code))) {
    return new ZoomNeedsRelink(`zoom code ${body.code}: ${String(body.reason ?? body.message ?? "")}`);
  }
  // Network errors, timeouts, HTML/XML or truncated bodies: transient by definition here.
  const message = err instanceof Error ? `${err.name}: ${err.message}` : String(err);
  return new ZoomUnavailable(`token endpoint failed: ${message}`);
}

function toTokenSet(r: oauth.TokenEndpointResponse, now: number): TokenSet {
  if (!r.refresh_token) throw new ZoomUnavailable("token response without refresh_token");
  const expiresIn = typeof r.expires_in === "number" && r.expires_in > 0 ? r.expires_in : 3599;
  return {
    accessToken: r.access_token,
    refreshToken: r.refresh_token,
    accessTokenExpiresAt: now + expiresIn * 1000,
    scopes: (r.scope ?? "").split(/[\s,]+/).filter(Boolean),
    apiUrl: typeof r.api_url === "string" ? r.api_url : undefined,
  };
}

/** Reads a failed non-JSON token response to see whether it still carries a terminal Zoom code. */
async function peekBody(res: Response): Promise<Record<string, unknown> | undefined> {
  try {
    const parsed = (await res.clone().json()) as unknown;
    return parsed && typeof parsed === "object" ? (parsed as Record<string, unknown>) : undefined;
  } catch {
    return undefined;
  }
}

/**
 * Exchanges the authorization code of a callback whose state the caller already matched to a
 * stored, unused request (`state`), proving possession with the PKCE verifier. A Zoom Marketplace
 * install has neither (`expectNoState`, `nopkce`): Zoom sends the code alone.
 */
export async function exchangeCode(
  config: Config,
  callback: URLSearchParams,
  state: string | typeof oauth.expectNoState,
  codeVerifier: string | typeof oauth.nopkce,
): Promise<TokenSet> {
  const as = server(config);
  let res: Response | undefined;
  try {
    const params = oauth.validateAuthResponse(as, client(config), callback, state);
    res = await oauth.authorizationCodeGrantRequest(
      as,
      client(config),
      auth(config),
      params,
      redirectUri(config),
      codeVerifier,
      requestOptions(config),
    );
    const body = res.ok ? undefined : await peekBody(res);
    try {
      return toTokenSet(await oauth.processAuthorizationCodeResponse(as, client(config), res), Date.now());
    } catch (err) {
      throw classify(err, body);
    }
  } catch (err) {
    throw err instanceof ZoomNeedsRelink || err instanceof ZoomUnavailable ? err : classify(err);
  }
}

export async function refreshTokens(config: Config, refreshToken: string): Promise<TokenSet> {
  const as = server(config);
  let res: Response;
  try {
    res = await oauth.refreshTokenGrantRequest(
      as,
      client(config),
      auth(config),
      refreshToken,
      requestOptions(config),
    );
  } catch (err) {
    throw classify(err);
  }
  const body = res.ok ? undefined : await peekBody(res);
  try {
    return toTokenSet(await oauth.processRefreshTokenResponse(as, client(config), res), Date.now());
  } catch (err) {
    throw classify(err, body);
  }
}

/** Revokes a token at Zoom (its whole grant). Best effort: returns whether Zoom confirmed. */
export async function revokeToken(config: Config, token: string): Promise<boolean> {
  try {
    const res = await oauth.revocationRequest(
      server(config),
      client(config),
      auth(config),
      token,
      requestOptions(config),
    );
    await oauth.processRevocationResponse(res);
    return true;
  } catch {
    return false;
  }
}
