// OAuth behaviour: consent page, codes (single use, 5 minutes, PKCE, redirect URI), refresh
// rotation, re-authorization and revocation, and what happens to tokens afterwards.
import { beforeEach, describe, expect, it } from "vitest";
import {
  advance,
  api,
  authorize,
  BASIC,
  CLIENT_ID,
  control,
  getCode,
  OWNER_B,
  pkcePair,
  REDIRECT_URI,
  reset,
  type Tokens,
  tokenRequest,
  ZOOM,
} from "./helpers.ts";

beforeEach(reset);

const ACCOUNT_A = "emuAcctA1";
/** An admin (not the owner) of account A, who may authorize the app and can be deleted. */
const ADMIN_A = "Lp0aZr5cS9OyJm2kVt8uGg";

describe("authorize", () => {
  it("renders a consent form that works without JavaScript", async () => {
    const { challenge } = await pkcePair();
    const q = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: "abc",
      code_challenge: challenge,
      code_challenge_method: "S256",
    });
    const res = await fetch(`${ZOOM}/oauth/authorize?${q}`);
    expect(res.status).toBe(200);
    const page = await res.text();
    expect(page).toContain('<form method="post" action="/oauth/authorize">');
    expect(page).not.toContain("<script");
    expect(page).toContain("Wise");
    // A client registered today holds granular scopes; each can be declined on the page.
    expect(page).toContain(
      '<input type="checkbox" name="granted" value="cloud_recording:read:list_recording_files:admin" checked>',
    );
    expect(page).toContain('<select id="user_id" name="user_id">');
    expect(page).toContain("owner@school-a.example");
    expect(page).toContain("owner@school-b.example");
    expect(page).toContain('name="decision" value="approve">Authorize');
    expect(page).toContain('name="decision" value="deny"');
    expect(page).toContain(`name="code_challenge" value="${challenge}"`);
    expect(page).toContain('name="state" value="abc"');
    expect(page).toContain('name="viewport"');
  });

  it("approve redirects with code and state; deny with access_denied", async () => {
    const base = {
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      state: "s-9",
      user_id: OWNER_B,
    };
    const ok = await fetch(`${ZOOM}/oauth/authorize`, {
      method: "POST",
      body: new URLSearchParams({ ...base, decision: "approve" }),
      redirect: "manual",
    });
    expect(ok.status).toBe(302);
    const loc = new URL(ok.headers.get("location") ?? "");
    expect(`${loc.origin}${loc.pathname}`).toBe(REDIRECT_URI);
    expect(loc.searchParams.get("state")).toBe("s-9");
    expect(loc.searchParams.get("code")).toBeTruthy();
    const denied = await fetch(`${ZOOM}/oauth/authorize`, {
      method: "POST",
      body: new URLSearchParams({ ...base, decision: "deny" }),
      redirect: "manual",
    });
    const dl = new URL(denied.headers.get("location") ?? "");
    expect(dl.searchParams.get("error")).toBe("access_denied");
    expect(dl.searchParams.get("state")).toBe("s-9");
    expect(dl.searchParams.get("code")).toBeNull();
  });

  it("shows an error page (no redirect) for an unknown client or redirect URI", async () => {
    for (const q of [
      { client_id: "nope", redirect_uri: REDIRECT_URI },
      { client_id: CLIENT_ID, redirect_uri: "https://evil.example/cb" },
      { client_id: CLIENT_ID, redirect_uri: `${REDIRECT_URI}/x` },
    ]) {
      const res = await fetch(
        `${ZOOM}/oauth/authorize?${new URLSearchParams({ response_type: "code", ...q })}`,
        {
          redirect: "manual",
        },
      );
      expect(res.status).toBe(400);
      expect(res.headers.get("location")).toBeNull();
      expect(res.headers.get("content-type")).toContain("text/html");
    }
  });

  it("refuses the plain PKCE method", async () => {
    const q = new URLSearchParams({
      response_type: "code",
      client_id: CLIENT_ID,
      redirect_uri: REDIRECT_URI,
      code_challenge: "abc",
      code_challenge_method: "plain",
    });
    const res = await fetch(`${ZOOM}/oauth/authorize?${q}`, { redirect: "manual" });
    expect(res.status).toBe(302);
    expect(new URL(res.headers.get("location") ?? "").searchParams.get("error")).toBe("invalid_request");
  });
});

describe("marketplace add", () => {
  it("sends the admin to the consent page without state or PKCE; the code comes back alone", async () => {
    const add = await fetch(
      `${ZOOM}/marketplace/apps/${CLIENT_ID}/add?${new URLSearchParams({ redirect_uri: REDIRECT_URI })}`,
      { redirect: "manual" },
    );
    expect(add.status).toBe(302);
    const authorizeUrl = new URL(add.headers.get("location") ?? "", ZOOM);
    expect(authorizeUrl.pathname).toBe("/oauth/authorize");
    expect(authorizeUrl.searchParams.get("redirect_uri")).toBe(REDIRECT_URI);
    expect(authorizeUrl.searchParams.has("state")).toBe(false);
    expect(authorizeUrl.searchParams.has("code_challenge")).toBe(false);
    const page = await (await fetch(authorizeUrl)).text();
    expect(page).not.toContain('name="state"');

    const form = new URLSearchParams(authorizeUrl.searchParams);
    form.set("user_id", OWNER_B);
    form.set("decision", "approve");
    const back = await fetch(`${ZOOM}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
    const callback = new URL(back.headers.get("location") ?? "");
    expect(`${callback.origin}${callback.pathname}`).toBe(REDIRECT_URI);
    expect(callback.searchParams.has("state")).toBe(false);
    // No verifier needed: nothing was bound to a challenge.
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code: callback.searchParams.get("code") ?? "",
      redirect_uri: REDIRECT_URI,
    });
    expect(res.status).toBe(200);
    const t = (await res.json()) as Tokens;
    expect((await api(t.access_token, "/users/me")).status).toBe(200);
  });

  it("refuses an unknown app or an unregistered redirect URI with a page", async () => {
    const unknown = await fetch(`${ZOOM}/marketplace/apps/nope/add`, { redirect: "manual" });
    expect(unknown.status).toBe(404);
    const evil = await fetch(
      `${ZOOM}/marketplace/apps/${CLIENT_ID}/add?redirect_uri=${encodeURIComponent("https://evil.example/cb")}`,
      { redirect: "manual" },
    );
    expect(evil.status).toBe(400);
    expect(evil.headers.get("location")).toBeNull();
  });
});

describe("token", () => {
  it("exchanges a code for Zoom's token response", async () => {
    const t = await authorize();
    expect(t.token_type).toBe("bearer");
    expect(t.expires_in).toBe(3599);
    expect(t.access_token).toMatch(/^eyJ/);
    expect(t.access_token.length).toBeGreaterThan(200);
    expect(t.scope.split(" ")).toContain("cloud_recording:read:list_user_recordings:admin");
    expect(t.api_url).toBe("https://zoom.us");
    expect((await api(t.access_token, "/users/me")).status).toBe(200);
    const stats = await control<{ grants: { authorization_code: number } }>("/stats", undefined, "GET");
    expect(stats.grants.authorization_code).toBe(1);
  });

  it("rejects a replayed code", async () => {
    const code = await getCode();
    const first = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI });
    expect(first.status).toBe(200);
    const again = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI });
    expect(again.status).toBe(400);
    expect(await again.json()).toEqual({
      reason: "Invalid authorization code",
      error: "invalid_grant",
      code: 4734,
    });
  });

  it("rejects a code older than 5 minutes (emulator clock)", async () => {
    const code = await getCode();
    await advance(301);
    const res = await tokenRequest({ grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      reason: "Authorization code is expired.",
      error: "invalid_grant",
      code: 4733,
    });
  });

  it("checks the PKCE verifier", async () => {
    const { challenge } = await pkcePair();
    const other = await pkcePair();
    const code = await getCode({ challenge });
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: REDIRECT_URI,
      code_verifier: other.verifier,
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("requires the same redirect_uri", async () => {
    const code = await getCode();
    const res = await tokenRequest({
      grant_type: "authorization_code",
      code,
      redirect_uri: "http://localhost:8787/oauth/zoom/callback",
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toBe("invalid_grant");
  });

  it("rejects bad client credentials", async () => {
    const code = await getCode();
    const res = await tokenRequest(
      { grant_type: "authorization_code", code, redirect_uri: REDIRECT_URI },
      `Basic ${btoa(`${CLIENT_ID}:wrong`)}`,
    );
    expect(res.status).toBe(401);
    expect(await res.json()).toEqual({
      reason: "Invalid client_id or client_secret",
      error: "invalid_client",
    });
  });

  it("rotates refresh tokens and refuses a used one", async () => {
    const t = await authorize();
    const r1 = await tokenRequest({ grant_type: "refresh_token", refresh_token: t.refresh_token });
    expect(r1.status).toBe(200);
    const t2 = (await r1.json()) as Tokens;
    expect(t2.refresh_token).not.toBe(t.refresh_token);
    expect(t2.access_token).not.toBe(t.access_token);
    const reuse = await tokenRequest({ grant_type: "refresh_token", refresh_token: t.refresh_token });
    expect(reuse.status).toBe(400);
    expect(await reuse.json()).toEqual({ reason: "Invalid Token!", error: "invalid_grant" });
    const r3 = await tokenRequest({ grant_type: "refresh_token", refresh_token: t2.refresh_token });
    expect(r3.status).toBe(200);
    const stats = await control<{
      grants: { refresh_token: number };
      invalidGrants: number;
      validTokens: { refresh: string[] };
    }>("/stats", undefined, "GET");
    expect(stats.grants.refresh_token).toBe(2);
    expect(stats.invalidGrants).toBe(1);
    expect(stats.validTokens.refresh).toEqual([((await r3.json()) as Tokens).refresh_token]);
  });

  it("lets only one of two racing refreshes win", async () => {
    const t = await authorize();
    const results = await Promise.all([
      tokenRequest({ grant_type: "refresh_token", refresh_token: t.refresh_token }),
      tokenRequest({ grant_type: "refresh_token", refresh_token: t.refresh_token }),
    ]);
    expect(results.map((r) => r.status).sort()).toEqual([200, 400]);
  });

  it("revokes earlier tokens when the same account authorizes again", async () => {
    const first = await authorize();
    const second = await authorize();
    expect((await api(first.access_token, "/users/me")).status).toBe(401);
    const refresh = await tokenRequest({ grant_type: "refresh_token", refresh_token: first.refresh_token });
    expect(refresh.status).toBe(400);
    expect((await api(second.access_token, "/users/me")).status).toBe(200);
    // Another account's link is untouched.
    const b = await authorize(OWNER_B);
    expect((await api(second.access_token, "/users/me")).status).toBe(200);
    expect((await api(b.access_token, "/users/me")).status).toBe(200);
  });

  it("names why a refresh token is refused with Zoom's codes (4737, 4741, 4738, 4735)", async () => {
    const refresh = (token: string) => tokenRequest({ grant_type: "refresh_token", refresh_token: token });
    const unknown = await refresh("not-a-token");
    expect(await unknown.json()).toEqual({
      reason: "Token does not exist.",
      error: "invalid_grant",
      code: 4737,
    });

    const first = await authorize();
    await authorize();
    const revoked = await refresh(first.refresh_token);
    expect(revoked.status).toBe(400);
    expect(await revoked.json()).toEqual({
      reason: "Token has been revoked.",
      error: "invalid_grant",
      code: 4741,
    });

    const live = await authorize();
    await control(`/accounts/${ACCOUNT_A}/app`, { disabled: true });
    const disabled = await refresh(live.refresh_token);
    expect(await disabled.json()).toMatchObject({ error: "invalid_grant", code: 4738 });
    await control(`/accounts/${ACCOUNT_A}/app`, { disabled: false });
    const enabled = await refresh(live.refresh_token);
    expect(enabled.status).toBe(200);

    // The admin who authorized is deleted from the account: the grant has no owner any more.
    const byAdmin = await authorize(ADMIN_A);
    const ownerGrant = await authorize(OWNER_B);
    expect(
      (await api(byAdmin.access_token, `/users/${ADMIN_A}?action=delete`, { method: "DELETE" })).status,
    ).toBe(204);
    const orphan = await refresh(byAdmin.refresh_token);
    expect(await orphan.json()).toEqual({
      reason: "Owner of token does not exist.",
      error: "invalid_grant",
      code: 4735,
    });
    expect((await refresh(ownerGrant.refresh_token)).status).toBe(200);
  });

  it("revoke kills the grant's access and refresh tokens", async () => {
    const t = await authorize();
    const res = await fetch(`${ZOOM}/oauth/revoke`, {
      method: "POST",
      headers: { authorization: BASIC },
      body: new URLSearchParams({ token: t.access_token }),
    });
    expect(await res.json()).toEqual({ status: "success" });
    expect((await api(t.access_token, "/users/me")).status).toBe(401);
    expect((await tokenRequest({ grant_type: "refresh_token", refresh_token: t.refresh_token })).status).toBe(
      400,
    );
    const stats = await control<{ revocations: number }>("/stats", undefined, "GET");
    expect(stats.revocations).toBe(1);
  });
});

describe("access tokens", () => {
  it("answer 124 when expired, unknown or passed in the query string", async () => {
    const t = await authorize();
    const q = await fetch(`https://api.zoom.us/v2/users/me?access_token=${t.access_token}`);
    expect(q.status).toBe(401);
    expect(await q.json()).toEqual({ code: 124, message: "Invalid access token." });
    const unknown = await api("eyJnope", "/users/me");
    expect(unknown.status).toBe(401);
    expect(((await unknown.json()) as { code: number }).code).toBe(124);
    await advance(3598);
    expect((await api(t.access_token, "/users/me")).status).toBe(200);
    await advance(2);
    const expired = await api(t.access_token, "/users/me");
    expect(expired.status).toBe(401);
    expect(((await expired.json()) as { code: number }).code).toBe(124);
  });

  it("answer 4711 when a classic scope is missing", async () => {
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopes: ["user:read:admin"] }] });
    const t = await authorize();
    expect(t.scope).toBe("user:read:admin");
    expect((await api(t.access_token, "/users/me")).status).toBe(200);
    const res = await api(t.access_token, "/users/me/recordings");
    expect(res.status).toBe(400);
    const body = (await res.json()) as { code: number; message: string };
    expect(body.code).toBe(4711);
    expect(body.message).toContain("does not contain scopes:[recording:read:admin]");
  });
});
