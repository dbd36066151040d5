// The /v2 pipeline: match Zoom's path, count the call, authenticate the bearer token, check scopes,
// apply rate limits and fault rules, then run the handler.
import type { Core } from "../core.ts";
import { effectOf, replacement, takeFault } from "../faults.ts";
import { invalidToken, json, toWire, type WireRequest, type WireResponse, ZoomError } from "../http.ts";
import { checkRateLimit } from "../ratelimit.ts";
import { accessToken, bearer } from "../tokens.ts";
import type { Route } from "./common.ts";
import { meetingRoutes } from "./meetings.ts";
import { pastMeetingRoutes } from "./past.ts";
import { recordingRoutes } from "./recordings.ts";
import { userRoutes } from "./users.ts";

export const routes: Route[] = [...userRoutes, ...meetingRoutes, ...pastMeetingRoutes, ...recordingRoutes];

/**
 * Path parameters may be single- or double-URL-encoded (Zoom requires double encoding for UUIDs
 * that start with "/" or hold "//"). Base64 never contains "%", so decoding until none is left is safe.
 */
export function decodeParam(raw: string): string {
  let value = raw;
  for (let i = 0; i < 3 && value.includes("%"); i++) {
    try {
      value = decodeURIComponent(value);
    } catch {
      break;
    }
  }
  return value;
}

export function matchRoute(
  method: string,
  path: string,
): { route: Route; params: Record<string, string> } | undefined {
  const segments = path.replace(/^\/v2/, "").split("/").filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i] as string;
      const s = segments[i] as string;
      if (p.startsWith("{")) params[p.slice(1, -1)] = decodeParam(s);
      else ok = p === s;
    }
    if (ok) return { route, params };
  }
  return undefined;
}

export async function handleRest(core: Core, req: WireRequest): Promise<WireResponse> {
  const match = matchRoute(req.method, req.path);
  if (!match) return json(404, { code: 404, message: "Not Found" });
  const { route, params } = match;
  core.db.increment(`stat:op:${route.operation}`);
  try {
    // Since 2023 Zoom refuses access tokens in URLs, whatever the header says.
    if ("access_token" in req.query) throw invalidToken();
    const token = accessToken(core, bearer(req.headers.authorization) ?? "");
    if (!token) throw invalidToken();
    const account = core.db.account(token.account_id);
    const caller = core.db.user(token.user_id);
    if (!account || !caller) throw invalidToken();
    const granted = token.scopes.split(" ");
    if (!route.scopes.some((s) => granted.includes(s))) {
      throw new ZoomError(400, 4711, `Invalid access token, does not contain scopes:[${route.scopes[0]}].`);
    }
    const rateHeaders = checkRateLimit(core, account.id, route.label);
    const fault = takeFault(core, route.operation, account.id);
    const replaced = fault ? replacement(fault) : undefined;
    let response: WireResponse;
    if (replaced) response = replaced;
    else {
      try {
        response = await route.handler({ core, req, token, account, caller, params });
      } catch (err) {
        response = toWire(err);
      }
    }
    response.headers = { ...rateHeaders, ...response.headers, ...(fault?.headers ?? {}) };
    const effect = effectOf(fault);
    return effect ? { ...response, effect } : response;
  } catch (err) {
    return toWire(err);
  }
}
