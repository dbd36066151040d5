// One consumer's claim on a recording file, and every change it makes to the file's row: the claim
// itself (one holder per file, whatever the number of messages), progress that renews the lease, and
// giving the file back (archived, pending, failed, or processing). Writes are conditional on the
// lease, so a consumer that lost it changes nothing.
import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { Db } from "../db/client.ts";
import { type FinishedPart, recordingFiles, type recordings } from "../db/schema.ts";
import { recordingArchivedEvent, recordingFailedEvent } from "../events/emit.ts";
import { committedIds, dispatchEvents } from "../events/outbox.ts";
import type { Config } from "../platform/config.ts";
import { LeaseLost } from "./failures.ts";
import { findRecordingFile } from "./manage.ts";

export type FileRow = typeof recordingFiles.$inferSelect;
export type RecordingRow = typeof recordings.$inferSelect;

/** Waiting for Zoom's processing stops counting as free this long after the meeting's end. */
export const PROCESSING_WAIT_LIMIT_MS = 3 * 86_400_000;

export type ClaimResult =
  | { claimed: FileLease }
  | { outcome: "nothing-to-do"; reason: string }
  /** Another consumer holds the file; look again when its claim runs out. */
  | { outcome: "busy"; retryAfterSeconds: number };

/** Claims the file for this consumer; a claim whose holder died runs out after the lease. */
export async function claimFile(
  env: Env,
  db: Db,
  config: Config,
  ref: { tenantId: string; fileId: string },
  now: number,
): Promise<ClaimResult> {
  const current = await findRecordingFile(db, ref.tenantId, ref.fileId);
  if (!current) return { outcome: "nothing-to-do", reason: "no such file" };
  if (current.file.status === "archived") return { outcome: "nothing-to-do", reason: "already archived" };

  const leaseId = crypto.randomUUID();
  const claimed = await db
    .update(recordingFiles)
    .set({
      status: "archiving",
      leaseId,
      leaseUntil: now + config.archive.leaseSeconds * 1000,
      attempts: current.file.attempts + 1,
      updatedAt: now,
    })
    .where(
      and(
        eq(recordingFiles.tenantId, ref.tenantId),
        eq(recordingFiles.id, ref.fileId),
        or(
          inArray(recordingFiles.status, ["processing", "pending", "failed"]),
          and(eq(recordingFiles.status, "archiving"), lt(recordingFiles.leaseUntil, now)),
        ),
      ),
    )
    .returning()
    .get();
  if (!claimed) {
    const again = await findRecordingFile(db, ref.tenantId, ref.fileId);
    if (!again || again.file.status === "archived")
      return { outcome: "nothing-to-do", reason: "already archived" };
    const wait = Math.max(5, Math.ceil(((again.file.leaseUntil ?? now) - now) / 1000) + 5);
    return { outcome: "busy", retryAfterSeconds: wait };
  }
  return {
    claimed: new FileLease(env, db, config, claimed, current.recording, leaseId, current.file),
  };
}

export class FileLease {
  constructor(
    private readonly env: Env,
    private readonly db: Db,
    private readonly config: Config,
    /** The file's row as this consumer last wrote it. */
    public file: FileRow,
    readonly recording: RecordingRow,
    private readonly leaseId: string,
    /** The row before this claim: `processing` means Zoom had not finished it. */
    readonly before: FileRow,
  ) {}

  private get owned() {
    return and(
      eq(recordingFiles.tenantId, this.file.tenantId),
      eq(recordingFiles.id, this.file.id),
      eq(recordingFiles.leaseId, this.leaseId),
    );
  }

  /** Writes to the file's row while the lease holds; throws LeaseLost otherwise. */
  private async write(set: Partial<FileRow>) {
    const saved = await this.db
      .update(recordingFiles)
      .set(set)
      .where(this.owned)
      .returning({ id: recordingFiles.id });
    if (!saved.length) throw new LeaseLost();
    this.file = { ...this.file, ...set };
  }

  /** Zoom's current download URL and size of the file. */
  async saveSource(update: { downloadUrl: string; sizeBytes: number | null }) {
    await this.write({ ...update, updatedAt: Date.now() });
  }

  /** A finished part of a multipart upload; renews the lease. */
  async saveProgress(p: {
    uploadId: string;
    partSize: number;
    parts: FinishedPart[];
    bytesArchived: number;
  }) {
    const now = Date.now();
    await this.write({ ...p, leaseUntil: now + this.config.archive.leaseSeconds * 1000, updatedAt: now });
  }

  /** Forgets the multipart upload (R2 lost it, or the attempt gives up). */
  async resetUpload() {
    const reset = { uploadId: null, partSize: null, parts: null, bytesArchived: 0 };
    await this.db.update(recordingFiles).set(reset).where(this.owned);
    this.file = { ...this.file, ...reset };
  }

  /** The file is in R2, verified: archived with its size and hash. */
  async complete(size: number, sha256: string) {
    const now = Date.now();
    const archived = this.db
      .update(recordingFiles)
      .set({
        status: "archived",
        sizeBytes: size,
        bytesArchived: size,
        sha256,
        archivedAt: now,
        uploadId: null,
        partSize: null,
        parts: null,
        leaseId: null,
        leaseUntil: null,
        error: null,
        updatedAt: now,
      })
      .where(this.owned);
    // recording.archived is written in the same batch, when this was the recording's last file.
    const event = await recordingArchivedEvent(this.db, this.file.tenantId, this.file.recordingId);
    await dispatchEvents(this.env, committedIds(await this.db.batch([archived, event.statement])));
  }

  /** Waiting is free until a bound after the meeting (Zoom's processing can take a day). */
  mayWaitForProcessing(now: number): boolean {
    const end = this.recording.startTime + (this.recording.durationMinutes ?? 0) * 60_000;
    return now < end + PROCESSING_WAIT_LIMIT_MS;
  }

  /** Gives the file back as processing, its attempt count as before this claim. */
  async waitForProcessing() {
    await this.db
      .update(recordingFiles)
      .set({
        status: "processing",
        attempts: this.before.attempts,
        error: null,
        leaseId: null,
        leaseUntil: null,
        updatedAt: Date.now(),
      })
      .where(this.owned);
  }

  /** Gives the file back after a failed attempt: pending for a retry, failed after the last one. */
  async release(reason: string, final: boolean) {
    const released = this.db
      .update(recordingFiles)
      .set({
        status: final ? "failed" : "pending",
        error: reason.slice(0, 500),
        leaseId: null,
        leaseUntil: null,
        updatedAt: Date.now(),
      })
      .where(this.owned);
    // recording.failed is written with the last attempt's release.
    const event = final
      ? await recordingFailedEvent(this.db, this.file, this.recording, reason, this.file.attempts)
      : undefined;
    const written = await this.db.batch(event ? [released, event.statement] : [released]);
    await dispatchEvents(this.env, committedIds(written));
  }
}
