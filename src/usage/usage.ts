// Seats and cloud storage of a tenant's Zoom account. Zoom's usage calls are heavily rate-limited
// (plan usage is a Heavy call), so answers come from the latest snapshot in D1 unless it is old or a
// refresh is asked for; every refresh adds a snapshot, and the series is kept for charts.
import { and, desc, eq } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { usageSnapshots } from "../db/schema.ts";
import { storageLowEvent } from "../events/emit.ts";
import { committedIds } from "../events/outbox.ts";
import { log } from "../platform/log.ts";
import type { ZoomClient } from "../zoom/client.ts";
import { ZoomApiError, ZoomRateLimited } from "../zoom/errors.ts";
import { planUsage, usersSummary } from "../zoom/users.ts";
import { type ArchiveTotals, archiveTotals } from "./archive-totals.ts";
import { cloudStorageOf } from "./storage.ts";

/** How long a snapshot answers before it is read again from Zoom. */
export const USAGE_MAX_AGE_MS = 15 * 60_000;

export type UsageSnapshot = typeof usageSnapshots.$inferSelect;

export interface UsageView {
  zoomAccountId: string;
  seats: { licensed: number; basic: number; pending: number; total: number; purchased: number | null };
  cloudStorage: { usedBytes: number | null; planBytes: number | null; freeBytes: number | null };
  archive: ArchiveTotals;
  /** Cloud storage used at each of the latest snapshots, oldest first (for a chart). */
  history: { at: string; usedBytes: number | null }[];
  cachedAt: string;
  ageSeconds: number;
  /** Set when a refresh failed and an older snapshot answers instead. */
  stale?: { reason: string; retryAfterSeconds?: number };
}

const HISTORY_POINTS = 60;

async function storageHistory(db: Db, tenantId: string, zoomAccountId: string) {
  const rows = await db
    .select({ at: usageSnapshots.takenAt, usedBytes: usageSnapshots.storageUsedBytes })
    .from(usageSnapshots)
    .where(and(eq(usageSnapshots.tenantId, tenantId), eq(usageSnapshots.zoomAccountId, zoomAccountId)))
    .orderBy(desc(usageSnapshots.takenAt), desc(usageSnapshots.id))
    .limit(HISTORY_POINTS)
    .all();
  return rows.reverse().map((r) => ({ at: new Date(r.at).toISOString(), usedBytes: r.usedBytes }));
}

export async function latestUsage(db: Db, tenantId: string): Promise<UsageSnapshot | undefined> {
  return db
    .select()
    .from(usageSnapshots)
    .where(eq(usageSnapshots.tenantId, tenantId))
    .orderBy(desc(usageSnapshots.takenAt), desc(usageSnapshots.id))
    .limit(1)
    .get();
}

/** Reads seats and plan usage from Zoom and stores them as a new snapshot. */
export async function takeUsageSnapshot(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  now: number,
  dispatch: (eventIds: string[]) => Promise<void> = async () => {},
) {
  const summary = await usersSummary(client);
  let plan: Awaited<ReturnType<typeof planUsage>> | undefined;
  try {
    plan = await planUsage(client);
  } catch (err) {
    // Seats are still worth showing when the plan call is refused (sub-account, missing scope).
    if (!(err instanceof ZoomApiError)) throw err;
    log("warn", "zoom plan usage refused; storage left unknown", { tenantId, err: err.message });
  }
  const storage = cloudStorageOf(plan?.plan_recording);
  const snapshot = db
    .insert(usageSnapshots)
    .values({
      tenantId,
      zoomAccountId: client.zoomAccountId,
      takenAt: now,
      seatsLicensed: summary.licensed_users_count,
      seatsBasic: summary.basic_users_count,
      seatsPending: summary.pending_users_count,
      seatsTotal: summary.total_users_count,
      seatsPurchased: plan?.plan_base?.hosts ?? null,
      storageUsedBytes: storage.usedBytes,
      storagePlanBytes: storage.capacityBytes,
    })
    .returning();
  // storage.low is written with the snapshot that crosses the tenant's threshold.
  const [inserted, written] = await db.batch([
    snapshot,
    (await storageLowEvent(db, tenantId, now)).statement,
  ]);
  await dispatch(committedIds([written]));
  return inserted[0] as UsageSnapshot;
}

/** The usage answer: from the cache when fresh, else from Zoom (falling back to the cache on 429). */
export async function usageFor(
  db: Db,
  client: ZoomClient,
  tenantId: string,
  opts: { refresh: boolean; now?: number; dispatch?: (eventIds: string[]) => Promise<void> },
): Promise<UsageView> {
  const now = opts.now ?? Date.now();
  const cached = await latestUsage(db, tenantId);
  const usable = cached && cached.zoomAccountId === client.zoomAccountId ? cached : undefined;
  if (usable && !opts.refresh && now - usable.takenAt < USAGE_MAX_AGE_MS)
    return view(db, usable, tenantId, now);
  try {
    return view(db, await takeUsageSnapshot(db, client, tenantId, now, opts.dispatch), tenantId, now);
  } catch (err) {
    if (usable && err instanceof ZoomRateLimited) {
      return view(db, usable, tenantId, now, {
        reason: "zoom_rate_limited",
        retryAfterSeconds: err.retryAfterSeconds,
      });
    }
    throw err;
  }
}

async function view(
  db: Db,
  s: UsageSnapshot,
  tenantId: string,
  now: number,
  stale?: UsageView["stale"],
): Promise<UsageView> {
  const free =
    s.storagePlanBytes === null || s.storageUsedBytes === null
      ? null
      : Math.max(0, s.storagePlanBytes - s.storageUsedBytes);
  return {
    zoomAccountId: s.zoomAccountId,
    seats: {
      licensed: s.seatsLicensed,
      basic: s.seatsBasic,
      pending: s.seatsPending,
      total: s.seatsTotal,
      purchased: s.seatsPurchased,
    },
    cloudStorage: { usedBytes: s.storageUsedBytes, planBytes: s.storagePlanBytes, freeBytes: free },
    archive: await archiveTotals(db, tenantId),
    history: await storageHistory(db, tenantId, s.zoomAccountId),
    cachedAt: new Date(s.takenAt).toISOString(),
    ageSeconds: Math.max(0, Math.floor((now - s.takenAt) / 1000)),
    ...(stale ? { stale } : {}),
  };
}
