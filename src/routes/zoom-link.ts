// Linking Zoom, the admin API: start, status, pending/confirm/cancel, Marketplace claim, unlink.
// The browser's hops (/oauth/zoom/start and Zoom's callback) are in zoom-oauth.ts.
import { database } from "../db/client.ts";
import { createRouter } from "../http/context.ts";
import { badRequest } from "../http/problem.ts";
import { cancelPendingLinks, claimHandoff, confirmPendingLink, pendingLinksOf } from "../linking/pending.ts";
import { safeReturnTo, startLink } from "../linking/start.ts";
import { unlinkTenant } from "../linking/unlink.ts";
import { linkStatus } from "../zoom/link-status.ts";
import * as contract from "./contracts/zoom-link.ts";
import { pendingProblem } from "./contracts/zoom-link.ts";

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
  await unlinkTenant(c.env, database(c.env.DB), tenantId, userId);
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
