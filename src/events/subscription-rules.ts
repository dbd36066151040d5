// The rules a tenant's event subscriptions follow: known event types, an endpoint URL the tenant's
// policy allows, a bounded number of subscriptions, and what a replay may ask for.
import type { Db } from "../db/client.ts";
import { getTenant } from "../db/tenants.ts";
import type { Config } from "../platform/config.ts";
import { Conflict, InvalidInput, NotFound } from "../platform/errors.ts";
import type { Principal } from "../platform/identity.ts";
import { vaultFor } from "../zoom/credentials.ts";
import { EVENT_TYPES, isEventType } from "./catalogue.ts";
import { replay } from "./history.ts";
import {
  createSubscription,
  getSubscription,
  listSubscriptions,
  type SubscriptionRow,
  updateSubscription,
} from "./subscriptions.ts";
import { checkEndpointUrl } from "./url-policy.ts";

/** Each subscription multiplies every event's deliveries: a tenant has a bounded number. */
export const MAX_SUBSCRIPTIONS = 10;

/** The requested event types, each known, without repeats. */
export function checkTypes(types: string[]): string[] {
  const unknown = types.filter((t) => !isEventType(t));
  if (unknown.length) {
    throw new InvalidInput(`Unknown: ${unknown.join(", ")}`, {
      code: "unknown_event_type",
      title: "Unknown event type",
      extras: { known: EVENT_TYPES },
    });
  }
  return [...new Set(types)];
}

/** The endpoint URL as the tenant's policy accepts it (https in production, an allowed origin). */
export async function checkUrl(db: Db, config: Config, tenantId: string, url: string): Promise<string> {
  const tenant = await getTenant(db, tenantId);
  const verdict = checkEndpointUrl(url, {
    production: config.environment === "production",
    allowedOrigins: tenant.settings.webhookOrigins ?? [],
  });
  if (!verdict.ok)
    throw new InvalidInput(verdict.reason, { code: verdict.code, title: "Endpoint URL refused" });
  return verdict.url;
}

/** Refuses one more subscription when the tenant has MAX_SUBSCRIPTIONS already. */
export async function checkRoomForSubscription(db: Db, tenantId: string): Promise<void> {
  if ((await listSubscriptions(db, tenantId)).length >= MAX_SUBSCRIPTIONS) {
    throw new Conflict("too_many_subscriptions", `A tenant has at most ${MAX_SUBSCRIPTIONS} subscriptions`, {
      title: "Too many subscriptions",
    });
  }
}

/** The tenant's subscription, or NotFound. */
export async function requireSubscription(db: Db, tenantId: string, id: string): Promise<SubscriptionRow> {
  const row = await getSubscription(db, tenantId, id);
  if (!row) throw new NotFound("No such subscription");
  return row;
}

/** Queues the events a replay asks for: one event by id, or the subscription's events in a window. */
export async function replayFor(
  env: Env,
  db: Db,
  tenantId: string,
  id: string,
  asked: { eventId: string } | { from: string; to: string },
) {
  const sub = await requireSubscription(db, tenantId, id);
  if (!sub.enabled) {
    throw new Conflict("subscription_disabled", "Turn the subscription on first", {
      title: "Subscription disabled",
    });
  }
  let which: { eventId: string } | { from: number; to: number };
  if ("eventId" in asked) which = { eventId: asked.eventId };
  else {
    which = { from: Date.parse(asked.from), to: Date.parse(asked.to) };
    if (which.from > which.to) {
      throw new InvalidInput("`from` is after `to`", { code: "invalid_request", title: "Invalid request" });
    }
  }
  const result = await replay(env, sub, which);
  if ("eventId" in which && result.queued === 0) {
    throw new NotFound("No such event of this subscription's types");
  }
  return result;
}

/** A new subscription of the caller's tenant, once its types, URL and the tenant's count pass. */
export async function subscribe(
  db: Db,
  config: Config,
  principal: Principal,
  body: { url: string; eventTypes: string[]; description?: string | null | undefined; enabled: boolean },
) {
  const { tenantId, userId } = principal;
  const eventTypes = checkTypes(body.eventTypes);
  const url = await checkUrl(db, config, tenantId, body.url);
  await checkRoomForSubscription(db, tenantId);
  return createSubscription(db, vaultFor(config), {
    tenantId,
    url,
    eventTypes,
    description: body.description ?? null,
    enabled: body.enabled,
    createdBy: userId,
  });
}

/** Changes what a subscription asks for; the same checks as at creation apply to what changes. */
export async function changeSubscription(
  db: Db,
  config: Config,
  tenantId: string,
  id: string,
  body: {
    url?: string | undefined;
    eventTypes?: string[] | undefined;
    description?: string | null | undefined;
    enabled?: boolean | undefined;
  },
): Promise<SubscriptionRow> {
  await requireSubscription(db, tenantId, id);
  const patch = {
    ...(body.eventTypes ? { eventTypes: checkTypes(body.eventTypes) } : {}),
    ...(body.url !== undefined ? { url: await checkUrl(db, config, tenantId, body.url) } : {}),
    ...(body.description !== undefined ? { description: body.description } : {}),
    ...(body.enabled !== undefined ? { enabled: body.enabled } : {}),
  };
  const row = await updateSubscription(db, tenantId, id, patch);
  if (!row) throw new NotFound("No such subscription");
  return row;
}
