// Scopes: a client is registered with classic or granular scopes (never both), an authorize request
// may narrow them (never mix them), the consent page lets the user decline some, and each /v2 call
// checks the token's scopes in the naming of its client (4711 otherwise).
import { beforeEach, describe, expect, it } from "vitest";
import {
  api,
  authorize,
  CLIENT_ID,
  control,
  OWNER_A,
  pkcePair,
  REDIRECT_URI,
  reset,
  ZOOM,
} from "./helpers.ts";

beforeEach(reset);

const LIST_RECORDINGS = "cloud_recording:read:list_user_recordings:admin";

async function clientScopes(): Promise<string[]> {
  const config = await control<{ clients: { clientId: string; scopes: string[] }[] }>(
    "/config",
    undefined,
    "GET",
  );
  return config.clients.find((c) => c.clientId === CLIENT_ID)?.scopes ?? [];
}

function authorizeQuery(scope?: string): URLSearchParams {
  const q = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: REDIRECT_URI,
    state: "s-1",
  });
  if (scope !== undefined) q.set("scope", scope);
  return q;
}

describe("granular clients", () => {
  it("the seeded client holds granular scopes, and its token passes every call it needs", async () => {
    const scopes = await clientScopes();
    expect(scopes).toContain(LIST_RECORDINGS);
    expect(scopes).not.toContain("recording:read:admin");
    const t = await authorize();
    expect(t.scope.split(" ").sort()).toEqual([...scopes].sort());
    expect((await api(t.access_token, "/users/me/recordings")).status).toBe(200);
    expect((await api(t.access_token, "/users/summary")).status).toBe(200);
  });

  it("answer 4711 naming the operation's granular scopes when the token lacks them", async () => {
    const scopes = (await clientScopes()).filter((s) => s !== LIST_RECORDINGS);
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopes }] });
    const t = await authorize();
    expect((await api(t.access_token, "/users/me")).status).toBe(200);
    const res = await api(t.access_token, "/users/me/recordings");
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({
      code: 4711,
      message:
        "Invalid access token, does not contain scopes:[cloud_recording:read:list_user_recordings, cloud_recording:read:list_user_recordings:master, cloud_recording:read:list_user_recordings:admin].",
    });
  });

  it("a classic scope does not stand in for a granular one in a granular token", async () => {
    // The token's kind decides the check: granular here, so recording:read:admin is not looked at.
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopes: ["user:read:user:admin"] }] });
    const t = await authorize();
    const res = await api(t.access_token, "/users/me/settings");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toContain(
      "scopes:[user:read:settings, user:read:settings:admin]",
    );
  });
});

describe("the web portal", () => {
  it("a portal token acts as the account owner whatever the app was granted", async () => {
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopes: ["user:read:user:admin"] }] });
    const app = await authorize();
    expect((await api(app.access_token, "/users/me/recordings")).status).toBe(400);
    const portal = (await control<{ access_token: string }>("/portal-token", {})).access_token;
    expect((await api(portal, "/users/me/recordings")).status).toBe(200);
    const missing = await fetch(`${ZOOM}/__emulator/portal-token`, {
      method: "POST",
      body: JSON.stringify({ accountId: "nope" }),
    });
    expect(missing.status).toBe(400);
  });
});

describe("classic clients", () => {
  it("register with scopeSet classic and keep classic checks", async () => {
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopeSet: "classic" }] });
    expect(await clientScopes()).toContain("recording:read:admin");
    const t = await authorize();
    expect(t.scope.split(" ")).toContain("recording:read:admin");
    expect((await api(t.access_token, "/users/me/recordings")).status).toBe(200);
    await control("/config", { clients: [{ clientId: CLIENT_ID, scopes: ["user:read:admin"] }] });
    const narrow = await authorize();
    const res = await api(narrow.access_token, "/users/me/recordings");
    expect(res.status).toBe(400);
    expect(((await res.json()) as { message: string }).message).toBe(
      "Invalid access token, does not contain scopes:[recording:read:admin].",
    );
  });
});

describe("registration", () => {
  it("refuses a client whose scopes mix classic and granular names, and applies nothing of that body", async () => {
    const before = await clientScopes();
    const res = await fetch(`${ZOOM}/__emulator/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({
        meetingDailyCap: 7,
        clients: [{ clientId: CLIENT_ID, scopes: ["user:read:admin", "user:read:user:admin"] }],
      }),
    });
    expect(res.status).toBe(400);
    expect(((await res.json()) as { error: string }).error).toContain("mixes classic and granular");
    expect(await clientScopes()).toEqual(before);
    const config = await control<{ meetingDailyCap: number }>("/config", undefined, "GET");
    expect(config.meetingDailyCap).toBe(100);
  });

  it("refuses an unknown scopeSet", async () => {
    const res = await fetch(`${ZOOM}/__emulator/config`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ clients: [{ clientId: CLIENT_ID, scopeSet: "both" }] }),
    });
    expect(res.status).toBe(400);
  });
});

describe("authorize requests with scope", () => {
  it("grant what was asked for, separated by commas or spaces", async () => {
    const comma = await authorize(OWNER_A, { scope: `user:read:user:admin,${LIST_RECORDINGS}` });
    expect(comma.scope).toBe(`user:read:user:admin ${LIST_RECORDINGS}`);
    const space = await authorize(OWNER_A, { scope: "user:read:user:admin" });
    expect(space.scope).toBe("user:read:user:admin");
    expect((await api(space.access_token, "/users/me/recordings")).status).toBe(400);
  });

  it("show an Invalid scope page, and issue no code, for a request mixing classic and granular", async () => {
    const mixed = `user:read:admin ${LIST_RECORDINGS}`;
    await control("/config", {
      clients: [{ clientId: CLIENT_ID, scopes: ["user:read:admin", "recording:read:admin"] }],
    });
    const classicMix = "user:read:admin,user:read:user:admin";
    for (const scope of [mixed, classicMix]) {
      const page = await fetch(`${ZOOM}/oauth/authorize?${authorizeQuery(scope)}`, { redirect: "manual" });
      expect(page.status).toBe(400);
      expect(await page.text()).toContain("Invalid scope");
      const form = authorizeQuery(scope);
      form.set("user_id", OWNER_A);
      form.set("decision", "approve");
      const decision = await fetch(`${ZOOM}/oauth/authorize`, {
        method: "POST",
        body: form,
        redirect: "manual",
      });
      expect(decision.status).toBe(400);
      expect(decision.headers.get("location")).toBeNull();
    }
  });

  it("show an Invalid scope page for a scope the app does not hold", async () => {
    const page = await fetch(
      `${ZOOM}/oauth/authorize?${authorizeQuery("user:read:user:admin,phone:read:list_calls:admin")}`,
    );
    expect(page.status).toBe(400);
    expect(await page.text()).toContain("phone:read:list_calls:admin");
  });

  it("the consent page lets the user decline a scope, and grants nothing that was not asked for", async () => {
    const scopes = await clientScopes();
    const kept = scopes.filter((s) => s !== LIST_RECORDINGS);
    const t = await authorize(OWNER_A, { granted: kept });
    expect(t.scope.split(" ")).not.toContain(LIST_RECORDINGS);
    expect((await api(t.access_token, "/users/me/recordings")).status).toBe(400);

    const { challenge } = await pkcePair();
    const form = authorizeQuery("user:read:user:admin");
    form.set("code_challenge", challenge);
    form.set("code_challenge_method", "S256");
    form.set("user_id", OWNER_A);
    form.set("decision", "approve");
    form.set("choose_scopes", "1");
    form.append("granted", "user:read:user:admin");
    form.append("granted", LIST_RECORDINGS);
    const res = await fetch(`${ZOOM}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
    expect(res.status).toBe(400);
    expect(res.headers.get("location")).toBeNull();
  });
});
