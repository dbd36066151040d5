// POST /webhooks/zoom: verify, answer the URL validation challenge, drop replays, acknowledge at once
// and handle the event afterwards (Zoom gives up after 3 seconds and retries only three times).
import { database } from "../db/client.ts";
import { webhookDeliveries } from "../db/schema.ts";
import { createRouter } from "../http/context.ts";
import { log } from "../http/log.ts";
import { ApiError } from "../http/problem.ts";
import { sha256Hex } from "../tokens/encoding.ts";
import { eventHandlers, ZoomEvent } from "../zoom/events.ts";
import { urlValidationAnswer, verifyWebhook } from "../zoom/webhook.ts";

export const webhooks = createRouter();

webhooks.post("/webhooks/zoom", async (c) => {
  const config = c.get("config");
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const check = await verifyWebhook(
    config.zoom.webhookSecret,
    raw,
    c.req.header("x-zm-signature"),
    c.req.header("x-zm-request-timestamp"),
    Math.floor(Date.now() / 1000),
  );
  if (!check.ok) {
    throw new ApiError(
      401,
      "invalid_signature",
      "Invalid webhook signature",
      "The delivery is not signed by Zoom",
      {},
      {
        cause: check.reason,
      },
    );
  }
  let parsed: unknown;
  try {
    parsed = JSON.parse(new TextDecoder().decode(raw));
  } catch {
    throw new ApiError(400, "malformed_request", "Malformed JSON", "The delivery body is not JSON");
  }
  const event = ZoomEvent.safeParse(parsed);
  if (!event.success)
    throw new ApiError(400, "invalid_request", "Invalid event", "The delivery is not a Zoom event");

  if (event.data.event === "endpoint.url_validation") {
    const plainToken = event.data.payload.plainToken;
    if (typeof plainToken !== "string" || !plainToken || plainToken.length > 256) {
      throw new ApiError(400, "invalid_request", "Invalid challenge", "plainToken is missing");
    }
    return c.json(await urlValidationAnswer(config.zoom.webhookSecret, plainToken), 200);
  }

  // A delivery Zoom re-sends carries the same body (with a new timestamp): the body hash is its id.
  const id = await sha256Hex(raw);
  const inserted = await database(c.env.DB)
    .insert(webhookDeliveries)
    .values({ id, event: event.data.event, receivedAt: Date.now() })
    .onConflictDoNothing()
    .returning({ id: webhookDeliveries.id });
  if (inserted.length === 0) return c.json({ status: "duplicate" }, 200);

  const handler = eventHandlers[event.data.event];
  if (handler) {
    const requestId = c.get("requestId");
    c.executionCtx.waitUntil(
      handler(c.env, config, event.data).catch((err) =>
        log("error", "webhook handler failed", { requestId, event: event.data.event, err }),
      ),
    );
  }
  return c.json({ status: handler ? "accepted" : "ignored" }, 200);
});
