// The browser side of signed links: GET /j/{token} for students, GET /s/{token} for teachers and
// GET /r/{token} for playback, answered at the Worker's entry before the API's middleware stack
// (no CORS, body limit, OpenAPI routing or problem+json: people get a redirect or a short page).
// One access-log line per click. The per-IP limiter is charged only for refused links: a valid
// link cannot be forged, and a leaked one is limited per link by its class's roster object.
import { messagePage } from "../http/pages.ts";
import { isRefusedClick, type JoinOutcome, resolveJoin, resolveStart } from "../links/click.ts";
import { ConfigError, loadConfig } from "../platform/config.ts";
import { accessLog, log } from "../platform/log.ts";
import { charged } from "./click-limit.ts";
import { joinPage, methodNotAllowedPage, noStore, refusedPage, startPage } from "./pages/link-clicks.ts";
import { playbackApp } from "./playback.ts";

/** The path of a link click (`/j/...`, `/s/...`, `/r/...`), or null for anything else. */
export function linkPath(url: string): string | null {
  // request.url is absolute; the path starts at the first "/" after the scheme's "//".
  const start = url.indexOf("/", url.indexOf("//") + 2);
  if (start < 0) return null;
  const kind = url.charCodeAt(start + 1);
  // j, s, r followed by "/"
  if ((kind !== 106 && kind !== 115 && kind !== 114) || url.charCodeAt(start + 2) !== 47) return null;
  const query = url.indexOf("?", start);
  const hash = url.indexOf("#", start);
  const end = query >= 0 ? query : hash >= 0 ? hash : url.length;
  return url.slice(start, end);
}

/** Answers one link click; `path` is linkPath(request.url), raw (not percent-decoded). */
export async function answerLinkClick(
  request: Request,
  env: Env,
  ctx: ExecutionContext,
  path: string,
): Promise<Response> {
  const started = Date.now();
  // Cloudflare's ray id names the request in its own logs too; locally there is none.
  const requestId = request.headers.get("cf-ray") ?? crypto.randomUUID();
  let res: Response;
  try {
    res = await route(request, env, ctx, path);
  } catch (err) {
    if (err instanceof ConfigError) {
      res = messagePage(
        "Service unavailable",
        "This service is not configured correctly. Try again later.",
        500,
      );
    } else {
      log("error", "link click failed", { requestId, err });
      res = messagePage("Something went wrong", "Try the link again in a moment.", 500);
    }
  }
  accessLog(requestId, request.method, path, res.status, Date.now() - started);
  return res;
}

async function route(request: Request, env: Env, ctx: ExecutionContext, path: string): Promise<Response> {
  const config = loadConfig(env);
  const kind = path[1];
  if (kind === "r") return playbackApp.fetch(request, env, ctx);
  const method = request.method;
  if (method !== "GET" && method !== "HEAD") return methodNotAllowedPage();
  // The token as it appears in the request line, not percent-decoded: a token has one spelling, so
  // `%2E`, `%2F` or encoded unicode makes it malformed rather than quietly equal to a valid one.
  const parts = path.split("/");
  const token = parts[2] ?? "";
  if (kind === "j" && parts.length === 4 && parts[3] === "status" && token) {
    const outcome = await resolveJoin(env, config, token, Date.now(), { redirect: false });
    return joinStatus(request, env, outcome);
  }
  if (parts.length !== 3 || !token) return charged(request, env, refusedPage("malformed"));
  if (kind === "j") {
    const outcome = await resolveJoin(env, config, token);
    const res = joinPage(outcome);
    return isRefusedClick(outcome) ? charged(request, env, res) : res;
  }
  const outcome = await resolveStart(env, config, token);
  const res = startPage(outcome);
  return isRefusedClick(outcome) ? charged(request, env, res) : res;
}

/** The waiting page's poll: JSON, and never a registration at Zoom. */
function joinStatus(request: Request, env: Env, outcome: JoinOutcome): Response | Promise<Response> {
  const headers = { "content-type": "application/json", ...noStore };
  if (outcome.kind === "waiting") {
    const untilOpen = (outcome.opensAt - Date.now()) / 1000;
    // Far from the start, poll rarely; near it, every 10-20 s (jittered).
    const retryInSeconds = untilOpen > 3600 ? 600 : Math.round(10 + Math.random() * 10);
    return new Response(
      JSON.stringify({ state: "waiting", opensAt: new Date(outcome.opensAt).toISOString(), retryInSeconds }),
      { headers },
    );
  }
  // Anything else: the page reloads the link itself, which redirects or explains.
  const res = new Response(JSON.stringify({ state: outcome.kind === "redirect" ? "open" : "closed" }), {
    headers,
  });
  return isRefusedClick(outcome) ? charged(request, env, res) : res;
}
