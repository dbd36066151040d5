// Webhook events as Zoom sends them: signed with the secret token, kept in the outbox, retried at +5,
// +20 and +60 minutes of emulator time when unacknowledged and then dropped, and not sent at all to an
// endpoint that failed URL validation (validated again every 72 hours). With a URL the emulator POSTs
// them itself; without one (the tests) a harness posts them and reports each answer.
import type { Core } from "./core.ts";
import type { Delivery } from "./db.ts";
import { hmacHex, newOpaque } from "./ids.ts";

/** Minutes after a failed attempt before Zoom tries again; after the last retry it drops the event. */
export const RETRY_DELAYS_MINUTES = [5, 20, 60];
export const REVALIDATE_AFTER_MS = 72 * 3600_000;
/** Zoom waits three seconds for an answer. */
const ANSWER_TIMEOUT_MS = 3000;

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
  /** Held in the outbox this long (emulator ms) before its first attempt: Zoom's late events. */
  delayMs?: number;
}

async function signedHeaders(core: Core, body: string): Promise<Record<string, string>> {
  const timestamp = Math.floor(core.now() / 1000);
  return {
    "content-type": "application/json",
    "user-agent": "Zoom Marketplace/1.0a",
    "x-zm-request-timestamp": String(timestamp),
    "x-zm-signature": await signWebhook(core.config().webhook.secretToken, timestamp, body),
  };
}

/** An endpoint whose latest URL validation failed receives nothing (Zoom, since June 2025). */
const endpointRefused = (core: Core) => core.config().webhook.validated === false;

export async function emitEvent(
  core: Core,
  event: string,
  payload: Record<string, unknown>,
  options: EventOptions = {},
): Promise<Delivery> {
  if (event !== "endpoint.url_validation") await revalidateIfDue(core);
  const now = core.now();
  const sendAt = now + Math.max(0, options.delayMs ?? 0);
  const body = JSON.stringify({ event, payload, event_ts: options.eventTs ?? sendAt, ...options.top });
  const refused = event !== "endpoint.url_validation" && endpointRefused(core);
  const delivery: Delivery = {
    id: `wh_${newOpaque(12)}`,
    event,
    url: core.config().webhook.url,
    headers: await signedHeaders(core, body),
    body,
    state: refused ? "dropped" : "pending",
    attempts: [],
    ...(refused
      ? { deliveredStatus: "not sent: the endpoint failed URL validation" }
      : { nextAttemptAt: sendAt }),
  };
  core.db.putDelivery(delivery);
  // A held event goes out with the clock (POST /__emulator/clock sends what is due).
  if (!refused && sendAt <= now) sendInBackground(core, delivery.id);
  return delivery;
}

function sendInBackground(core: Core, id: string): void {
  const { url, hold } = core.config().webhook;
  if (url && !hold) core.defer(sendDelivery(core, id));
}

/** A copy of a delivery (same body, new id, signed now), as Zoom's duplicate deliveries look. */
export async function duplicateDelivery(core: Core, id: string): Promise<Delivery | undefined> {
  const original = core.db.delivery(id);
  if (!original) return undefined;
  const copy: Delivery = {
    id: `wh_${newOpaque(12)}`,
    event: original.event,
    url: core.config().webhook.url,
    headers: await signedHeaders(core, original.body),
    body: original.body,
    state: "pending",
    attempts: [],
    nextAttemptAt: core.now(),
    duplicateOf: original.id,
  };
  core.db.putDelivery(copy);
  sendInBackground(core, copy.id);
  return copy;
}

/**
 * Records the answer to one attempt: 200 or 204 acknowledges; anything else (or no answer) schedules
 * the next retry, and after the third retry the event is dropped. A url_validation answer is checked.
 */
export async function recordAnswer(
  core: Core,
  id: string,
  status: number | string,
  answerBody?: string,
): Promise<Delivery | undefined> {
  const d = core.db.delivery(id);
  if (d?.state !== "pending") return d;
  const now = core.now();
  let outcome = status;
  let acknowledged = status === 200 || status === 204;
  if (d.event === "endpoint.url_validation") {
    const valid = acknowledged && (await checkValidationAnswer(core, d.body, answerBody ?? ""));
    const config = core.config();
    config.webhook.validated = valid;
    config.webhook.validatedAt = now;
    core.setConfig(config);
    if (!valid) outcome = `${status} (wrong encryptedToken)`;
    // A failed validation is not retried: the endpoint stops receiving events until validated again.
    acknowledged = true;
  }
  const attempts = [...d.attempts, { at: now, status: outcome }];
  const delay = RETRY_DELAYS_MINUTES[attempts.length - 1];
  const next: Delivery = acknowledged
    ? { ...d, attempts, deliveredStatus: outcome, state: "acknowledged", nextAttemptAt: undefined }
    : delay === undefined
      ? { ...d, attempts, deliveredStatus: outcome, state: "dropped", nextAttemptAt: undefined }
      : { ...d, attempts, deliveredStatus: outcome, nextAttemptAt: now + delay * 60_000 };
  core.db.putDelivery(next);
  return next;
}

/**
 * Deliveries whose attempt is due at emulator time, each signed again now (a retry carries a new
 * timestamp). A failed endpoint gets nothing: its pending deliveries are dropped.
 */
export async function dueDeliveries(core: Core): Promise<Delivery[]> {
  await revalidateIfDue(core);
  const now = core.now();
  const due: Delivery[] = [];
  for (const d of core.db.deliveries()) {
    if (d.state !== "pending" || (d.nextAttemptAt ?? 0) > now) continue;
    if (d.event !== "endpoint.url_validation" && endpointRefused(core)) {
      core.db.putDelivery({
        ...d,
        state: "dropped",
        nextAttemptAt: undefined,
        deliveredStatus: "not sent: the endpoint failed URL validation",
      });
      continue;
    }
    const fresh = { ...d, headers: await signedHeaders(core, d.body) };
    core.db.putDelivery(fresh);
    due.push(fresh);
  }
  return due;
}

/** With a URL: sends every due delivery in outbox order (after a clock advance or a release). */
export async function sendDue(core: Core): Promise<void> {
  if (!core.config().webhook.url) return;
  for (const d of await dueDeliveries(core)) await sendDelivery(core, d.id);
}

async function sendDelivery(core: Core, id: string): Promise<void> {
  const d = core.db.delivery(id);
  if (d?.state !== "pending" || !d.url) return;
  let status: number | string;
  let answer = "";
  try {
    const res = await fetch(d.url, {
      method: "POST",
      headers: d.headers,
      body: d.body,
      signal: AbortSignal.timeout(ANSWER_TIMEOUT_MS),
    });
    status = res.status;
    answer = await res.text();
  } catch (err) {
    status = `network error: ${String(err)}`;
  }
  await recordAnswer(core, id, status, answer);
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

export async function emitUrlValidation(core: Core): Promise<Delivery> {
  // Counted from the challenge, so an unanswered challenge is not sent again at every call.
  const config = core.config();
  config.webhook.validatedAt = core.now();
  core.setConfig(config);
  return emitEvent(core, "endpoint.url_validation", { plainToken: newOpaque(16) });
}

/** Zoom validates the endpoint again every 72 hours. */
export async function revalidateIfDue(core: Core): Promise<Delivery | undefined> {
  const { validatedAt } = core.config().webhook;
  if (validatedAt === undefined || core.now() - validatedAt < REVALIDATE_AFTER_MS) return undefined;
  return emitUrlValidation(core);
}
