// Linking Zoom: POST/GET/DELETE /v1/zoom/link for admins, and the browser's OAuth callback.
import { createRoute, z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { database } from "../db/client.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";
import { page } from "../http/pages.ts";
import { badRequest } from "../http/problem.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { linkStatus } from "../zoom/link-status.ts";
import { completeLink, safeReturnTo, startLink } from "../zoom/linking.ts";

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
      "Returns Zoom's authorization URL (single-use state, 10 minutes, PKCE S256). The browser navigates there; Zoom sends it back to /oauth/zoom/callback.",
    security: bearerSecurity,
    middleware: [requireRole("admin")] as const,
    request: { body: { required: false, content: { "application/json": { schema: LinkRequest } } } },
    responses: {
      200: {
        description: "Where to send the admin's browser",
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

// The browser lands here from Zoom. Answers are pages for people, or a redirect to Wise.
zoomLink.get("/oauth/zoom/callback", async (c) => {
  const config = c.get("config");
  const outcome = await completeLink(c.env, database(c.env.DB), config, new URL(c.req.url).searchParams);
  const back = (result: string) => {
    if (!outcome.returnTo) return null;
    const url = new URL(outcome.returnTo);
    url.searchParams.set("zoom_link", result);
    return c.redirect(url.toString(), 302);
  };
  switch (outcome.kind) {
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
