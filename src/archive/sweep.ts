// The nightly sweep: the cron enqueues one message per linked account; each account's sweep lists
// its users' cloud recordings over overlapping windows and enqueues what is new, failed or stale.
import { eq, sql } from "drizzle-orm";
import type { Config } from "../config.ts";
import { database } from "../db/client.ts";
import { archiveSweeps, zoomCredentials } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { log } from "../http/log.ts";
import { ZoomClient } from "../zoom/client.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { ZoomRecordingList, ZoomUserList } from "../zoom/schemas.ts";
import { recordMeeting } from "./discover.ts";
import { archiveFileMessages, enqueue } from "./messages.ts";
import { enforceArchivePolicy } from "./policy.ts";
import { listingWindows } from "./windows.ts";

/** Cron: one sweep message per linked account (each runs in its own consumer invocation). */
export async function scheduleSweeps(env: Env): Promise<number> {
  const db = database(env.DB);
  const linked = await db
    .select({ tenantId: zoomCredentials.tenantId })
    .from(zoomCredentials)
    .where(eq(zoomCredentials.status, "linked"));
  await enqueue(
    env.ARCHIVE_QUEUE,
    linked.map((r) => ({ kind: "sweep-account" as const, tenantId: r.tenantId })),
  );
  return linked.length;
}

export interface SweepReport {
  users: number;
  windows: number;
  meetings: number;
  enqueued: number;
  backfill: boolean;
}

export async function sweepAccount(
  env: Env,
  config: Config,
  tenantId: string,
  now = Date.now(),
): Promise<SweepReport> {
  const db = database(env.DB);
  const cred = await credentialForTenant(db, tenantId);
  const report: SweepReport = { users: 0, windows: 0, meetings: 0, enqueued: 0, backfill: false };
  if (cred?.status !== "linked") return report;
  const state = await db.select().from(archiveSweeps).where(eq(archiveSweeps.tenantId, tenantId)).get();
  // A newly linked account (or one relinked to another Zoom account) is backfilled once.
  report.backfill = !state?.backfilledAt || state.zoomAccountId !== cred.zoomAccountId;
  const windows = listingWindows(
    now,
    report.backfill ? config.archive.backfillDays : config.archive.sweepDays,
  );
  report.windows = windows.length;
  const client = await ZoomClient.forTenant(env, config, db, tenantId);
  const owner = { tenantId, zoomAccountId: cred.zoomAccountId };

  const userIds: string[] = [];
  for await (const u of client.pages(
    {
      operation: "users.list",
      method: "GET",
      path: "/users",
      query: { page_size: 300 },
      schema: ZoomUserList,
    },
    "users",
  )) {
    if (u.id) userIds.push(u.id);
  }
  report.users = userIds.length;

  for (const userId of userIds) {
    for (const w of windows) {
      const toArchive: string[] = [];
      for await (const meeting of client.pages(
        {
          operation: "recordings.list",
          method: "GET",
          path: `/users/${encodeURIComponent(userId)}/recordings`,
          query: { from: w.from, to: w.to, page_size: 300 },
          schema: ZoomRecordingList,
        },
        "meetings",
      )) {
        report.meetings++;
        const found = await recordMeeting(db, config, owner, meeting, { includeRetryable: true, now });
        toArchive.push(...found.toArchive);
      }
      // Enqueued per window so a sweep cut short still hands over what it found.
      await enqueue(env.ARCHIVE_QUEUE, archiveFileMessages(tenantId, toArchive));
      report.enqueued += toArchive.length;
    }
  }

  await db
    .insert(archiveSweeps)
    .values({ tenantId, zoomAccountId: cred.zoomAccountId, backfilledAt: now, lastSweepAt: now })
    .onConflictDoUpdate({
      target: archiveSweeps.tenantId,
      set: { zoomAccountId: cred.zoomAccountId, backfilledAt: now, lastSweepAt: now, lastError: sql`null` },
    });
  try {
    await enforceArchivePolicy(env, config, tenantId);
  } catch (err) {
    log("warn", "sweep: archive policy not applied", { tenantId, err });
  }
  log("info", "sweep: account done", { tenantId, ...report });
  return report;
}
