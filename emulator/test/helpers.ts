// Test helpers for the emulator behaviour suite: every fetch here reaches the emulator (see
// vitest.config.ts, outboundService), whatever the host.
export const ZOOM = "https://zoom.us";
export const API = "https://api.zoom.us/v2";
export const CLIENT_ID = "wise-local-client";
export const CLIENT_SECRET = "wise-local-client-secret";
export const REDIRECT_URI = "https://edge.test/oauth/zoom/callback";
export const OWNER_A = "Qm3tWgkXRSmZ0aW1Jp7dAA";
export const OWNER_B = "Vb2nK8sTQe6Xo1Lw5ZyRmQ";
export const BASIC = `Basic ${btoa(`${CLIENT_ID}:${CLIENT_SECRET}`)}`;

export async function control<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
  method = "POST",
): Promise<T> {
  const res = await fetch(`${ZOOM}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`control ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export const reset = () => control("/reset");
export const advance = (seconds: number) => control("/clock", { advanceSeconds: seconds });

function base64url(bytes: Uint8Array): string {
  return btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replaceAll("=", "");
}

export async function pkcePair(): Promise<{ verifier: string; challenge: string }> {
  const verifier = base64url(crypto.getRandomValues(new Uint8Array(32)));
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(verifier)));
  return { verifier, challenge: base64url(digest) };
}

/** Goes through the consent form as a browser would and returns the code from the redirect. */
export async function getCode(
  opts: {
    userId?: string;
    challenge?: string;
    state?: string;
    redirectUri?: string;
    /** The authorize request's `scope`. */
    scope?: string;
    /** The scopes left ticked on the consent page (all requested ones when absent). */
    granted?: string[];
  } = {},
): Promise<string> {
  const form = new URLSearchParams({
    response_type: "code",
    client_id: CLIENT_ID,
    redirect_uri: opts.redirectUri ?? REDIRECT_URI,
    state: opts.state ?? "st-1",
    user_id: opts.userId ?? OWNER_A,
    decision: "approve",
  });
  if (opts.challenge) {
    form.set("code_challenge", opts.challenge);
    form.set("code_challenge_method", "S256");
  }
  if (opts.scope !== undefined) form.set("scope", opts.scope);
  if (opts.granted) {
    form.set("choose_scopes", "1");
    for (const s of opts.granted) form.append("granted", s);
  }
  const res = await fetch(`${ZOOM}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
  if (res.status !== 302) throw new Error(`authorize: ${res.status} ${await res.text()}`);
  const code = new URL(res.headers.get("location") ?? "").searchParams.get("code");
  if (!code) throw new Error("no code in redirect");
  return code;
}

export function tokenRequest(params: Record<string, string>, auth = BASIC): Promise<Response> {
  return fetch(`${ZOOM}/oauth/token`, {
    method: "POST",
    headers: { authorization: auth, "content-type": "application/x-www-form-urlencoded" },
    body: new URLSearchParams(params),
  });
}

export interface Tokens {
  access_token: string;
  refresh_token: string;
  expires_in: number;
  scope: string;
  token_type: string;
  api_url: string;
}

/** Full authorization-code flow with PKCE; returns the token response. */
export async function authorize(
  userId = OWNER_A,
  opts: { scope?: string; granted?: string[] } = {},
): Promise<Tokens> {
  const { verifier, challenge } = await pkcePair();
  const code = await getCode({ userId, challenge, ...opts });
  const res = await tokenRequest({
    grant_type: "authorization_code",
    code,
    redirect_uri: REDIRECT_URI,
    code_verifier: verifier,
  });
  if (res.status !== 200) throw new Error(`token: ${res.status} ${await res.text()}`);
  return (await res.json()) as Tokens;
}

export function api(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<Response> {
  return fetch(`${API}${path}`, {
    method: init.method ?? "GET",
    headers: { authorization: `Bearer ${token}`, "content-type": "application/json" },
    body: init.body === undefined ? undefined : JSON.stringify(init.body),
  });
}

export async function apiJson<T = Record<string, unknown>>(
  token: string,
  path: string,
  init: { method?: string; body?: unknown } = {},
): Promise<T> {
  const res = await api(token, path, init);
  if (!res.ok) throw new Error(`${init.method ?? "GET"} ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface Delivery {
  id: string;
  event: string;
  url: string;
  headers: Record<string, string>;
  body: string;
}

export async function deliveries(): Promise<Delivery[]> {
  return (await control<{ deliveries: Delivery[] }>("/webhooks", undefined, "GET")).deliveries;
}

export async function createMeeting(token: string, body: Record<string, unknown> = {}) {
  return apiJson<{
    id: number;
    uuid: string;
    start_url: string;
    join_url: string;
    settings: Record<string, unknown>;
  }>(token, "/users/me/meetings", {
    method: "POST",
    body: { topic: "Algebra", type: 2, start_time: "2026-12-01T10:00:00Z", duration: 45, ...body },
  });
}

export interface SimulatedFile {
  id?: string;
  fileId: string;
  file_type: string;
  file_size: number;
  download_url: string;
}

export async function simulate(meetingId: number, body: Record<string, unknown>) {
  return control<{
    uuid: string;
    deliveries: string[];
    recording?: { uuid: string; downloadToken: string; files: SimulatedFile[] };
  }>(`/meetings/${meetingId}/simulate`, body);
}
