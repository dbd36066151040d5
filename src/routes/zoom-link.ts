// Linking Zoom: POST/GET/DELETE /v1/zoom/link for admins, and the browser's OAuth callback.
import { createRoute, z } from "@hono/zod-openapi";
import { html } from "hono/html";
import { lastAudit } from "../db/audit.ts";
import { database } from "../db/client.ts";
import { bearerSecurity, createRouter, requireRole } from "../http/context.ts";
import { page } from "../http/pages.ts";
import { badRequest } from "../http/problem.ts";
import { ZoomClient } from "../zoom/client.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { zoomProblem } from "../zoom/errors.ts";
import { completeLink, safeReturnTo, startLink } from "../zoom/linking.ts";
import { REQUIRED_SCOPES } from "../zoom/oauth.ts";
import { ZoomUser } from "../zoom/schemas.ts";

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

const iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);

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
    const db = database(c.env.DB);
    const { tenantId } = c.get("principal");
    const row = await credentialForTenant(db, tenantId);
    if (!row) {
      const last = await lastAudit(db, tenantId, ["zoom.unlinked", "zoom.deauthorized"]);
      return c.json(
        {
          status: "unlinked" as const,
          zoomAccountId: null,
          zoomUserEmail: null,
          linkedBy: null,
          scopes: [],
          missingScopes: REQUIRED_SCOPES,
          linkedAt: null,
          lastRefreshAt: null,
          accessTokenExpiresAt: null,
          ...(last
            ? {
                reason:
                  last.action === "zoom.deauthorized"
                    ? `The app was removed from Zoom on ${iso(last.at)}`
                    : `Unlinked by ${last.actor} on ${iso(last.at)}`,
              }
            : {}),
        },
        200,
      );
    }
    const scopes = row.scopes.split(" ").filter(Boolean);
    const status = {
      status: row.status,
      zoomAccountId: row.zoomAccountId,
      zoomUserEmail: row.zoomUserEmail,
      linkedBy: row.linkedBy,
      scopes,
      missingScopes: REQUIRED_SCOPES.filter((s) => !scopes.includes(s)),
      linkedAt: iso(row.linkedAt),
      lastRefreshAt: iso(row.lastRefreshAt),
      accessTokenExpiresAt: iso(row.accessTokenExpiresAt),
      ...(row.reason ? { reason: row.reason } : {}),
    };
    const live = c.req.valid("query").live;
    if (live === "1" || live === "true") {
      const checkedAt = new Date().toISOString();
      try {
        const client = new ZoomClient(c.env, c.get("config"), row.zoomAccountId);
        await client.call({ operation: "users.get", method: "GET", path: "/users/me", schema: ZoomUser });
        const fresh = await credentialForTenant(db, tenantId);
        return c.json(
          {
            ...status,
            lastRefreshAt: iso(fresh?.lastRefreshAt),
            accessTokenExpiresAt: iso(fresh?.accessTokenExpiresAt),
            live: { ok: true, checkedAt },
          },
          200,
        );
      } catch (err) {
        const problem = zoomProblem(err);
        const error = problem instanceof Error ? problem.message : "check failed";
        const fresh = await credentialForTenant(db, tenantId);
        return c.json(
          {
            ...status,
            status: fresh?.status ?? ("unlinked" as const),
            ...(fresh?.reason ? { reason: fresh.reason } : {}),
            live: { ok: false, checkedAt, error },
          },
          200,
        );
      }
    }
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
