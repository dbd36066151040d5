// Nightly housekeeping run by the cron trigger: re-encrypts credentials, join URLs and event secrets sealed under an
// older key (so an old key can be retired after one night), queues again webhook events left
// unprocessed and outbound events to Wise never sent, drops expired OAuth states and old webhook ids, and
// revokes the grants of pending Zoom links nobody confirmed or claimed in time.
import { and, isNotNull, isNull, lt, or } from "drizzle-orm";
import { database } from "./db/client.ts";
import { oauthStates, webhookDeliveries } from "./db/schema.ts";
import { requeueStalledEvents } from "./events/delivery.ts";
import { pruneEvents } from "./events/history.ts";
import { resealSecrets } from "./events/subscriptions.ts";
import { expirePendingLinks } from "./linking/pending.ts";
import { resealJoinUrls } from "./links/join-urls.ts";
import { loadConfig } from "./platform/config.ts";
import { log } from "./platform/log.ts";
import { reencryptCredentials, vaultFor } from "./zoom/credentials.ts";
import { requeuePendingEvents } from "./zoom-events/inbox.ts";

/** Zoom retries a delivery for at most about 85 minutes; a week of ids is plenty to drop replays. */
const DELIVERY_RETENTION_MS = 7 * 24 * 3600_000;
/** An event still unprocessed after a month of nightly retries is given up (and logged). */
const UNPROCESSED_RETENTION_MS = 30 * 24 * 3600_000;

export async function runMaintenance(env: Env): Promise<{ reencrypted: number; requeued: number }> {
  const config = loadConfig(env);
  const db = database(env.DB);
  const reencrypted = await reencryptCredentials(db, vaultFor(config));
  const joinUrls = await resealJoinUrls(db, config.tokenKeys);
  const eventSecrets = await resealSecrets(db, vaultFor(config));
  const now = Date.now();
  await db.delete(oauthStates).where(or(lt(oauthStates.expiresAt, now), isNotNull(oauthStates.usedAt)));
  const pendingExpired = await expirePendingLinks(db, config, now);
  await db
    .delete(webhookDeliveries)
    .where(
      and(
        isNotNull(webhookDeliveries.processedAt),
        lt(webhookDeliveries.receivedAt, now - DELIVERY_RETENTION_MS),
      ),
    );
  const abandoned = await db
    .delete(webhookDeliveries)
    .where(
      and(
        isNull(webhookDeliveries.processedAt),
        lt(webhookDeliveries.receivedAt, now - UNPROCESSED_RETENTION_MS),
      ),
    )
    .returning({ id: webhookDeliveries.id, event: webhookDeliveries.event });
  if (abandoned.length)
    log("error", "webhook inbox: events never processed were dropped", { events: abandoned });
  const requeued = await requeuePendingEvents(env, now);
  const outbound = await requeueStalledEvents(env, now);
  await pruneEvents(db, now);
  log("info", "maintenance done", {
    reencrypted,
    joinUrls,
    eventSecrets,
    requeued,
    pendingExpired,
    outbound,
    currentKey: vaultFor(config).currentKeyId,
  });
  return { reencrypted, requeued };
}
