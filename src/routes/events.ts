// /v1/events: the tenant's outbound event subscriptions (admin only): create (the signing secret is
// shown once), list, change, delete, rotate the secret, delivery history and replay; the catalogue.
import { createRoute, z } from "@hono/zod-openapi";
import type { Config } from "../config.ts";
import { database } from "../db/client.ts";
import { getTenant } from "../db/tenants.ts";
import type { Env } from "../env.ts";
import { EVENT_TYPES, eventDataSchemas, isEventType } from "../events/catalogue.ts";
import { deliveryHistory, REPLAY_LIMIT, replay } from "../events/delivery.ts";
import {
  createSubscription,
  deleteSubscription,
  getSubscription,
  listSubscriptions,
  rotateSecret,
  type SubscriptionRow,
  updateSubscription,
} from "../events/subscriptions.ts";
import { checkEndpointUrl, MAX_ENDPOINT_URL_BYTES } from "../events/url-policy.ts";
import { bearerSecurity, createRouter, queryInt, requireRole } from "../http/context.ts";
import { ApiError } from "../http/problem.ts";
import { vaultFor } from "../zoom/credentials.ts";

export const eventsRouter = createRouter();

const MAX_SUBSCRIPTIONS = 10;

const SubscriptionId = z.string().regex(/^sub_[0-9a-f]{32}$/);
const EventTypes = z
  .array(z.string().max(64))
  .min(1)
  .max(EVENT_TYPES.length)
  .openapi({ description: `Event types to receive: ${EVENT_TYPES.join(", ")}` });
// Longer than the policy's limit so an overlong URL gets its own clear refusal, not a schema error.
const EndpointUrl = z.string().max(MAX_ENDPOINT_URL_BYTES * 4);

const Subscription = z
  .object({
    id: z.string(),
    url: z.string(),
    eventTypes: z.array(z.string()),
    description: z.string().nullable(),
    enabled: z.boolean(),
    disabledReason: z.string().nullable(),
    previousSecretExpiresAt: z
      .string()
      .nullable()
      .openapi({ description: "Until then deliveries are signed with the previous secret too" }),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("EventSubscription");

const WithSecret = z
  .object({
    subscription: Subscription,
    secret: z.string().openapi({ description: "whsec_... signing secret: shown once, store it now" }),
  })
  .openapi("EventSubscriptionSecret");

const Delivery = z
  .object({
    eventId: z.string(),
    type: z.string(),
    status: z.enum(["pending", "delivered", "dead", "cancelled"]),
    attempts: z.number(),
    lastStatus: z.number().nullable(),
    lastError: z.string().nullable(),
    lastAttemptAt: z.string().nullable(),
    nextAttemptAt: z.string().nullable(),
    deliveredAt: z.string().nullable(),
    eventCreatedAt: z.string(),
  })
  .openapi("EventDelivery");

const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());

const view = (row: SubscriptionRow, now = Date.now()) => ({
  id: row.id,
  url: row.url,
  eventTypes: row.eventTypes,
  description: row.description,
  enabled: row.enabled,
  disabledReason: row.disabledReason,
  previousSecretExpiresAt:
    row.previousSecretEnc && (row.previousSecretUntil ?? 0) > now ? iso(row.previousSecretUntil) : null,
  createdAt: new Date(row.createdAt).toISOString(),
  updatedAt: new Date(row.updatedAt).toISOString(),
});

const json = <T extends z.ZodType>(schema: T, description: string) => ({
  description,
  content: { "application/json": { schema } },
});

function checkTypes(types: string[]): string[] {
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length) {
    throw new ApiError(400, "unknown_event_type", "Unknown event type", `Unknown: ${unknown.join(", ")}`, {
      known: EVENT_TYPES,
    });
  }
  return [...new Set(types)];
}

async function checkUrl(env: Env, config: Config, tenantId: string, url: string) {
  const tenant = await getTenant(database(env.DB), tenantId);
  const verdict = checkEndpointUrl(url, {
    production: config.environment === "production",
    allowedOrigins: tenant.settings.webhookOrigins ?? [],
  });
  if (!verdict.ok) throw new ApiError(400, verdict.code, "Endpoint URL refused", verdict.reason);
  return verdict.url;
}

async function subscriptionOr404(env: Env, tenantId: string, id: string) {
  const row = await getSubscription(database(env.DB), tenantId, id);
  if (!row) throw new ApiError(404, "not_found", "Not found", "No such subscription");
  return row;
}

const admin = { security: bearerSecurity, middleware: [requireRole("admin")], tags: ["Events"] };
const idParam = z.object({ id: SubscriptionId });

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/v1/events/types",
    summary: "The event catalogue (schemas in this document's webhooks section)",
    responses: {
      200: json(
        z.object({ types: z.array(z.object({ type: z.string(), description: z.string() })) }),
        "Event types",
      ),
    },
  }),
  (c) =>
    c.json(
      { types: EVENT_TYPES.map((type) => ({ type, description: eventDataSchemas[type].description ?? "" })) },
      200,
    ),
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/v1/events/subscriptions",
    summary: "Subscribe an endpoint to events",
    description:
      "The URL must be on one of the tenant's webhookOrigins (PATCH /v1/tenant), https and public in production, at most 2 KB. The answer holds the signing secret, shown only here.",
    request: {
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({
                url: EndpointUrl,
                eventTypes: EventTypes,
                description: z.string().max(200).nullable().optional(),
                enabled: z.boolean().default(true),
              })
              .strict(),
          },
        },
      },
    },
    responses: { 201: json(WithSecret, "Created; the secret is shown once") },
  }),
  async (c) => {
    const body = c.req.valid("json");
    const { tenantId, userId } = c.get("principal");
    const eventTypes = checkTypes(body.eventTypes);
    const url = await checkUrl(c.env, c.get("config"), tenantId, body.url);
    // Each subscription multiplies every event's deliveries: a tenant has a bounded number.
    if ((await listSubscriptions(database(c.env.DB), tenantId)).length >= MAX_SUBSCRIPTIONS) {
      throw new ApiError(
        409,
        "too_many_subscriptions",
        "Too many subscriptions",
        `A tenant has at most ${MAX_SUBSCRIPTIONS} subscriptions`,
      );
    }
    const { row, secret } = await createSubscription(database(c.env.DB), vaultFor(c.get("config")), {
      tenantId,
      url,
      eventTypes,
      description: body.description ?? null,
      enabled: body.enabled,
      createdBy: userId,
    });
    c.header("cache-control", "no-store");
    return c.json({ subscription: view(row), secret }, 201);
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/v1/events/subscriptions",
    summary: "The tenant's event subscriptions",
    responses: { 200: json(z.object({ subscriptions: z.array(Subscription) }), "Newest first") },
  }),
  async (c) => {
    const rows = await listSubscriptions(database(c.env.DB), c.get("principal").tenantId);
    return c.json({ subscriptions: rows.map((r) => view(r)) }, 200);
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/v1/events/subscriptions/{id}",
    summary: "One subscription",
    request: { params: idParam },
    responses: { 200: json(Subscription, "The subscription") },
  }),
  async (c) =>
    c.json(view(await subscriptionOr404(c.env, c.get("principal").tenantId, c.req.valid("param").id)), 200),
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "patch",
    path: "/v1/events/subscriptions/{id}",
    summary: "Change a subscription's URL, types or description, or turn it on or off",
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z
              .object({
                url: EndpointUrl.optional(),
                eventTypes: EventTypes.optional(),
                description: z.string().max(200).nullable().optional(),
                enabled: z.boolean().optional(),
              })
              .strict(),
          },
        },
      },
    },
    responses: { 200: json(Subscription, "The subscription") },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const { id } = c.req.valid("param");
    const body = c.req.valid("json");
    await subscriptionOr404(c.env, tenantId, id);
    const patch = {
      ...(body.eventTypes ? { eventTypes: checkTypes(body.eventTypes) } : {}),
      ...(body.url !== undefined ? { url: await checkUrl(c.env, c.get("config"), tenantId, body.url) } : {}),
      ...(body.description !== undefined ? { description: body.description } : {}),
      ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
    };
    const row = await updateSubscription(database(c.env.DB), tenantId, id, patch);
    if (!row) throw new ApiError(404, "not_found", "Not found", "No such subscription");
    return c.json(view(row), 200);
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "delete",
    path: "/v1/events/subscriptions/{id}",
    summary: "Remove a subscription (its pending deliveries are cancelled)",
    request: { params: idParam },
    responses: { 204: { description: "Removed" } },
  }),
  async (c) => {
    const gone = await deleteSubscription(
      database(c.env.DB),
      c.get("principal").tenantId,
      c.req.valid("param").id,
    );
    if (!gone) throw new ApiError(404, "not_found", "Not found", "No such subscription");
    return c.body(null, 204);
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/v1/events/subscriptions/{id}/rotate-secret",
    summary: "A new signing secret; the old one keeps signing during the overlap",
    request: {
      params: idParam,
      body: {
        required: false,
        content: {
          "application/json": {
            schema: z
              .object({
                overlapSeconds: z
                  .number()
                  .int()
                  .min(0)
                  .max(7 * 86_400)
                  .default(86_400)
                  .openapi({ description: "How long deliveries carry both signatures (default 24 h)" }),
              })
              .strict(),
          },
        },
      },
    },
    responses: { 200: json(WithSecret, "The new secret, shown once") },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const row = await subscriptionOr404(c.env, tenantId, c.req.valid("param").id);
    const overlap = c.req.valid("json")?.overlapSeconds ?? 86_400;
    const rotated = await rotateSecret(database(c.env.DB), vaultFor(c.get("config")), row, overlap);
    if (!rotated)
      throw new ApiError(409, "conflict", "Conflict", "The secret was rotated meanwhile; try again");
    c.header("cache-control", "no-store");
    return c.json({ subscription: view(rotated.row), secret: rotated.secret }, 200);
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "get",
    path: "/v1/events/subscriptions/{id}/deliveries",
    summary: "Delivery history of a subscription, newest first",
    request: {
      params: idParam,
      query: z.object({
        limit: queryInt(1, 200, 50),
        before: z.iso.datetime().optional().openapi({ description: "Deliveries created before this time" }),
      }),
    },
    responses: { 200: json(z.object({ deliveries: z.array(Delivery) }), "Deliveries") },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const { id } = c.req.valid("param");
    const q = c.req.valid("query");
    await subscriptionOr404(c.env, tenantId, id);
    const rows = await deliveryHistory(
      database(c.env.DB),
      tenantId,
      id,
      q.limit,
      q.before ? Date.parse(q.before) : undefined,
    );
    return c.json(
      {
        deliveries: rows.map((r) => ({
          eventId: r.eventId,
          type: r.type,
          status: r.status,
          attempts: r.attempts,
          lastStatus: r.lastStatus,
          lastError: r.lastError,
          lastAttemptAt: iso(r.lastAttemptAt),
          nextAttemptAt: r.status === "pending" ? iso(r.nextAttemptAt) : null,
          deliveredAt: iso(r.deliveredAt),
          eventCreatedAt: new Date(r.eventCreatedAt).toISOString(),
        })),
      },
      200,
    );
  },
);

eventsRouter.openapi(
  createRoute({
    ...admin,
    method: "post",
    path: "/v1/events/subscriptions/{id}/replay",
    summary: "Send again one event, or every event of the subscription's types in a time range",
    description: `Same webhook-id as the first sending, so the receiver can dedupe. At most ${REPLAY_LIMIT} events per call (truncated: true when there were more).`,
    request: {
      params: idParam,
      body: {
        required: true,
        content: {
          "application/json": {
            schema: z.union([
              z.object({ eventId: z.string().min(1).max(300) }).strict(),
              z.object({ from: z.iso.datetime(), to: z.iso.datetime() }).strict(),
            ]),
          },
        },
      },
    },
    responses: { 202: json(z.object({ queued: z.number(), truncated: z.boolean() }), "Queued") },
  }),
  async (c) => {
    const { tenantId } = c.get("principal");
    const sub = await subscriptionOr404(c.env, tenantId, c.req.valid("param").id);
    if (!sub.enabled) {
      throw new ApiError(
        409,
        "subscription_disabled",
        "Subscription disabled",
        "Turn the subscription on first",
      );
    }
    const body = c.req.valid("json");
    let which: { eventId: string } | { from: number; to: number };
    if ("eventId" in body) which = { eventId: body.eventId };
    else {
      which = { from: Date.parse(body.from), to: Date.parse(body.to) };
      if (which.from > which.to) {
        throw new ApiError(400, "invalid_request", "Invalid request", "`from` is after `to`");
      }
    }
    const result = await replay(c.env, sub, which);
    if ("eventId" in which && result.queued === 0) {
      throw new ApiError(404, "not_found", "Not found", "No such event of this subscription's types");
    }
    return c.json(result, 202);
  },
);
