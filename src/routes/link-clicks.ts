// The browser side of signed links: GET /j/{token} for students, GET /s/{token} for teachers.
// People get a redirect to Zoom or a short page; never a start_url for a student, never JSON.
import type { Context } from "hono";
import { createMiddleware } from "hono/factory";
import { html, raw } from "hono/html";
import { database } from "../db/client.ts";
import type { AppEnv } from "../http/context.ts";
import { createRouter } from "../http/context.ts";
import { messagePage, page } from "../http/pages.ts";
import { type JoinOutcome, resolveJoin, resolveStart } from "../links/click.ts";
import type { LinkFailure } from "../links/token.ts";

export const linkClicks = createRouter();

/** Per client IP; the binding's limit is generous because a school may sit behind one NAT address. */
const limitPerIp = createMiddleware<AppEnv>(async (c, next) => {
  const limiter = c.env.JOIN_RATE_LIMITER;
  if (limiter) {
    const { success } = await limiter.limit({ key: c.req.header("cf-connecting-ip") ?? "unknown" });
    if (!success) {
      const res = messagePage(
        "Too many requests",
        "Too many link openings from your network. Wait a minute and try again.",
        429,
      );
      res.headers.set("retry-after", "60");
      return res;
    }
  }
  await next();
});

linkClicks.use("/j/*", limitPerIp);
linkClicks.use("/s/*", limitPerIp);

/**
 * The token as it appears in the request line, not percent-decoded: a token has one spelling, so
 * `%2E`, `%2F` or encoded unicode makes it malformed rather than quietly equal to a valid one.
 */
const rawToken = (c: Context) => new URL(c.req.url).pathname.split("/")[2] ?? "";

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
  const res = page(
    title,
    html`<p>${message}</p><p>This page tries again by itself.</p>`,
    503,
    `<meta http-equiv="refresh" content="${seconds}">`,
  );
  res.headers.set("retry-after", String(seconds));
  return res;
}

// Polls the status endpoint (jittered, so a class's students do not poll in step) and opens Zoom
// by reloading the link once the class is open; without script the page refreshes itself.
const WAITING_SCRIPT = `<script>
(function(){
  var t=document.querySelector("time");
  if(t){t.textContent=new Date(t.getAttribute("datetime")).toLocaleTimeString([], {hour:"2-digit",minute:"2-digit"});}
  function poll(){
    fetch(location.pathname+"/status",{cache:"no-store"}).then(function(r){return r.json();}).then(function(s){
      if(s.state==="waiting"){setTimeout(poll,s.retryInSeconds*1000);}else{location.replace(location.pathname);}
    }).catch(function(){setTimeout(poll,20000);});
  }
  setTimeout(poll,5000+Math.random()*10000);
})();
</script>`;

function waitingPage(outcome: Extract<JoinOutcome, { kind: "waiting" }>): Response {
  const opens = new Date(outcome.opensAt).toISOString();
  return page(
    "Your class opens soon",
    html`<p><strong>${outcome.topic}</strong> opens at <time datetime="${opens}">${opens.slice(11, 16)} UTC</time>.</p>
<p>Keep this page open: it takes you into Zoom by itself when the class starts.</p>${raw(WAITING_SCRIPT)}`,
    200,
    `<noscript><meta http-equiv="refresh" content="60"></noscript>`,
  );
}

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
    case "cancelled":
      return messagePage("This class was cancelled", "Your teacher cancelled this class.", 410);
    case "not_found":
      return messagePage("Class not found", "This class does not exist (any more). Ask your teacher.", 404);
    case "unavailable":
      return retryPage("The class is not ready", "The class's Zoom meeting is not available yet.", 30);
  }
}

linkClicks.get("/j/:token/status", async (c) => {
  const now = Date.now();
  const outcome = await resolveJoin(c.env, c.get("config"), database(c.env.DB), rawToken(c), now, {
    redirect: false,
  });
  const headers = noStore;
  if (outcome.kind === "waiting") {
    const untilOpen = (outcome.opensAt - now) / 1000;
    // Far from the start, poll rarely; near it, every 10-20 s (jittered).
    const retryInSeconds = untilOpen > 3600 ? 600 : Math.round(10 + Math.random() * 10);
    return c.json(
      { state: "waiting", opensAt: new Date(outcome.opensAt).toISOString(), retryInSeconds },
      200,
      headers,
    );
  }
  // Anything else: the page reloads the link itself, which redirects or explains.
  return c.json({ state: outcome.kind === "redirect" ? "open" : "closed" }, 200, headers);
});

linkClicks.get("/j/:token", async (c) =>
  joinPage(await resolveJoin(c.env, c.get("config"), database(c.env.DB), rawToken(c))),
);

linkClicks.get("/s/:token", async (c) => {
  const outcome = await resolveStart(c.env, c.get("config"), database(c.env.DB), rawToken(c));
  switch (outcome.kind) {
    case "redirect":
      return redirect(outcome.location);
    case "invalid":
      return refusedPage(outcome.reason);
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
});

// Any other shape under /j or /s (extra segments, nothing after the slash) is a broken link.
linkClicks.get("/j/*", () => refusedPage("malformed"));
linkClicks.get("/s/*", () => refusedPage("malformed"));
