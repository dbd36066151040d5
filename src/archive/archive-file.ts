// The archive consumer's work for one recording file: claim it (file-lease.ts), read it from Zoom
// (file-source.ts), stream it into R2 (file-transfer.ts), verify and complete it (file-verify.ts),
// then apply the tenant's archive policy. Turns the attempt's end into a queue outcome.
import { type Db, database } from "../db/client.ts";
import type { Config } from "../platform/config.ts";
import { log } from "../platform/log.ts";
import { ZoomNeedsRelink, ZoomNotLinked } from "../zoom/errors.ts";
import { ArchiveFailure, StillProcessing } from "./failures.ts";
import { claimFile, type FileLease } from "./file-lease.ts";
import { ZoomFileSource } from "./file-source.ts";
import { R2Transfer } from "./file-transfer.ts";
import { alreadyStored, verifyAndComplete } from "./file-verify.ts";
import { enforceArchivePolicy } from "./policy.ts";
import { ShortBody } from "./stream.ts";

export type ArchiveResult =
  | { outcome: "archived"; downloaded: boolean; sha256: string }
  /** Zoom is still processing the file; a new message looks again after the delay (no attempt spent). */
  | { outcome: "waiting"; retryAfterSeconds: number }
  | { outcome: "nothing-to-do"; reason: string }
  /** Another consumer holds the file; look again when its claim runs out. */
  | { outcome: "busy"; retryAfterSeconds: number }
  | { outcome: "retry"; reason: string; retryAfterSeconds: number }
  | { outcome: "failed"; reason: string; retryable: boolean };

/** Zoom processes a recording in about twice its length, sometimes a day: look again this often. */
export const PROCESSING_RECHECK_SECONDS = 30 * 60;

/** Delay before the next attempt: exponential from 30 s, capped at an hour, with jitter. */
export function backoffSeconds(attempt: number): number {
  const base = Math.min(3600, 30 * 2 ** Math.max(0, attempt - 1));
  return Math.round(base / 2 + (Math.random() * base) / 2);
}

/**
 * Archives one file. `attempt` is the queue delivery count (1-based); on the last one a failure
 * marks the file `failed` with its reason instead of asking for a retry.
 */
export async function archiveRecordingFile(
  env: Env,
  config: Config,
  ref: { tenantId: string; fileId: string },
  attempt: { number: number; last: boolean },
): Promise<ArchiveResult> {
  const db = database(env.DB);
  const now = Date.now();
  // Claim: one consumer at a time per file, whatever the number of messages (webhook resent,
  // sweep, retry).
  const claim = await claimFile(env, db, config, ref, now);
  if (!("claimed" in claim)) return claim;
  const lease = claim.claimed;
  try {
    const done = await archiveClaimed(env, config, db, lease);
    try {
      await enforceArchivePolicy(env, config, ref.tenantId, { recordingId: lease.recording.id });
    } catch (err) {
      // The file is archived either way; the nightly sweep applies the policy again.
      log("warn", "archive: policy not applied after archiving", { tenantId: ref.tenantId, err });
    }
    return { outcome: "archived", ...done };
  } catch (err) {
    if (err instanceof StillProcessing && lease.mayWaitForProcessing(now)) {
      // Not an attempt: the file goes back to processing with its attempt count unchanged.
      await lease.waitForProcessing();
      log("info", "archive: Zoom is still processing the file; looking again later", {
        tenantId: ref.tenantId,
        fileId: ref.fileId,
      });
      return { outcome: "waiting", retryAfterSeconds: PROCESSING_RECHECK_SECONDS };
    }
    const failure = asFailure(err);
    const final = attempt.last || !failure.retryable;
    if (final && lease.file.uploadId) {
      // Giving up: do not leave parts in R2 (it would drop them after 7 days anyway).
      await new R2Transfer(env, config, lease).abortUpload(lease.file.uploadId);
      await lease.resetUpload();
    }
    await lease.release(failure.message, final);
    log(final ? "error" : "warn", "archive: attempt failed", {
      tenantId: ref.tenantId,
      fileId: ref.fileId,
      attempt: attempt.number,
      final,
      reason: failure.message,
    });
    if (final) return { outcome: "failed", reason: failure.message, retryable: failure.retryable };
    return {
      outcome: "retry",
      reason: failure.message,
      retryAfterSeconds: failure.retryAfterSeconds ?? backoffSeconds(attempt.number),
    };
  }
}

/** The steps of one attempt on a claimed file, in order. */
async function archiveClaimed(
  env: Env,
  config: Config,
  db: Db,
  lease: FileLease,
): Promise<{ downloaded: boolean; sha256: string }> {
  const { recording } = lease;
  if (recording.zoomState !== "active") {
    throw new ArchiveFailure(
      `the recording is ${recording.zoomState} in Zoom and cannot be downloaded`,
      false,
    );
  }
  const source = new ZoomFileSource(env, config, db, lease);
  // A file Zoom was still processing: its size and download URL come from Zoom's API once done.
  if (lease.before.status === "processing") await source.refreshFromZoom();
  if (!lease.file.uploadId) {
    const stored = await alreadyStored(env.RECORDINGS, lease);
    if (stored) {
      await verifyAndComplete(env.RECORDINGS, lease, stored.size, stored.sha256);
      return { downloaded: false, sha256: stored.sha256 };
    }
  }

  const file = lease.file;
  const resumeFrom = file.uploadId ? (file.parts?.length ?? 0) * (file.partSize ?? 0) : 0;
  const download = await source.open(resumeFrom);
  const total = download.offset + download.length;
  const transfer = new R2Transfer(env, config, lease);
  const result =
    lease.file.uploadId || total > config.archive.multipartThresholdBytes
      ? await transfer.multipart(download, total)
      : await transfer.singlePut(download, total);
  await verifyAndComplete(env.RECORDINGS, lease, result.size, result.sha256);
  return { downloaded: true, sha256: result.sha256 };
}

function asFailure(err: unknown): ArchiveFailure {
  if (err instanceof ArchiveFailure) return err;
  if (err instanceof StillProcessing) return new ArchiveFailure("Zoom is still processing the file", true);
  if (err instanceof ZoomNotLinked) return new ArchiveFailure("Zoom is not linked for this tenant", false);
  if (err instanceof ZoomNeedsRelink)
    return new ArchiveFailure("the Zoom link needs renewal by an admin", false);
  if (err instanceof ShortBody) return new ArchiveFailure(`download cut short: ${err.message}`, true);
  const message = err instanceof Error ? err.message : String(err);
  return new ArchiveFailure(`archive interrupted: ${message.slice(0, 300)}`, true);
}
