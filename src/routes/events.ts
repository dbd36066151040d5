// /v1/events: the tenant's outbound event subscriptions (admin only): create (the signing secret is
// shown once), list, change, delete, rotate the secret, delivery history and replay; the catalogue.
import { database } from "../db/client.ts";
import { EVENT_TYPES, eventDataSchemas } from "../events/catalogue.ts";
import { deliveryHistory } from "../events/history.ts";
import {
  changeSubscription,
  replayFor,
  requireSubscription,
  subscribe,
} from "../events/subscription-rules.ts";
import { deleteSubscription, listSubscriptions, rotateSecret } from "../events/subscriptions.ts";
import { createRouter } from "../http/context.ts";
import { ApiError } from "../http/problem.ts";
import { vaultFor } from "../zoom/credentials.ts";
import * as contract from "./contracts/events.ts";
import { deliveryView, view } from "./contracts/events.ts";

export const eventsRouter = createRouter();

eventsRouter.openapi(contract.getEventsTypes, (c) =>
  c.json(
    { types: EVENT_TYPES.map((type) => ({ type, description: eventDataSchemas[type].description ?? "" })) },
    200,
  ),
);

eventsRouter.openapi(contract.postEventsSubscriptions, async (c) => {
  const { row, secret } = await subscribe(
    database(c.env.DB),
    c.get("config"),
    c.get("principal"),
    c.req.valid("json"),
  );
  c.header("cache-control", "no-store");
  return c.json({ subscription: view(row), secret }, 201);
});

eventsRouter.openapi(contract.getEventsSubscriptions, async (c) => {
  const rows = await listSubscriptions(database(c.env.DB), c.get("principal").tenantId);
  return c.json({ subscriptions: rows.map((r) => view(r)) }, 200);
});

eventsRouter.openapi(contract.getEventsSubscription, async (c) =>
  c.json(
    view(await requireSubscription(database(c.env.DB), c.get("principal").tenantId, c.req.valid("param").id)),
    200,
  ),
);

eventsRouter.openapi(contract.patchEventsSubscriptions, async (c) => {
  const { tenantId } = c.get("principal");
  const row = await changeSubscription(
    database(c.env.DB),
    c.get("config"),
    tenantId,
    c.req.valid("param").id,
    c.req.valid("json"),
  );
  return c.json(view(row), 200);
});

eventsRouter.openapi(contract.deleteEventsSubscriptions, async (c) => {
  const gone = await deleteSubscription(
    database(c.env.DB),
    c.get("principal").tenantId,
    c.req.valid("param").id,
  );
  if (!gone) throw new ApiError(404, "not_found", "Not found", "No such subscription");
  return c.body(null, 204);
});

eventsRouter.openapi(contract.postEventsSubscriptionsRotateSecret, async (c) => {
  const { tenantId } = c.get("principal");
  const row = await requireSubscription(database(c.env.DB), tenantId, c.req.valid("param").id);
  const overlap = c.req.valid("json")?.overlapSeconds ?? 86_400;
  const rotated = await rotateSecret(database(c.env.DB), vaultFor(c.get("config")), row, overlap);
  if (!rotated)
    throw new ApiError(409, "conflict", "Conflict", "The secret was rotated meanwhile; try again");
  c.header("cache-control", "no-store");
  return c.json({ subscription: view(rotated.row), secret: rotated.secret }, 200);
});

eventsRouter.openapi(contract.getEventsSubscriptionsDeliveries, async (c) => {
  const { tenantId } = c.get("principal");
  const { id } = c.req.valid("param");
  const q = c.req.valid("query");
  await requireSubscription(database(c.env.DB), tenantId, id);
  const rows = await deliveryHistory(
    database(c.env.DB),
    tenantId,
    id,
    q.limit,
    q.before ? Date.parse(q.before) : undefined,
  );
  return c.json({ deliveries: rows.map(deliveryView) }, 200);
});

eventsRouter.openapi(contract.postEventsSubscriptionsReplay, async (c) => {
  const { tenantId } = c.get("principal");
  const result = await replayFor(
    c.env,
    database(c.env.DB),
    tenantId,
    c.req.valid("param").id,
    c.req.valid("json"),
  );
  return c.json(result, 202);
});
