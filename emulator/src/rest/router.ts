// The /v2 pipeline: match Zoom's path, count the call, authenticate the bearer token, check scopes,
// apply rate limits and fault rules, then run the handler.
import type { Core } from "../core.ts";
import { effectOf, replacement, takeFault } from "../faults.ts";
import { invalidToken, json, toWire, type WireRequest, type WireResponse, ZoomError } from "../http.ts";
import { checkRateLimit } from "../ratelimit.ts";
import { kindOf } from "../scopes.ts";
import { accessToken, bearer } from "../tokens.ts";
import { meetingNotFound, type Route } from "./common.ts";
import { meetingRoutes } from "./meetings.ts";
import { pastMeetingRoutes } from "./past.ts";
import { recordingRoutes } from "./recordings.ts";
import { registrantRoutes } from "./registrants.ts";
import { userRoutes } from "./users.ts";

export const routes: Route[] = [
  ...userRoutes,
  ...meetingRoutes,
  ...registrantRoutes,
  ...pastMeetingRoutes,
  ...recordingRoutes,
];

/**
 * Path parameters arrive URL-encoded once or twice. Zoom needs a UUID that starts with "/" or holds
 * "//" encoded twice: encoded once, its slashes reach Zoom's router and the path matches nothing, so
 * such a value is refused (undefined). Base64 never contains "%", so decoding again is safe.
 */
export function decodeParam(raw: string): string | undefined {
  let value: string;
  try {
    value = decodeURIComponent(raw);
  } catch {
    return raw;
  }
  if (value.startsWith("/") || value.includes("//")) return undefined;
  for (let i = 0; i < 2 && value.includes("%"); i++) {
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
): { route: Route; params: Record<string, string>; misencoded?: string } | undefined {
  const segments = path.replace(/^\/v2/, "").split("/").filter(Boolean);
  for (const route of routes) {
    if (route.method !== method) continue;
    const pattern = route.path.split("/").filter(Boolean);
    if (pattern.length !== segments.length) continue;
    const params: Record<string, string> = {};
    let ok = true;
    let misencoded: string | undefined;
    for (let i = 0; i < pattern.length && ok; i++) {
      const p = pattern[i] as string;
      const s = segments[i] as string;
      if (p.startsWith("{")) {
        const value = decodeParam(s);
        if (value === undefined) misencoded = decodeURIComponent(s);
        params[p.slice(1, -1)] = value ?? "";
      } else ok = p === s;
    }
    if (ok) return { route, params, ...(misencoded === undefined ? {} : { misencoded }) };
  }
  return undefined;
}

/**
 * A token from a granular app needs one of the operation's granular scopes, and Zoom's 4711 names
 * them all ("does not contain scopes:[meeting:read:meeting, meeting:read:meeting:admin]."); a token
 * from a classic app needs one of its classic scopes.
 */
function checkScopes(route: Route, granted: string[]): void {
  if (kindOf(granted) === "granular") {
    if (!route.granular.some((s) => granted.includes(s))) {
      throw new ZoomError(
        400,
        4711,
        `Invalid access token, does not contain scopes:[${route.granular.join(", ")}].`,
      );
    }
    return;
  }
  if (!route.scopes.some((s) => granted.includes(s))) {
    throw new ZoomError(400, 4711, `Invalid access token, does not contain scopes:[${route.scopes[0]}].`);
  }
}

export async function handleRest(core: Core, req: WireRequest): Promise<WireResponse> {
  const match = matchRoute(req.method, req.path);
  if (!match) return json(404, { code: 404, message: "Not Found" });
  const { route, params } = match;
  core.db.increment(`stat:op:${route.operation}`);
  try {
    if (match.misencoded !== undefined) throw meetingNotFound(match.misencoded);
    // Since 2023 Zoom refuses access tokens in URLs, whatever the header says.
    if ("access_token" in req.query) throw invalidToken();
    const token = accessToken(core, bearer(req.headers.authorization) ?? "");
    if (!token) throw invalidToken();
    const account = core.db.account(token.account_id);
    const caller = core.db.user(token.user_id);
    if (!account || !caller) throw invalidToken();
    checkScopes(route, token.scopes.split(" ").filter(Boolean));
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
    // Some operations answer a bad or expired token with HTTP 400 (still code 124), as the specs say.
    if (err instanceof ZoomError && err.code === 124 && route.tokenErrorStatus) {
      return toWire(new ZoomError(route.tokenErrorStatus, 124, err.message));
    }
    return toWire(err);
  }
}
