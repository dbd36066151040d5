// Linking Zoom, the browser's hops: the first hop binds the link request to the browser with a
// cookie and goes on to Zoom; Zoom's callback completes the attempt and answers with a page.
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { database } from "../db/client.ts";
import { createRouter } from "../http/context.ts";
import { page } from "../http/pages.ts";
import { completeLink } from "../linking/callback.ts";
import { beginAuthorization, linkCookieName, STATE_TTL_MS } from "../linking/start.ts";
import { linkOutcomePage } from "./pages/zoom-link.ts";

export const zoomOauth = createRouter();

// The first hop: binds the link request to this browser with a cookie, then goes on to Zoom.
zoomOauth.get("/oauth/zoom/start/:handle", async (c) => {
  const config = c.get("config");
  const outcome = await beginAuthorization(database(c.env.DB), config, c.req.param("handle"));
  if (outcome.kind === "failed") return page(outcome.title, html`<p>${outcome.message}</p>`, outcome.status);
  const secure = config.publicBaseUrl.startsWith("https://");
  setCookie(c, linkCookieName(config), outcome.browserSecret, {
    httpOnly: true,
    secure,
    sameSite: "Lax",
    path: "/",
    maxAge: STATE_TTL_MS / 1000,
  });
  c.header("cache-control", "no-store");
  c.header("referrer-policy", "no-referrer");
  return c.redirect(outcome.authorizeUrl, 302);
});

// The browser lands here from Zoom. Answers are pages for people, or a redirect to Wise.
zoomOauth.get("/oauth/zoom/callback", async (c) => {
  const config = c.get("config");
  const query = new URL(c.req.url).searchParams;
  // A callback without state (a Marketplace install) makes us call Zoom's token endpoint for anyone
  // who sends a code: each address gets the link clicks' per-IP budget for that, then a 429 page.
  const limiter = c.env.JOIN_RATE_LIMITER;
  if (!query.has("state") && limiter) {
    const { success } = await limiter.limit({
      key: `oauth:${c.req.header("cf-connecting-ip") ?? "unknown"}`,
    });
    if (!success) {
      return page(
        "Too many attempts",
        html`<p>Too many Zoom installs from your network. Wait a minute and try again.</p>`,
        429,
      );
    }
  }
  const cookieName = linkCookieName(config);
  const browserSecret = getCookie(c, cookieName);
  const outcome = await completeLink(c.env, database(c.env.DB), config, query, browserSecret);
  if (browserSecret !== undefined && outcome.kind !== "failed") {
    deleteCookie(c, cookieName, { path: "/", secure: config.publicBaseUrl.startsWith("https://") });
  }
  return linkOutcomePage(c, config, outcome);
});
