// Helpers the browser tests share: the demo tenant's token, and a clean start (Zoom unlinked and no
// pending link for the demo tenant, the emulator reset) so each test stands on its own whatever ran before it.
import { inject } from "vitest";

export const app = inject("appUrl");
export const zoom = inject("zoomUrl");

export async function demoToken(): Promise<string> {
  const res = await fetch(`${app}/console/demo-token`, { method: "POST" });
  return ((await res.json()) as { token: string }).token;
}

export function control(path: string, body?: unknown, method = "POST"): Promise<Response> {
  return fetch(`${zoom}/__emulator${path}`, {
    method,
    headers: { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
}

export async function cleanStart(): Promise<void> {
  const token = await demoToken();
  await fetch(`${app}/v1/zoom/link`, { method: "DELETE", headers: { authorization: `Bearer ${token}` } });
  await fetch(`${app}/v1/zoom/link/pending`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${token}` },
  });
  await control("/reset");
}
