// Queue messages of the Zoom side: one stored webhook event to process (retried with backoff until
// its handler succeeds), and the nightly catch-up of one linked account, for what a lost webhook
// would have told us: the app removed in Zoom, users changed in Zoom, attendance of ended classes.
import { and, desc, eq, gt, inArray, isNotNull } from "drizzle-orm";
import { z } from "zod";
import { refreshSessions } from "../classes/sessions.ts";
import { database } from "../db/client.ts";
import { classes, zoomCredentials } from "../db/schema.ts";
import { getTenant } from "../db/tenants.ts";
import { dispatchEvents } from "../events/outbox.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { syncTeachers } from "../teachers/sync.ts";
import { usageFor } from "../usage/usage.ts";
import { ZoomClient } from "../zoom/client.ts";
import { ZoomNeedsRelink, ZoomNotLinked, ZoomRateLimited } from "../zoom/errors.ts";
import { findUser } from "../zoom/users.ts";
import { processEvent, ZoomEventMessage } from "./inbox.ts";

const CatchUpMessage = z
  .object({ kind: z.literal("zoom-catch-up"), tenantId: z.string().min(1).max(128) })
  .strict();

const ZoomMessage = z.discriminatedUnion("kind", [ZoomEventMessage, CatchUpMessage]);

export const isZoomMessage = (kind: unknown) => kind === "zoom-event" || kind === "zoom-catch-up";

/** Ended classes whose attendance the catch-up fetches again, per account and night. */
const CATCH_UP_CLASSES = 20;
const CATCH_UP_DAYS = 2;

// Backoff for a failing handler: 30 s, 2 min, 8 min, ... capped at 12 h (Queues' largest delay).
const backoffSeconds = (attempts: number) => Math.min(43_200, 30 * 4 ** Math.max(0, attempts - 1));

export async function consumeZoomMessage(message: Message<unknown>, env: Env, config: Config): Promise<void> {
  const parsed = ZoomMessage.safeParse(message.body);
  if (!parsed.success) {
    log("error", "zoom queue: malformed message dropped", { id: message.id });
    message.ack();
    return;
  }
  const body = parsed.data;
  try {
    if (body.kind === "zoom-event") await processEvent(env, config, body.id);
    else await catchUpAccount(env, config, body.tenantId);
    message.ack();
  } catch (err) {
    if (err instanceof ZoomNotLinked || err instanceof ZoomNeedsRelink) {
      // Nothing to do for an account that is not usable; the link status says so.
      log("warn", "zoom queue: account not usable; message done", { kind: body.kind, err });
      message.ack();
      return;
    }
    const delaySeconds =
      err instanceof ZoomRateLimited ? err.retryAfterSeconds : backoffSeconds(message.attempts);
    log("error", "zoom queue: message failed; retried", { kind: body.kind, attempt: message.attempts, err });
    message.retry({ delaySeconds: Math.min(43_200, Math.max(0, Math.round(delaySeconds))) });
  }
}

/** Cron: one catch-up message per linked account. */
export async function scheduleCatchUps(env: Env): Promise<number> {
  const linked = await database(env.DB)
    .select({ tenantId: zoomCredentials.tenantId })
    .from(zoomCredentials)
    .where(eq(zoomCredentials.status, "linked"));
  for (let i = 0; i < linked.length; i += 100) {
    await env.ARCHIVE_QUEUE.sendBatch(
      linked.slice(i, i + 100).map((r) => ({
        body: { kind: "zoom-catch-up", tenantId: r.tenantId },
        contentType: "json" as const,
      })),
    );
  }
  return linked.length;
}

export interface CatchUpReport {
  teachersUpdated: number;
  classesChecked: number;
  sessionsFetched: number;
}

/**
 * What webhooks would have told us, asked of Zoom directly: a call with the account's token (an app
 * removed in Zoom has its tokens revoked, so the link turns needs_relink), the teachers reconciled
 * with Zoom's users, and the attendance of recently ended classes fetched where it is missing.
 */
/**
 * For a tenant with a storageAlertPercent: a usage snapshot (from Zoom when the cached one is older
 * than 15 minutes), which writes storage.low when storage crossed it. Best effort: a refusal
 * (rate limit, scope) leaves it for the next night.
 */
async function checkStorage(env: Env, db: ReturnType<typeof database>, client: ZoomClient, tenantId: string) {
  if (typeof (await getTenant(db, tenantId)).settings.storageAlertPercent !== "number") return;
  try {
    await usageFor(db, client, tenantId, { refresh: false, dispatch: (ids) => dispatchEvents(env, ids) });
  } catch (err) {
    log("warn", "zoom catch-up: storage not checked", { tenantId, err });
  }
}

export async function catchUpAccount(
  env: Env,
  config: Config,
  tenantId: string,
  now = Date.now(),
): Promise<CatchUpReport> {
  const db = database(env.DB);
  const client = await ZoomClient.forTenant(env, config, db, tenantId);
  await findUser(client, "me");
  const { updated } = await syncTeachers(db, client, tenantId, (ids) => dispatchEvents(env, ids));
  const recent = await db
    .select()
    .from(classes)
    .where(
      and(
        eq(classes.tenantId, tenantId),
        isNotNull(classes.zoomMeetingId),
        inArray(classes.status, ["scheduled", "live", "ended"]),
        gt(classes.startTime, now - CATCH_UP_DAYS * 86_400_000),
      ),
    )
    .orderBy(desc(classes.startTime))
    .limit(CATCH_UP_CLASSES);
  let sessionsFetched = 0;
  for (const row of recent) {
    if (row.startTime > now) continue;
    sessionsFetched += await refreshSessions(db, client, row);
  }
  await checkStorage(env, db, client, tenantId);
  const report = { teachersUpdated: updated, classesChecked: recent.length, sessionsFetched };
  log("info", "zoom catch-up: account done", { tenantId, ...report });
  return report;
}
