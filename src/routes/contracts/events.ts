// The HTTP contract of routes/events.ts: request and answer schemas, and the OpenAPI
// declaration of each operation. The handlers are in the route file.
import { createRoute, z } from "@hono/zod-openapi";
import { EVENT_TYPES } from "../../events/catalogue.ts";
import { type deliveryHistory, REPLAY_LIMIT } from "../../events/history.ts";
import type { SubscriptionRow } from "../../events/subscriptions.ts";
import { MAX_ENDPOINT_URL_BYTES } from "../../events/url-policy.ts";
import { bearerSecurity, queryInt, requireRole } from "../../http/context.ts";
import { json, jsonBody } from "./shared.ts";

export const SubscriptionId = z.string().regex(/^sub_[0-9a-f]{32}$/);
export const EventTypes = z
  .array(z.string().max(64))
  .min(1)
  .max(EVENT_TYPES.length)
  .openapi({ description: `Event types to receive: ${EVENT_TYPES.join(", ")}` });
// Longer than the policy's limit so an overlong URL gets its own clear refusal, not a schema error.
export const EndpointUrl = z.string().max(MAX_ENDPOINT_URL_BYTES * 4);
export const Subscription = z
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
export const WithSecret = z
  .object({
    subscription: Subscription,
    secret: z.string().openapi({ description: "whsec_... signing secret: shown once, store it now" }),
  })
  .openapi("EventSubscriptionSecret");
export const Delivery = z
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
export const iso = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
export const view = (row: SubscriptionRow, now = Date.now()) => ({
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
export const admin = { security: bearerSecurity, middleware: [requireRole("admin")], tags: ["Events"] };
export const idParam = z.object({ id: SubscriptionId });

export const getEventsTypes = createRoute({
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
});

export const postEventsSubscriptions = createRoute({
  ...admin,
  method: "post",
  path: "/v1/events/subscriptions",
  summary: "Subscribe an endpoint to events",
  description:
    "The URL must be on one of the tenant's webhookOrigins (PATCH /v1/tenant), https and public in production, at most 2 KB. The answer holds the signing secret, shown only here.",
  request: {
    body: jsonBody(
      z
        .object({
          url: EndpointUrl,
          eventTypes: EventTypes,
          description: z.string().max(200).nullable().optional(),
          enabled: z.boolean().default(true),
        })
        .strict(),
    ),
  },
  responses: { 201: json(WithSecret, "Created; the secret is shown once") },
});

export const getEventsSubscriptions = createRoute({
  ...admin,
  method: "get",
  path: "/v1/events/subscriptions",
  summary: "The tenant's event subscriptions",
  responses: { 200: json(z.object({ subscriptions: z.array(Subscription) }), "Newest first") },
});

export const getEventsSubscription = createRoute({
  ...admin,
  method: "get",
  path: "/v1/events/subscriptions/{id}",
  summary: "One subscription",
  request: { params: idParam },
  responses: { 200: json(Subscription, "The subscription") },
});

export const patchEventsSubscriptions = createRoute({
  ...admin,
  method: "patch",
  path: "/v1/events/subscriptions/{id}",
  summary: "Change a subscription's URL, types or description, or turn it on or off",
  request: {
    params: idParam,
    body: jsonBody(
      z
        .object({
          url: EndpointUrl.optional(),
          eventTypes: EventTypes.optional(),
          description: z.string().max(200).nullable().optional(),
          enabled: z.boolean().optional(),
        })
        .strict(),
    ),
  },
  responses: { 200: json(Subscription, "The subscription") },
});

export const deleteEventsSubscriptions = createRoute({
  ...admin,
  method: "delete",
  path: "/v1/events/subscriptions/{id}",
  summary: "Remove a subscription (its pending deliveries are cancelled)",
  request: { params: idParam },
  responses: { 204: { description: "Removed" } },
});

export const postEventsSubscriptionsRotateSecret = createRoute({
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
});

export const getEventsSubscriptionsDeliveries = createRoute({
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
});

export const postEventsSubscriptionsReplay = createRoute({
  ...admin,
  method: "post",
  path: "/v1/events/subscriptions/{id}/replay",
  summary: "Send again one event, or every event of the subscription's types in a time range",
  description: `Same webhook-id as the first sending, so the receiver can dedupe. At most ${REPLAY_LIMIT} events per call (truncated: true when there were more).`,
  request: {
    params: idParam,
    body: jsonBody(
      z.union([
        z.object({ eventId: z.string().min(1).max(300) }).strict(),
        z.object({ from: z.iso.datetime(), to: z.iso.datetime() }).strict(),
      ]),
    ),
  },
  responses: { 202: json(z.object({ queued: z.number(), truncated: z.boolean() }), "Queued") },
});

/** One delivery of the history, as the API shows it. */
export const deliveryView = (r: Awaited<ReturnType<typeof deliveryHistory>>[number]) => ({
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
});
