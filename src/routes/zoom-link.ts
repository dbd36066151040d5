// Linking Zoom: the admin API (start, status, pending/confirm/cancel, Marketplace claim, unlink) and
// the browser's hops (the first hop that binds the request to the browser, and Zoom's callback).
import { createRoute, z } from "@hono/zod-openapi";
import { deleteCookie, getCookie, setCookie } from "hono/cookie";
import { html } from "hono/html";
import { database } from "../db/client.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";
import { page } from "../http/pages.ts";
import { ApiError, badRequest } from "../http/problem.ts";
import { completeLink } from "../linking/callback.ts";
import {
  cancelPendingLinks,
  claimHandoff,
  confirmPendingLink,
  PendingLinkError,
  pendingLinksOf,
} from "../linking/pending.ts";
import {
  beginAuthorization,
  linkCookieName,
  STATE_TTL_MS,
  safeReturnTo,
  startLink,
} from "../linking/start.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { linkStatus } from "../zoom/link-status.ts";

export const zoomLink = createRouter();

const LinkRequest = z
  .object({
    returnTo: z.string().max(2048).optional().openapi({
      description: "Where the browser returns after linking; must be on a configured Wise origin",
    }),
  })
  .strict()
  .openapi("LinkRequest");

const LinkStatus = z
  .object({
    status: z.enum(["linked", "needs_relink", "unlinked"]),
    zoomAccountId: z.string().nullable(),
    zoomUserEmail: z.string().nullable(),
    linkedBy: z.string().nullable(),
    scopes: z.array(z.string()),
    missingScopes: z.array(z.string()),
    linkedAt: z.string().nullable(),
    lastRefreshAt: z.string().nullable(),
    accessTokenExpiresAt: z.string().nullable(),
    reason: z.string().optional(),
    live: z.object({ ok: z.boolean(), checkedAt: z.string(), error: z.string().optional() }).optional(),
  })
  .openapi("LinkStatus");

const _iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

zoomLink.openapi(
  createRoute({
    method: "post",
    path: "/v1/zoom/link",
    tags: ["Zoom link"],
    summary: "Start linking the institute's Zoom account",
    description:
      "Returns a single-use URL on this service (`/oauth/zoom/start/{handle}`, 10 minutes). The admin's browser navigates there: that hop binds the request to the browser with a cookie and sends it on to Zoom (state, PKCE S256). After Zoom's consent the link is pending until the same admin confirms it (`POST /v1/zoom/link/confirm`).",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { body: { required: false, content: { "application/json": { schema: LinkRequest } } } },
    responses: {
      200: {
        description: "Where to send the admin's browser (on this service, not Zoom)",
        content: { "application/json": { schema: z.object({ authorizeUrl: z.string().url() }) } },
      },
    },
  }),
  async (c) => {
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
  },
);

zoomLink.openapi(
  createRoute({
    method: "get",
    path: "/v1/zoom/link",
    tags: ["Zoom link"],
    summary: "Link status",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { query: z.object({ live: z.enum(["0", "1", "true", "false"]).optional() }) },
    responses: { 200: { description: "The link", content: { "application/json": { schema: LinkStatus } } } },
  }),
  async (c) => {
    const live = c.req.valid("query").live;
    const status = await linkStatus(
      c.env,
      c.get("config"),
      database(c.env.DB),
      c.get("principal").tenantId,
      live === "1" || live === "true",
    );
    return c.json(status, 200);
  },
);

zoomLink.openapi(
  createRoute({
    method: "delete",
    path: "/v1/zoom/link",
    tags: ["Zoom link"],
    summary: "Unlink: revoke at Zoom (best effort), then delete the credential",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    responses: { 204: { description: "Unlinked (also when nothing was linked)" } },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    const row = await credentialForTenant(database(c.env.DB), tenantId);
    if (row)
      await c.env.ZOOM_ACCOUNT.getByName(row.zoomAccountId).unlink(row.zoomAccountId, userId, "unlinked");
    return c.body(null, 204);
  },
);

const Secret = z.string().min(1).max(256);

const PendingLink = z
  .object({
    zoomAccountId: z.string(),
    zoomUserEmail: z.string().nullable().openapi({ description: "The Zoom user who authorized" }),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("PendingLink");

const pendingProblem = (err: unknown) => {
  if (err instanceof PendingLinkError) {
    return new ApiError(err.status, err.code, err.status === 404 ? "Not found" : "Conflict", err.message);
  }
  return err;
};

zoomLink.openapi(
  createRoute({
    method: "get",
    path: "/v1/zoom/link/pending",
    tags: ["Zoom link"],
    summary: "The caller's pending Zoom links, waiting for confirmation",
    description:
      'Links authorized in Zoom but not yet active, started by this admin (same tenant and JWT `sub`), newest first. Show them as "Link Zoom account X (email) to this institute?" with Confirm / Cancel.',
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    responses: {
      200: {
        description: "Pending links (empty when none)",
        content: { "application/json": { schema: z.object({ pending: z.array(PendingLink) }) } },
      },
    },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    return c.json({ pending: await pendingLinksOf(database(c.env.DB), tenantId, userId) }, 200);
  },
);

zoomLink.openapi(
  createRoute({
    method: "post",
    path: "/v1/zoom/link/confirm",
    tags: ["Zoom link"],
    summary: "Confirm a pending link: it becomes the institute's active Zoom link",
    description:
      "Needs the confirmation secret that the callback gave to the browser that came back from Zoom (in the `returnTo` URL's fragment, `#zoom_confirm=...`) and the same admin (tenant and `sub`) who started the link. Works once; the previous account of the tenant, if different, is revoked.",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.object({ confirmation: Secret }).strict().openapi("LinkConfirmation"),
          },
        },
      },
    },
    responses: {
      200: { description: "The active link", content: { "application/json": { schema: LinkStatus } } },
      404: { description: "No such pending link for this admin (expired, used, cancelled or not theirs)" },
      409: { description: "The Zoom account is linked to another institute" },
    },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    const db = database(c.env.DB);
    const config = c.get("config");
    try {
      await confirmPendingLink(c.env, db, config, tenantId, userId, c.req.valid("json").confirmation);
    } catch (err) {
      throw pendingProblem(err);
    }
    return c.json(await linkStatus(c.env, config, db, tenantId, false), 200);
  },
);

zoomLink.openapi(
  createRoute({
    method: "delete",
    path: "/v1/zoom/link/pending",
    tags: ["Zoom link"],
    summary: "Cancel the caller's pending links and revoke their grants at Zoom",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    responses: { 204: { description: "Cancelled (also when nothing was pending)" } },
  }),
  async (c) => {
    const { tenantId, userId } = c.get("principal");
    await cancelPendingLinks(database(c.env.DB), c.get("config"), tenantId, userId);
    return c.body(null, 204);
  },
);

zoomLink.openapi(
  createRoute({
    method: "post",
    path: "/v1/zoom/link/claim",
    tags: ["Zoom link"],
    summary: "Claim a Zoom Marketplace install for this institute",
    description:
      "An install started from the Zoom Marketplace arrives without Wise's state; its page sends the admin to Wise with a single-use handoff secret (URL fragment `#zoom_handoff=...`, 15 minutes). Claiming turns it into this admin's pending link and returns its confirmation secret; confirm it with `POST /v1/zoom/link/confirm`.",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: {
      body: {
        required: true,
        content: {
          "application/json": { schema: z.object({ handoff: Secret }).strict().openapi("LinkHandoff") },
        },
      },
    },
    responses: {
      200: {
        description: "Claimed: now a pending link of this admin",
        content: {
          "application/json": { schema: z.object({ confirmation: z.string(), pending: PendingLink }) },
        },
      },
      404: { description: "Unknown, expired or already claimed handoff" },
      409: { description: "The Zoom account is linked to another institute" },
    },
  }),
  async (c) => {
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
  },
);

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

/** Where the Marketplace handoff (or a confirmation without returnTo) sends the admin in Wise. */
function wiseLanding(publicBaseUrl: string, origins: string[]): string {
  const origin = origins[0] ?? publicBaseUrl;
  // Locally the console on this service stands in for Wise's profile page.
  return origin === publicBaseUrl ? `${origin}/console` : `${origin}/`;
}

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
