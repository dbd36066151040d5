// The nightly sweep: the cron enqueues one message per linked account; each account's sweep lists
// its users' cloud recordings over overlapping windows and enqueues what is new, failed or stale.
import { eq, sql } from "drizzle-orm";
import type { z } from "zod";
import { database } from "../db/client.ts";
import { archiveSweeps, zoomCredentials } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { ZoomClient } from "../zoom/client.ts";
import { credentialForTenant } from "../zoom/credentials.ts";
import { ZoomApiError } from "../zoom/errors.ts";
import { ZoomRecordingList, ZoomUserList } from "../zoom/schemas.ts";
import { recordMeeting } from "./discover.ts";
import { type ArchiveMessage, archiveFileMessages, enqueue } from "./messages.ts";
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
  /** Set when the invocation's budget ran out and a continuation message was sent. */
  continued: boolean;
}

export type SweepResume = NonNullable<Extract<ArchiveMessage, { kind: "sweep-account" }>["resume"]>;

/**
 * How many meetings the sweeps of one queue invocation may still record. Shared by the batch's
 * messages, so several accounts swept in one invocation stay within D1's 1,000 queries together.
 */
export class SweepBudget {
  constructor(private meetingsLeft: number) {}
  get exhausted(): boolean {
    return this.meetingsLeft <= 0;
  }
  spend(meetings: number): void {
    this.meetingsLeft -= meetings;
  }
}

/** Listing pages are small so that checking the budget between pages keeps each invocation bounded. */
const PAGE_SIZE = 30;

export async function sweepAccount(
  env: Env,
  config: Config,
  tenantId: string,
  opts: { now?: number; resume?: SweepResume; budget?: SweepBudget } = {},
): Promise<SweepReport> {
  const db = database(env.DB);
  const cred = await credentialForTenant(db, tenantId);
  const report: SweepReport = {
    users: 0,
    windows: 0,
    meetings: 0,
    enqueued: 0,
    backfill: false,
    continued: false,
  };
  if (cred?.status !== "linked") return report;
  const budget = opts.budget ?? new SweepBudget(config.archive.sweepMeetingsPerRun);
  // A continuation keeps the first invocation's clock and kind, so its windows are the same ones.
  const now = opts.resume?.runAt ?? opts.now ?? Date.now();
  const state = await db.select().from(archiveSweeps).where(eq(archiveSweeps.tenantId, tenantId)).get();
  // A newly linked account (or one relinked to another Zoom account) is backfilled once.
  report.backfill =
    opts.resume?.backfill ?? (!state?.backfilledAt || state.zoomAccountId !== cred.zoomAccountId);
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
  // Sorted, so a continuation finds its place by id even if users came or went meanwhile.
  userIds.sort();
  report.users = userIds.length;

  const resume = opts.resume;
  for (const userId of userIds) {
    if (resume && userId < resume.userId) continue;
    const firstWindow = resume && userId === resume.userId ? resume.window : 0;
    for (let w = firstWindow; w < windows.length; w++) {
      const window = windows[w] as { from: string; to: string };
      let pageToken =
        resume && userId === resume.userId && w === resume.window ? resume.pageToken : undefined;
      do {
        if (budget.exhausted) {
          const next: SweepResume = { runAt: now, backfill: report.backfill, userId, window: w, pageToken };
          await enqueue(env.ARCHIVE_QUEUE, [{ kind: "sweep-account", tenantId, resume: next }]);
          report.continued = true;
          log("info", "sweep: budget spent, continuing in a new message", { tenantId, ...report });
          return report;
        }
        let page: z.infer<typeof ZoomRecordingList>;
        try {
          page = await client.call({
            operation: "recordings.list",
            method: "GET",
            path: `/users/${encodeURIComponent(userId)}/recordings`,
            query: { from: window.from, to: window.to, page_size: PAGE_SIZE, next_page_token: pageToken },
            schema: ZoomRecordingList,
          });
        } catch (err) {
          // A continuation's page token lives 15 minutes; past that, list the window again (idempotent).
          if (pageToken && err instanceof ZoomApiError && err.zoomCode === 300) {
            pageToken = undefined;
            continue;
          }
          throw err;
        }
        const toArchive: string[] = [];
        for (const meeting of page.meetings) {
          const found = await recordMeeting(db, config, owner, meeting, {
            includeRetryable: true,
            now: Date.now(),
          });
          toArchive.push(...found.toArchive);
        }
        budget.spend(page.meetings.length);
        report.meetings += page.meetings.length;
        // Enqueued per page so a sweep cut short still hands over what it found.
        await enqueue(env.ARCHIVE_QUEUE, archiveFileMessages(tenantId, toArchive));
        report.enqueued += toArchive.length;
        pageToken = page.next_page_token || undefined;
      } while (pageToken);
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
