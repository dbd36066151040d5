// The HTTP contract of routes/zoom-link.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { bearerSecurity, requireRole } from "../../http/context.ts";
import { ApiError } from "../../http/problem.ts";
import { PendingLinkError } from "../../linking/pending.ts";
import { json, jsonBody } from "./shared.ts";

export const LinkRequest = z
  .object({
    returnTo: z.string().max(2048).optional().openapi({
      description: "Where the browser returns after linking; must be on a configured Wise origin",
    }),
  })
  .strict()
  .openapi("LinkRequest");
export const LinkStatus = z
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
export const _iso = (ms: number | null | undefined) => (ms ? new Date(ms).toISOString() : null);
export const Secret = z.string().min(1).max(256);
export const PendingLink = z
  .object({
    zoomAccountId: z.string(),
    zoomUserEmail: z.string().nullable().openapi({ description: "The Zoom user who authorized" }),
    scopes: z.array(z.string()),
    createdAt: z.string(),
    expiresAt: z.string(),
  })
  .openapi("PendingLink");
export const pendingProblem = (err: unknown) => {
  if (err instanceof PendingLinkError) {
    return new ApiError(err.status, err.code, err.status === 404 ? "Not found" : "Conflict", err.message);
  }
  return err;
};
/** Where the Marketplace handoff (or a confirmation without returnTo) sends the admin in Wise. */

export const postZoomLink = createRoute({
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
});

export const getZoomLink = createRoute({
  method: "get",
  path: "/v1/zoom/link",
  tags: ["Zoom link"],
  summary: "Link status",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  request: { query: z.object({ live: z.enum(["0", "1", "true", "false"]).optional() }) },
  responses: { 200: json(LinkStatus, "The link") },
});

export const deleteZoomLink = createRoute({
  method: "delete",
  path: "/v1/zoom/link",
  tags: ["Zoom link"],
  summary: "Unlink: revoke at Zoom (best effort), then delete the credential",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  responses: { 204: { description: "Unlinked (also when nothing was linked)" } },
});

export const getZoomLinkPending = createRoute({
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
});

export const postZoomLinkConfirm = createRoute({
  method: "post",
  path: "/v1/zoom/link/confirm",
  tags: ["Zoom link"],
  summary: "Confirm a pending link: it becomes the institute's active Zoom link",
  description:
    "Needs the confirmation secret that the callback gave to the browser that came back from Zoom (in the `returnTo` URL's fragment, `#zoom_confirm=...`) and the same admin (tenant and `sub`) who started the link. Works once; the previous account of the tenant, if different, is revoked.",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  request: {
    body: jsonBody(z.object({ confirmation: Secret }).strict().openapi("LinkConfirmation")),
  },
  responses: {
    200: json(LinkStatus, "The active link"),
    404: { description: "No such pending link for this admin (expired, used, cancelled or not theirs)" },
    409: { description: "The Zoom account is linked to another institute" },
  },
});

export const deleteZoomLinkPending = createRoute({
  method: "delete",
  path: "/v1/zoom/link/pending",
  tags: ["Zoom link"],
  summary: "Cancel the caller's pending links and revoke their grants at Zoom",
  security: bearerSecurity,
  middleware: [requireRole("admin")] as const,
  responses: { 204: { description: "Cancelled (also when nothing was pending)" } },
});

export const postZoomLinkClaim = createRoute({
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
});
