// POST /webhooks/zoom: verify, answer the URL validation challenge, then store and queue the event
// before acknowledging (Zoom gives up after 3 seconds and retries only three times). The queue
// consumer runs the handler (src/zoom-events/inbox.ts); a replay of a processed event changes nothing.
import { createRouter } from "../http/context.ts";
import { ApiError } from "../http/problem.ts";
import { ZoomEvent } from "../zoom/events.ts";
import { urlValidationAnswer, verifyWebhook, webhookSecrets } from "../zoom/webhook.ts";
import { acceptEvent } from "../zoom-events/inbox.ts";

export const webhooks = createRouter();

webhooks.post("/webhooks/zoom", async (c) => {
  const config = c.get("config");
  const raw = new Uint8Array(await c.req.arrayBuffer());
  const check = await verifyWebhook(
    webhookSecrets(config.zoom, Date.now()),
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
    // Zoom checks the answer with the secret it signs with now: the current one.
    return c.json(await urlValidationAnswer(config.zoom.webhookSecret, plainToken), 200);
  }

  return c.json({ status: await acceptEvent(c.env, config, raw, event.data) }, 200);
});
