// The browser side of signed links: GET /j/{token} for students, GET /s/{token} for teachers and
// GET /r/{token} for playback, answered at the Worker's entry before the API's middleware stack
// (no CORS, body limit, OpenAPI routing or problem+json: people get a redirect or a short page).
// One access-log line per click. The per-IP limiter is charged only for refused links: a valid
// link cannot be forged, and a leaked one is limited per link by its class's roster object.
import { Hono } from "hono";
import { html } from "hono/html";
import type { AppEnv } from "../http/context.ts";
import { messagePage, page } from "../http/pages.ts";
import { type JoinOutcome, resolveJoin, resolveStart, type StartOutcome } from "../links/click.ts";
import type { LinkFailure } from "../links/token.ts";
import { ConfigError, loadConfig } from "../platform/config.ts";
import { accessLog, log } from "../platform/log.ts";
import { playback } from "./playback.ts";

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
    return isRefused(outcome) ? charged(request, env, res) : res;
  }
  const outcome = await resolveStart(env, config, token);
  const res = startPage(outcome);
  return isRefused(outcome) ? charged(request, env, res) : res;
}

/** Outcomes that mean a bad, withdrawn or overused link: these are charged to the client's address. */
const isRefused = (o: JoinOutcome | StartOutcome) =>
  o.kind === "invalid" ||
  o.kind === "revoked" ||
  o.kind === "limited" ||
  o.kind === "not_found" ||
  o.kind === "teacher_inactive";

/**
 * Charges a refused click to the client's address (generous: a school may sit behind one NAT
 * address). Past the limit the answer becomes a 429 page.
 */
async function charged(request: Request, env: Env, refused: Response): Promise<Response> {
  const limiter = env.JOIN_RATE_LIMITER;
  if (!limiter) return refused;
  const { success } = await limiter.limit({ key: request.headers.get("cf-connecting-ip") ?? "unknown" });
  if (success) return refused;
  await refused.body?.cancel();
  return tooManyPage("Too many link openings from your network. Wait a minute and try again.");
}

function methodNotAllowedPage(): Response {
  const res = messagePage("Method not allowed", "Open this link in a browser.", 405);
  res.headers.set("allow", "GET, HEAD");
  return res;
}

function tooManyPage(message: string): Response {
  const res = messagePage("Too many requests", message, 429);
  res.headers.set("retry-after", "60");
  return res;
}

const noStore = { "cache-control": "no-store", "referrer-policy": "no-referrer" };

const redirect = (location: string) => new Response(null, { status: 302, headers: { location, ...noStore } });

function refusedPage(reason: LinkFailure | "not_host"): Response {
  switch (reason) {
    case "expired":
      return messagePage("This link has expired", "Ask your teacher for a new link to the class.", 410);
    case "not_yet_valid":
      return messagePage(
        "This link is not active yet",
        "Try again later, or ask your teacher for a new link.",
        403,
      );
    default:
      return messagePage(
        "This link is not valid",
        "Make sure you opened the whole link as you received it, or ask your teacher for a new one.",
        403,
      );
  }
}

function retryPage(title: string, message: string, seconds: number): Response {
  const res = page(title, html`<p>${message}</p><p>This page tries again by itself.</p>`, 503, {
    head: `<meta http-equiv="refresh" content="${seconds}">`,
  });
  res.headers.set("retry-after", String(seconds));
  return res;
}

// Polls the status endpoint (jittered, so a class's students do not poll in step) and opens Zoom
// by reloading the link once the class is open; without script the page refreshes itself.
const WAITING_SCRIPT = `(function(){
  var t=document.querySelector("time");
  if(t){t.textContent=new Date(t.getAttribute("datetime")).toLocaleTimeString([], {hour:"2-digit",minute:"2-digit"});}
  function poll(){
    fetch(location.pathname+"/status",{cache:"no-store"}).then(function(r){return r.json();}).then(function(s){
      if(s.state==="waiting"){setTimeout(poll,s.retryInSeconds*1000);}else{location.replace(location.pathname);}
    }).catch(function(){setTimeout(poll,20000);});
  }
  setTimeout(poll,5000+Math.random()*10000);
})();`;

function waitingPage(outcome: Extract<JoinOutcome, { kind: "waiting" }>): Response {
  const opens = new Date(outcome.opensAt).toISOString();
  return page(
    "Your class opens soon",
    html`<p><strong>${outcome.topic}</strong> opens at <time datetime="${opens}">${opens.slice(11, 16)} UTC</time>.</p>
<p>Keep this page open: it takes you into Zoom by itself when the class starts.</p>`,
    200,
    { head: `<noscript><meta http-equiv="refresh" content="60"></noscript>`, script: WAITING_SCRIPT },
  );
}

const linkOverused = () =>
  tooManyPage("This link was opened too many times in a short while. Wait a minute and try again.");

function joinPage(outcome: JoinOutcome): Response {
  switch (outcome.kind) {
    case "redirect":
      return redirect(outcome.location);
    case "waiting":
      return waitingPage(outcome);
    case "invalid":
      return refusedPage(outcome.reason);
    case "revoked":
      return messagePage("This link was withdrawn", "Ask your teacher for a new link to the class.", 410);
    case "limited":
      return linkOverused();
    case "cancelled":
      return messagePage("This class was cancelled", "Your teacher cancelled this class.", 410);
    case "not_found":
      return messagePage("Class not found", "This class does not exist (any more). Ask your teacher.", 404);
    case "unavailable":
      return retryPage("The class is not ready", "The class's Zoom meeting is not available yet.", 30);
  }
}

function startPage(outcome: StartOutcome): Response {
  switch (outcome.kind) {
    case "redirect":
      return redirect(outcome.location);
    case "invalid":
      return refusedPage(outcome.reason);
    case "revoked":
      return messagePage("This link was withdrawn", "Ask for a new start link from Wise.", 410);
    case "teacher_inactive":
      return messagePage(
        "This link is not valid any more",
        "You are no longer an active teacher of this institute's Zoom account. Ask an admin.",
        403,
      );
    case "limited":
      return linkOverused();
    case "cancelled":
      return messagePage(
        "This class was cancelled",
        "The class was cancelled, so it cannot be started.",
        410,
      );
    case "not_found":
      return messagePage("Class not found", "This class or its Zoom meeting no longer exists.", 404);
    case "zoom_not_linked":
      return retryPage(
        "Zoom is not linked",
        "Your institute's Zoom account needs to be linked again by an admin before classes can start.",
        60,
      );
    case "zoom_unavailable":
      return retryPage("Zoom is not answering", "Zoom is not reachable right now.", 10);
  }
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
  return isRefused(outcome) ? charged(request, env, res) : res;
}

/**
 * /r runs the playback router in a pipeline of its own: configuration and request id only, and a
 * refused link (403, 410) charged to the client's address like a refused join or start click.
 */
const playbackApp = new Hono<AppEnv>();
playbackApp.use(async (c, next) => {
  c.set("config", loadConfig(c.env));
  c.set("requestId", crypto.randomUUID());
  await next();
  if (c.res.status === 403 || c.res.status === 410) c.res = await charged(c.req.raw, c.env, c.res);
});
playbackApp.route("/", playback);
playbackApp.all("/r/*", (c) =>
  c.req.method === "GET" || c.req.method === "HEAD" ? refusedPage("malformed") : methodNotAllowedPage(),
);
playbackApp.onError((err) => {
  if (err instanceof ConfigError) throw err;
  log("error", "playback failed", { err });
  return messagePage("Something went wrong", "Try the link again in a moment.", 500);
});
