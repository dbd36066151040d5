// Linking Zoom: the admin API (start, status, pending/confirm/cancel, Marketplace claim, unlink) and
// the browser's hops (the first hop that binds the request to the browser, and Zoom's callback).
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { database } from "../db/client.ts";
import { createRouter } from "../http/context.ts";
import { page } from "../http/pages.ts";
import { badRequest } from "../http/problem.ts";
import { completeLink } from "../linking/callback.ts";
import { cancelPendingLinks, claimHandoff, confirmPendingLink, pendingLinksOf } from "../linking/pending.ts";
import {
  beginAuthorization,
  linkCookieName,
  STATE_TTL_MS,
  safeReturnTo,
  startLink,
} from "../linking/start.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { linkStatus } from "../zoom/link-status.ts";
import * as contract from "./contracts/zoom-link.ts";
import { pendingProblem, wiseLanding } from "./contracts/zoom-link.ts";

export const zoomLink = createRouter();

zoomLink.openapi(contract.postZoomLink, async (c) => {
  const config = c.get("config");
  const { tenantId, userId } = c.get("principal");
  const body = c.req.header("content-type")?.includes("json") ? c.req.valid("json") : {};
  let returnTo: string | null = null;
  if (body.returnTo !== undefined) {
    returnTo = safeReturnTo(body.returnTo, config.wiseOrigins);
    if (!returnTo) throw badRequest("returnTo must be an absolute URL on a configured Wise origin");
  }
  const authorizeUrl = await startLink(database(c.env.DB), config, tenantId, userId, returnTo);
  return c.json({ authorizeUrl }, 200);
});

zoomLink.openapi(contract.getZoomLink, async (c) => {
  const live = c.req.valid("query").live;
  const status = await linkStatus(
    c.env,
    c.get("config"),
    database(c.env.DB),
    c.get("principal").tenantId,
    live === "1" || live === "true",
  );
  return c.json(status, 200);
});

zoomLink.openapi(contract.deleteZoomLink, async (c) => {
  const { tenantId, userId } = c.get("principal");
  const row = await credentialForTenant(database(c.env.DB), tenantId);
  if (row)
    await c.env.ZOOM_ACCOUNT.getByName(row.zoomAccountId).unlink(row.zoomAccountId, userId, "unlinked");
  return c.body(null, 204);
});

zoomLink.openapi(contract.getZoomLinkPending, async (c) => {
  const { tenantId, userId } = c.get("principal");
  return c.json({ pending: await pendingLinksOf(database(c.env.DB), tenantId, userId) }, 200);
});

zoomLink.openapi(contract.postZoomLinkConfirm, async (c) => {
  const { tenantId, userId } = c.get("principal");
  const db = database(c.env.DB);
  const config = c.get("config");
  try {
    await confirmPendingLink(c.env, db, config, tenantId, userId, c.req.valid("json").confirmation);
  } catch (err) {
    throw pendingProblem(err);
  }
  return c.json(await linkStatus(c.env, config, db, tenantId, false), 200);
});

zoomLink.openapi(contract.deleteZoomLinkPending, async (c) => {
  const { tenantId, userId } = c.get("principal");
  await cancelPendingLinks(database(c.env.DB), c.get("config"), tenantId, userId);
  return c.body(null, 204);
});

zoomLink.openapi(contract.postZoomLinkClaim, async (c) => {
  const { tenantId, userId } = c.get("principal");
  try {
    const claimed = await claimHandoff(
      database(c.env.DB),
      c.get("config"),
      tenantId,
      userId,
      c.req.valid("json").handoff,
    );
    return c.json(claimed, 200);
  } catch (err) {
    throw pendingProblem(err);
  }
});

// The first hop: binds the link request to this browser with a cookie, then goes on to Zoom.
zoomLink.get("/oauth/zoom/start/:handle", async (c) => {
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
zoomLink.get("/oauth/zoom/callback", async (c) => {
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
  const back = (result: string, fragment = "") => {
    if (!("returnTo" in outcome) || !outcome.returnTo) return null;
    const url = new URL(outcome.returnTo);
    url.searchParams.set("zoom_link", result);
    url.hash = fragment;
    return c.redirect(url.toString(), 302);
  };
  switch (outcome.kind) {
    case "pending": {
      // The confirmation secret travels in the fragment: never sent to a server, never in a Referer.
      const fragment = `zoom_confirm=${outcome.confirmation}`;
      const target = `${wiseLanding(config.publicBaseUrl, config.wiseOrigins)}#${fragment}`;
      return (
        back("pending", fragment) ??
        page(
          "Confirm the link in Wise",
          html`<p>Zoom authorized Wise${outcome.zoomUserEmail ? html` for ${outcome.zoomUserEmail}` : ""}. The link is not active yet: confirm it in Wise within 10 minutes.</p><p><a href="${target}">Continue in Wise</a></p>`,
        )
      );
    }
    case "handoff": {
      const target = `${wiseLanding(config.publicBaseUrl, config.wiseOrigins)}#zoom_handoff=${outcome.handoff}`;
      return page(
        "Finish linking Zoom in Wise",
        html`<p>Wise was added to Zoom${outcome.zoomUserEmail ? html` by ${outcome.zoomUserEmail}` : ""}. To link this Zoom account to your institute, sign in to Wise as an institute admin and confirm it there within 15 minutes.</p><p><a href="${target}" data-testid="handoff-link">Sign in to Wise and finish linking</a></p>`,
      );
    }
    case "linked":
    case "relinked": {
      const result = outcome.missingScopes.length ? "missing_scopes" : outcome.kind;
      return (
        back(result) ??
        page(
          "Zoom is linked",
          html`<p>Your Zoom account is now linked to Wise.${
            outcome.missingScopes.length
              ? html` Some permissions were not granted (${outcome.missingScopes.join(", ")}); features that need them will not work until you link again.`
              : ""
          } You can close this window.</p>`,
        )
      );
    }
    case "denied":
      return (
        back("denied") ??
        page("Zoom was not linked", html`<p>You chose not to authorize Wise in Zoom.</p>`, 200)
      );
    case "failed":
      return page(outcome.title, html`<p>${outcome.message}</p>`, outcome.status);
  }
});
