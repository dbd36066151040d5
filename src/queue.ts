// The queue consumer: routes each message by its `kind` to the feature that owns it (student
// registration at Zoom, Zoom's webhook events and nightly catch-up, outbound events to Wise,
// recording archive and sweeps).
import { consumeArchiveMessages } from "./archive/consumer.ts";
import { consumeEventMessage, isEventMessage } from "./events/delivery.ts";
import { handleRegistrationMessage } from "./links/registration.ts";
import { loadConfig } from "./platform/config.ts";
import { consumeZoomMessage, isZoomMessage } from "./zoom-events/consumer.ts";

const MAX_DELAY_SECONDS = 43_200;

export async function consumeQueue(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const archive: Message<unknown>[] = [];
  const events: Message<unknown>[] = [];
  for (const message of batch.messages) {
    const kind = (message.body as { kind?: unknown } | null)?.kind;
    if (isEventMessage(kind)) {
      events.push(message);
      continue;
    }
    if (isZoomMessage(kind)) {
      await consumeZoomMessage(message, env, loadConfig(env));
      continue;
    }
    if (kind !== "register-students") {
      archive.push(message);
      continue;
    }
    const { retryAfterSeconds } = await handleRegistrationMessage(env, message.body);
    if (retryAfterSeconds) message.retry({ delaySeconds: Math.min(retryAfterSeconds, MAX_DELAY_SECONDS) });
    else message.ack();
  }
  // Event deliveries wait on other servers (up to EVENTS_TIMEOUT_MS each): run a batch's together.
  const eventsDone = Promise.all(events.map((m) => consumeEventMessage(m, env, loadConfig(env))));
  if (archive.length > 0) await consumeArchiveMessages(archive, env, loadConfig(env));
  await eventsDone;
}
