// The emulator in Miniflare for the Node-side tests (contract and memory checks): start it, drive its
// control API, and get an access token through its OAuth flow as a client would.
import { convertV4MiniflareOptions, Miniflare } from "miniflare";
import { buildEmulator, emulatorWorkerOptions } from "../build.ts";

const ORIGIN = "http://zoom.test";
const REDIRECT_URI = "https://edge.test/oauth/zoom/callback";

export interface EmulatorInMiniflare {
  mf: Miniflare;
  fetch(path: string, init?: RequestInit): Promise<Response>;
  control(path: string, body?: unknown, method?: string): Promise<Record<string, unknown>>;
  /** The token endpoint's whole answer for an authorization by account A's owner. */
  authorize(): Promise<Record<string, unknown>>;
  dispose(): Promise<void>;
}

export async function startEmulator(vars: Record<string, string> = {}): Promise<EmulatorInMiniflare> {
  await buildEmulator();
  // Miniflare 5 takes a new option shape; emulatorWorkerOptions() is in the v4 shape the test plugin uses.
  const mf = new Miniflare(convertV4MiniflareOptions({ workers: [emulatorWorkerOptions(vars)] }));
  await mf.ready;
  const fetch = (path: string, init?: RequestInit) =>
    mf.dispatchFetch(`${ORIGIN}${path}`, init as never) as unknown as Promise<Response>;
  return {
    mf,
    fetch,
    async control(path, body, method = "POST") {
      const res = await fetch(`/__emulator${path}`, {
        method,
        headers: { "content-type": "application/json" },
        body: body === undefined ? undefined : JSON.stringify(body),
      });
      return (await res.json()) as Record<string, unknown>;
    },
    async authorize() {
      const consent = await fetch("/oauth/authorize", {
        method: "POST",
        headers: { "content-type": "application/x-www-form-urlencoded" },
        body: new URLSearchParams({
          response_type: "code",
          client_id: "wise-local-client",
          redirect_uri: REDIRECT_URI,
          state: "x",
          user_id: "Qm3tWgkXRSmZ0aW1Jp7dAA",
          decision: "approve",
        }).toString(),
        redirect: "manual",
      });
      const code = new URL(consent.headers.get("location") ?? "").searchParams.get("code") ?? "";
      const token = await fetch("/oauth/token", {
        method: "POST",
        headers: {
          authorization: `Basic ${btoa("wise-local-client:wise-local-client-secret")}`,
          "content-type": "application/x-www-form-urlencoded",
        },
        body: new URLSearchParams({
          grant_type: "authorization_code",
          code,
          redirect_uri: REDIRECT_URI,
        }).toString(),
      });
      return (await token.json()) as Record<string, unknown>;
    },
    dispose: () => mf.dispose(),
  };
}
