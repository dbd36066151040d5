// What this service holds in its own archive (R2) for a tenant, reported beside Zoom's usage.

export interface ArchiveTotals {
  recordings: number;
  files: number;
  bytes: number;
}

/**
 * Zero until the recording archive keeps its table; the archive feature fills this in so that
 * GET /v1/zoom/usage shows what was copied out of Zoom.
 */
export async function archiveTotals(_tenantId: string): Promise<ArchiveTotals> {
  return { recordings: 0, files: 0, bytes: 0 };
}
