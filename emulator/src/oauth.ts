// Zoom's OAuth endpoints: authorize (consent page and decision), token (authorization_code and
// refresh_token grants) and revoke.
import type { Core } from "./core.ts";
import type { Client, TokenRow } from "./db.ts";
import { html, json, OAuthError, redirect, type WireRequest, type WireResponse } from "./http.ts";
import { newOpaque } from "./ids.ts";
import { consentPage, errorPage } from "./pages.ts";
import { verifyS256 } from "./pkce.ts";
import { kindOf, parseScopes } from "./scopes.ts";
import { consumeRefreshToken, type IssuedTokens, issueTokens, revokeGrantOf, startGrant } from "./tokens.ts";

const CODE_TTL_MS = 5 * 60 * 1000;

const AUTHORIZE_PARAMS = [
  "response_type",
  "client_id",
  "redirect_uri",
  "state",
  "code_challenge",
  "code_challenge_method",
  "scope",
] as const;

function appendQuery(url: string, params: Record<string, string>): string {
  const u = new URL(url);
  for (const [k, v] of Object.entries(params)) u.searchParams.set(k, v);
  return u.toString();
}

interface AuthorizeCheck {
  client?: Client;
  /** What the request asks for: its `scope`, or every scope of the app when it names none. */
  scopes?: string[];
  page?: WireResponse;
}

/**
 * Zoom shows its own page (no redirect) when a request names scopes the app does not hold or mixes
 * classic and granular names: an app's scopes are of one kind.
 */
function checkScopes(client: Client, raw: string | undefined): { scopes?: string[]; page?: WireResponse } {
  const scopes = raw ? parseScopes(raw) : [...client.scopes];
  if (kindOf(scopes) === "mixed") {
    return {
      page: html(
        400,
        errorPage(
          "Invalid scope",
          "The request mixes classic and granular scopes; an app uses one kind only.",
        ),
      ),
    };
  }
  const unknown = scopes.filter((s) => !client.scopes.includes(s));
  if (unknown.length) {
    return {
      page: html(
        400,
        errorPage("Invalid scope", `This app does not have these scopes: ${unknown.join(", ")}`),
      ),
    };
  }
  return { scopes };
}

/**
 * Problems with the client or redirect URI get an error page: redirecting to an unverified URI
 * would make the emulator an open redirector (RFC 6749 section 4.1.2.1). Everything else is
 * reported to the redirect URI.
 */
function checkAuthorize(core: Core, p: Record<string, string>): AuthorizeCheck {
  const client = p.client_id ? core.db.client(p.client_id) : undefined;
  if (!client)
    return { page: html(400, errorPage("Invalid client_id", `Unknown client_id: ${p.client_id ?? ""}`)) };
  if (!p.redirect_uri || !client.redirectUris.includes(p.redirect_uri)) {
    return {
      page: html(
        400,
        errorPage("Invalid redirect", `The redirect URI is not allowed for this app: ${p.redirect_uri}`),
      ),
    };
  }
  const fail = (error: string, description: string) => ({
    page: redirect(
      appendQuery(p.redirect_uri ?? "", {
        error,
        error_description: description,
        ...(p.state ? { state: p.state } : {}),
      }),
    ),
  });
  if (p.response_type !== "code") return fail("unsupported_response_type", "response_type must be code");
  if (p.code_challenge && p.code_challenge_method !== "S256") {
    return fail("invalid_request", "code_challenge_method must be S256");
  }
  const scoped = checkScopes(client, p.scope);
  return scoped.scopes ? { client, scopes: scoped.scopes } : { page: scoped.page as WireResponse };
}

function signInChoices(core: Core): { id: string; label: string }[] {
  const choices: { id: string; label: string }[] = [];
  for (const account of core.db.accounts()) {
    for (const u of core.db.usersOf(account.id)) {
      if (u.status === "active" && (u.role === "Owner" || u.role === "Admin")) {
        choices.push({ id: u.id, label: `${u.email} (${u.role.toLowerCase()}, ${account.name})` });
      }
    }
  }
  return choices;
}

export function authorizePage(core: Core, req: WireRequest): WireResponse {
  const check = checkAuthorize(core, req.query);
  if (!check.client) return check.page as WireResponse;
  const hidden: Record<string, string> = {};
  for (const k of AUTHORIZE_PARAMS) if (req.query[k]) hidden[k] = req.query[k];
  const ownerA = core.db.accounts()[0]?.ownerId ?? "";
  return html(
    200,
    consentPage({
      appName: check.client.name,
      scopes: check.scopes ?? [],
      users: signInChoices(core),
      selectedUserId: ownerA,
      hidden,
    }),
  );
}

/**
 * The Zoom App Marketplace's "Add" button: the same authorize page, for the app's redirect URI,
 * without state or PKCE (the integrator did not start this flow), so the code arrives alone.
 */
export function marketplaceAdd(core: Core, clientId: string, redirectUri: string | undefined): WireResponse {
  const client = core.db.client(clientId);
  if (!client) return html(404, errorPage("App not found", `No app with client_id ${clientId}`));
  const target = redirectUri ?? client.redirectUris[0] ?? "";
  if (!client.redirectUris.includes(target)) {
    return html(
      400,
      errorPage("Invalid redirect", `The redirect URI is not allowed for this app: ${target}`),
    );
  }
  const q = new URLSearchParams({ response_type: "code", client_id: clientId, redirect_uri: target });
  return redirect(`/oauth/authorize?${q}`);
}

export function authorizeDecision(core: Core, req: WireRequest): WireResponse {
  const params = new URLSearchParams(req.body);
  const form = Object.fromEntries(params);
  const check = checkAuthorize(core, form);
  if (!check.client) return check.page as WireResponse;
  const redirectUri = form.redirect_uri as string;
  const state: Record<string, string> = form.state ? { state: form.state } : {};
  if (form.decision !== "approve")
    return redirect(appendQuery(redirectUri, { error: "access_denied", ...state }));
  const user = form.user_id ? core.db.user(form.user_id) : undefined;
  if (!user || !signInChoices(core).some((c) => c.id === user.id)) {
    return html(400, errorPage("Invalid user", "Choose an owner or admin to sign in as."));
  }
  // Zoom lets the user decline optional scopes: the consent page's boxes say which were kept.
  const requested = check.scopes ?? [];
  const granted = form.choose_scopes ? params.getAll("granted") : requested;
  if (granted.some((s) => !requested.includes(s))) {
    return html(400, errorPage("Invalid scope", "Only the requested scopes can be granted."));
  }
  const code = newOpaque(24);
  core.db.putCode({
    code,
    clientId: check.client.clientId,
    redirectUri,
    userId: user.id,
    accountId: user.accountId,
    scopes: granted,
    codeChallenge: form.code_challenge || undefined,
    expiresAt: core.now() + CODE_TTL_MS,
    used: false,
  });
  return redirect(appendQuery(redirectUri, { code, ...state }));
}

function authenticateClient(core: Core, authorization: string | undefined): Client {
  const m = /^Basic\s+(\S+)$/i.exec(authorization ?? "");
  let decoded = "";
  try {
    decoded = m?.[1] ? atob(m[1]) : "";
  } catch {
    decoded = "";
  }
  const sep = decoded.indexOf(":");
  const client = sep > 0 ? core.db.client(decoded.slice(0, sep)) : undefined;
  if (!client || client.clientSecret !== decoded.slice(sep + 1)) {
    throw new OAuthError(401, "invalid_client", "Invalid client_id or client_secret");
  }
  return client;
}

function invalidGrant(core: Core, reason: string, code?: number): OAuthError {
  core.db.increment("stat:invalidGrants");
  return new OAuthError(400, "invalid_grant", reason, code);
}

function tokenResponse(origin: string, t: IssuedTokens) {
  return json(200, {
    access_token: t.accessToken,
    token_type: "bearer",
    refresh_token: t.refreshToken,
    expires_in: t.expiresIn,
    scope: t.scopes.join(" "),
    api_url: origin,
  });
}

/** The account a token request concerns, so faults can be scoped to one account. */
export function tokenRequestAccount(core: Core, req: WireRequest): string | undefined {
  const form = new URLSearchParams(req.body);
  const refresh = form.get("refresh_token");
  if (refresh) return core.db.one<TokenRow>("SELECT * FROM tokens WHERE token = ?", refresh)?.account_id;
  const code = form.get("code");
  return code ? core.db.code(code)?.accountId : undefined;
}

export async function token(core: Core, req: WireRequest): Promise<WireResponse> {
  const client = authenticateClient(core, req.headers.authorization);
  const form = new URLSearchParams(req.body);
  const grantType = form.get("grant_type");
  if (grantType === "authorization_code") {
    const code = core.db.code(form.get("code") ?? "");
    if (!code || code.used || code.clientId !== client.clientId)
      throw invalidGrant(core, "Invalid authorization code", 4734);
    // Burn the code before any await so a replay racing this request fails too.
    core.db.putCode({ ...code, used: true });
    if (code.expiresAt <= core.now()) throw invalidGrant(core, "Authorization code is expired.", 4733);
    if (form.get("redirect_uri") !== code.redirectUri) throw invalidGrant(core, "Redirect URI mismatch.");
    if (code.codeChallenge) {
      const verifier = form.get("code_verifier") ?? "";
      if (!(await verifyS256(verifier, code.codeChallenge)))
        throw invalidGrant(core, "Invalid code_verifier");
    }
    const grant = startGrant(core, {
      accountId: code.accountId,
      userId: code.userId,
      clientId: client.clientId,
      scopes: code.scopes,
    });
    core.db.increment("stat:grant:authorization_code");
    return tokenResponse(req.origin, issueTokens(core, grant));
  }
  if (grantType === "refresh_token") {
    const consumed = consumeRefreshToken(core, form.get("refresh_token") ?? "", client.clientId);
    if ("refused" in consumed) throw invalidGrant(core, consumed.refused.reason, consumed.refused.code);
    const row = consumed.row;
    core.db.increment("stat:grant:refresh_token");
    return tokenResponse(
      req.origin,
      issueTokens(core, {
        grantId: row.grant_id,
        accountId: row.account_id,
        userId: row.user_id,
        clientId: row.client_id,
        scopes: row.scopes.split(" ").filter(Boolean),
      }),
    );
  }
  throw new OAuthError(400, "unsupported_grant_type", "Unsupported grant type");
}

/** RFC 7009: revoking an unknown token still answers success. */
export function revoke(core: Core, req: WireRequest): WireResponse {
  authenticateClient(core, req.headers.authorization);
  const tokenValue = new URLSearchParams(req.body).get("token") ?? "";
  if (revokeGrantOf(core, tokenValue)) core.db.increment("stat:revocations");
  return json(200, { status: "success" });
}
