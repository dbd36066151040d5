// Webhook events as Zoom sends them: signed with the secret token, kept in the outbox for tests to
// replay, and POSTed to the configured URL when there is one.
import type { Core } from "./core.ts";
import type { Delivery } from "./db.ts";
import { hmacHex, newOpaque } from "./ids.ts";

/** Zoom's signature: hex HMAC-SHA256(secret, "v0:{timestamp}:{raw body}"). */
export async function signWebhook(secret: string, timestamp: number, body: string): Promise<string> {
  return `v0=${await hmacHex(secret, `v0:${timestamp}:${body}`)}`;
}

/** The answer Zoom expects to an endpoint.url_validation challenge. */
export async function encryptPlainToken(secret: string, plainToken: string): Promise<string> {
  return hmacHex(secret, plainToken);
}

export interface EventOptions {
  /** Extra top-level fields (recording.completed carries `download_token` there). */
  top?: Record<string, unknown>;
  eventTs?: number;
}

export async function emitEvent(
  core: Core,
  event: string,
  payload: Record<string, unknown>,
  options: EventOptions = {},
): Promise<Delivery> {
  const now = core.now();
  const body = JSON.stringify({ event, payload, event_ts: options.eventTs ?? now, ...options.top });
  const { url, secretToken } = core.config().webhook;
  const timestamp = Math.floor(now / 1000);
  const delivery: Delivery = {
    id: `wh_${newOpaque(12)}`,
    event,
    url,
    headers: {
      "content-type": "application/json",
      "user-agent": "Zoom Marketplace/1.0a",
      "x-zm-request-timestamp": String(timestamp),
      "x-zm-signature": await signWebhook(secretToken, timestamp, body),
    },
    body,
  };
  core.db.putDelivery(delivery);
  if (url) core.defer(deliver(core, delivery));
  return delivery;
}

async function deliver(core: Core, delivery: Delivery): Promise<void> {
  let status: number | string;
  try {
    const res = await fetch(delivery.url, { method: "POST", headers: delivery.headers, body: delivery.body });
    status = res.status;
    if (delivery.event === "endpoint.url_validation") {
      const answer = await res.text();
      const ok = await checkValidationAnswer(core, delivery.body, answer);
      const config = core.config();
      config.webhook.validated = ok;
      core.setConfig(config);
      if (!ok) status = `${res.status} (wrong encryptedToken)`;
    } else {
      await res.body?.cancel();
    }
  } catch (err) {
    status = `network error: ${String(err)}`;
  }
  const stored = core.db.delivery(delivery.id);
  if (stored) core.db.putDelivery({ ...stored, deliveredStatus: status });
}

/** Checks an endpoint's answer to a url_validation challenge the way Zoom does. */
export async function checkValidationAnswer(
  core: Core,
  challengeBody: string,
  answer: string,
): Promise<boolean> {
  try {
    const challenge = JSON.parse(challengeBody) as { payload: { plainToken: string } };
    const reply = JSON.parse(answer) as { plainToken?: unknown; encryptedToken?: unknown };
    const expected = await encryptPlainToken(core.config().webhook.secretToken, challenge.payload.plainToken);
    return reply.plainToken === challenge.payload.plainToken && reply.encryptedToken === expected;
  } catch {
    return false;
  }
}

export function emitUrlValidation(core: Core): Promise<Delivery> {
  return emitEvent(core, "endpoint.url_validation", { plainToken: newOpaque(16) });
}
