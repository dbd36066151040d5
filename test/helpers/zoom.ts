// Drives the Zoom emulator from product tests: control API, the consent page as a browser, and
// webhook deliveries taken from the emulator's outbox and posted to the product.
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import worker from "../../src/index.ts";
import { BASE, call } from "./app.ts";
import { clearTables } from "./db.ts";
import { bearer } from "./jwt.ts";

export const ZOOM = "https://zoom.us";
export const OWNER_A = "Qm3tWgkXRSmZ0aW1Jp7dAA";
export const OWNER_B = "Vb2nK8sTQe6Xo1Lw5ZyRmQ";
export const ACCOUNT_A = "emuAcctA1";
export const ACCOUNT_B = "emuAcctB2";

export async function emulator<T = Record<string, unknown>>(
  path: string,
  body?: unknown,
  method = "POST",
): Promise<T> {
  const res = await fetch(`${ZOOM}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`emulator ${path}: ${res.status} ${await res.text()}`);
  return (await res.json()) as T;
}

export interface EmulatorStats {
  requests: Record<string, number>;
  grants: { authorization_code: number; refresh_token: number };
  invalidGrants: number;
  revocations: number;
  validTokens: { access: string[]; refresh: string[] };
}

export const stats = () => emulator<EmulatorStats>("/stats", undefined, "GET");

/** Every secret the emulator handed out since its reset (see its /issued-secrets). */
export type IssuedSecrets = {
  access: string[];
  refresh: string[];
  download: string[];
  zak: string[];
  fileUrlSignatures: string[];
};
export const issuedSecrets = () => emulator<IssuedSecrets>("/issued-secrets", undefined, "GET");
export const resetEmulator = () => emulator("/reset");
export const advanceZoomClock = (seconds: number) => emulator("/clock", { advanceSeconds: seconds });
export const addFault = (rule: Record<string, unknown>) => emulator<{ id: string }>("/faults", rule);
export const clearFaults = () => emulator("/faults", undefined, "DELETE");

/** Runs the real Worker's fetch and waits for its waitUntil work (webhook handlers) to finish. */
export async function fetchAndSettle(
  request: Request,
  overrides: Record<string, unknown> = {},
): Promise<Response> {
  const ctx = createExecutionContext();
  const res = await worker.fetch(request, { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

/** The browser-binding cookie of the first hop (the test base URL is https). */
export const LINK_COOKIE = "__Host-zoom_link";

/** Cookies set by first hops, by the state they went to Zoom with: each test "browser" keeps its own. */
const browserCookies = new Map<string, string>();

/** POST /v1/zoom/link as the tenant's admin; returns the first-hop URL on this service. */
export async function beginLink(
  tenant: string,
  returnTo?: string,
  sub = `admin-of-${tenant}`,
): Promise<string> {
  const res = await call("/v1/zoom/link", {
    method: "POST",
    headers: { ...(await bearer({ tenant, sub })), "content-type": "application/json" },
    body: JSON.stringify(returnTo ? { returnTo } : {}),
  });
  if (res.status !== 200) throw new Error(`link start: ${res.status} ${await res.text()}`);
  return ((await res.json()) as { authorizeUrl: string }).authorizeUrl;
}

/** Opens the first hop like a browser; returns Zoom's authorization URL and the cookie value set. */
export async function firstHop(startUrl: string): Promise<{ authorizeUrl: string; cookie: string }> {
  const res = await call(startUrl.slice(BASE.length), { redirect: "manual" });
  if (res.status !== 302) throw new Error(`first hop: ${res.status} ${await res.text()}`);
  const setCookie = res.headers.get("set-cookie") ?? "";
  const cookie = new RegExp(`^${LINK_COOKIE}=([^;]+)`).exec(setCookie)?.[1] ?? "";
  const authorizeUrl = res.headers.get("location") ?? "";
  browserCookies.set(new URL(authorizeUrl).searchParams.get("state") ?? "", cookie);
  return { authorizeUrl, cookie };
}

/** Starts linking as the tenant's admin through the first hop; returns Zoom's authorization URL. */
export async function startLink(tenant: string, returnTo?: string, sub?: string): Promise<string> {
  return (await firstHop(await beginLink(tenant, returnTo, sub))).authorizeUrl;
}

/** Plays the admin's browser on Zoom's consent page; returns the redirect back to the product. */
export async function consent(
  authorizeUrl: string,
  decision: "approve" | "deny" = "approve",
  userId = OWNER_A,
  /** The scopes left ticked on the consent page; all requested ones when absent. */
  granted?: string[],
) {
  const page = await fetch(authorizeUrl);
  if (page.status !== 200) throw new Error(`consent page: ${page.status} ${await page.text()}`);
  const form = new URLSearchParams(new URL(authorizeUrl).searchParams);
  form.set("user_id", userId);
  form.set("decision", decision);
  if (granted) {
    form.set("choose_scopes", "1");
    for (const s of granted) form.append("granted", s);
  }
  const res = await fetch(`${ZOOM}/oauth/authorize`, { method: "POST", body: form, redirect: "manual" });
  if (res.status !== 302) throw new Error(`consent: ${res.status} ${await res.text()}`);
  return new URL(res.headers.get("location") ?? "");
}

/**
 * Sends the browser back to the product's callback, with the cookie its first hop set (or the
 * given one; null for a browser without it).
 */
export function callback(redirect: URL, cookie?: string | null): Promise<Response> {
  const value = cookie === undefined ? browserCookies.get(redirect.searchParams.get("state") ?? "") : cookie;
  return call(`${redirect.pathname}${redirect.search}`, {
    redirect: "manual",
    headers: value ? { cookie: `${LINK_COOKIE}=${value}` } : {},
  });
}

/** The confirmation secret a callback gave the browser (redirect fragment or the page's link). */
export async function confirmationOf(res: Response): Promise<string | null> {
  const where = res.status === 302 ? (res.headers.get("location") ?? "") : await res.clone().text();
  return /#zoom_confirm=([A-Za-z0-9_-]+)/.exec(where)?.[1] ?? null;
}

export async function confirmLink(tenant: string, confirmation: string, sub = `admin-of-${tenant}`) {
  return call("/v1/zoom/link/confirm", {
    method: "POST",
    headers: { ...(await bearer({ tenant, sub })), "content-type": "application/json" },
    body: JSON.stringify({ confirmation }),
  });
}

/**
 * The whole linking dance for a tenant, confirmation included. Returns the confirmation's answer
 * (200, the link status) or, when the callback did not leave a pending link, the callback's answer.
 */
export async function linkZoom(tenant: string, opts: { userId?: string; returnTo?: string } = {}) {
  const url = await startLink(tenant, opts.returnTo);
  const res = await callback(await consent(url, "approve", opts.userId ?? OWNER_A));
  const confirmation = await confirmationOf(res);
  return confirmation ? confirmLink(tenant, confirmation) : res;
}

export async function linkStatus(tenant: string, live = false) {
  const res = await call(`/v1/zoom/link${live ? "?live=1" : ""}`, { headers: await bearer({ tenant }) });
  return (await res.json()) as Record<string, unknown> & { status: string };
}

export interface Delivery {
  id: string;
  event: string;
  headers: Record<string, string>;
  body: string;
}

export async function outbox(): Promise<Delivery[]> {
  return (await emulator<{ deliveries: Delivery[] }>("/webhooks", undefined, "GET")).deliveries;
}

/** The queue producer methods the product uses, keeping what is sent. */
export class MessageCapture {
  messages: unknown[] = [];
  async send(body: unknown) {
    this.messages.push(body);
  }
  async sendBatch(batch: Iterable<{ body: unknown }>) {
    for (const m of batch) this.messages.push(m.body);
  }
  take(): unknown[] {
    const out = this.messages;
    this.messages = [];
    return out;
  }
}

type Producer = Pick<MessageCapture, "send" | "sendBatch">;

let batchSeq = 0;
/** Runs the real queue consumer on one message delivered for the `attempts`-th time. */
export async function consumeOne(body: unknown, attempts: number, overrides: Record<string, unknown> = {}) {
  const batch = createMessageBatch("wise-zoom-archive", [
    { id: `zoom-msg-${++batchSeq}`, timestamp: new Date(), attempts, body },
  ]);
  const ctx = createExecutionContext();
  await worker.queue(batch, { ...env, ...overrides } as typeof env, ctx);
  return getQueueResult(batch, ctx);
}

const isZoomEvent = (m: unknown) => (m as { kind?: unknown } | null)?.kind === "zoom-event";

/**
 * Posts an emulator delivery to the product exactly as Zoom would, then runs the queue consumer on
 * the event it queued (as the Queue would, retrying a failed handler a few times). Whatever the
 * handler queues goes to `queue` (by default the real queue).
 */
export async function deliver(
  d: Pick<Delivery, "headers" | "body">,
  opts: { queue?: Producer; overrides?: Record<string, unknown> } = {},
): Promise<Response> {
  const capture = new MessageCapture();
  const res = await fetchAndSettle(
    new Request(`${BASE}/webhooks/zoom`, { method: "POST", headers: d.headers, body: d.body }),
    { ...opts.overrides, ARCHIVE_QUEUE: capture },
  );
  const target = opts.queue ?? env.ARCHIVE_QUEUE;
  let pending = capture.take().map((body) => ({ body, attempts: 1 }));
  while (pending.length) {
    const next: typeof pending = [];
    for (const m of pending) {
      if (!isZoomEvent(m.body)) {
        await target.send(m.body);
        continue;
      }
      const result = await consumeOne(m.body, m.attempts, { ...opts.overrides, ARCHIVE_QUEUE: capture });
      if (result.retryMessages.length && m.attempts < 3)
        next.push({ body: m.body, attempts: m.attempts + 1 });
      for (const body of capture.take()) next.push({ body, attempts: 1 });
    }
    pending = next;
  }
  return res;
}

/** Expires the stored access token on the product's side so the next call must refresh. */
export async function expireStoredAccessToken(tenant: string): Promise<void> {
  await env.DB.prepare("UPDATE zoom_credentials SET access_token_expires_at = ? WHERE tenant_id = ?")
    .bind(Date.now() - 1000, tenant)
    .run();
}

/** Resets the emulator and empties every table of the product, for a test that starts from nothing. */
export async function freshStart(): Promise<void> {
  await resetEmulator();
  await clearTables();
}
