// What this service holds in its own archive (R2) for a tenant, reported beside Zoom's usage.
import { and, count, countDistinct, eq, sum } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { recordingFiles } from "../db/schema.ts";

export interface ArchiveTotals {
  recordings: number;
  files: number;
  bytes: number;
}

/** Meeting instances, files and bytes archived and verified in R2 for the tenant (one D1 query). */
export async function archiveTotals(db: Db, tenantId: string): Promise<ArchiveTotals> {
  const row = await db
    .select({
      recordings: countDistinct(recordingFiles.recordingId),
      files: count(),
      bytes: sum(recordingFiles.sizeBytes),
    })
    .from(recordingFiles)
    .where(and(eq(recordingFiles.tenantId, tenantId), eq(recordingFiles.status, "archived")))
    .get();
  return { recordings: row?.recordings ?? 0, files: row?.files ?? 0, bytes: Number(row?.bytes ?? 0) };
}
