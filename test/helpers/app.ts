// Drives the real Worker (the module's default export, as deployed) from tests.
import { exports } from "cloudflare:workers";

export const BASE = "https://edge.test";

export function call(path: string, init: RequestInit = {}): Promise<Response> {
  return exports.default.fetch(new Request(`${BASE}${path}`, init));
}

export async function json<T = Record<string, unknown>>(res: Response): Promise<T> {
  return (await res.json()) as T;
}
