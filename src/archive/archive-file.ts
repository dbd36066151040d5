// The archive consumer's work for one recording file: claim it, stream it from Zoom into R2 (one
// put, or a resumable multipart upload with equal parts), verify size and object, record the hash.
import { and, eq, inArray, lt, or } from "drizzle-orm";
import type { Config } from "../config.ts";
import { type Db, database } from "../db/client.ts";
import { type FinishedPart, recordingFiles, recordings } from "../db/schema.ts";
import type { Env } from "../env.ts";
import { recordingArchivedEvent, recordingFailedEvent } from "../events/emit.ts";
import { committedIds, dispatchEvents } from "../events/outbox.ts";
import { log } from "../http/log.ts";
import { TokenVault } from "../tokens/vault.ts";
import { encodeMeetingUuid, ZoomClient } from "../zoom/client.ts";
import { ZoomApiError, ZoomNeedsRelink, ZoomNotLinked } from "../zoom/errors.ts";
import { ZoomRecordingMeeting } from "../zoom/schemas.ts";
import { contentTypeOf, fileIdOf, isAllowedFileLocation, isZoomDownloadUrl } from "./discover.ts";
import { findRecordingFile } from "./manage.ts";
import { enforceArchivePolicy } from "./policy.ts";
import { ByteSource, exactSlice, ShortBody, sha256OfObject } from "./stream.ts";

type FileRow = typeof recordingFiles.$inferSelect;
type RecordingRow = typeof recordings.$inferSelect;

/** Why an attempt did not archive the file; `retryable` failures are retried until the last attempt. */
export class ArchiveFailure extends Error {
  override name = "ArchiveFailure";
  constructor(
    message: string,
    readonly retryable: boolean,
    readonly retryAfterSeconds?: number,
  ) {
    super(message);
  }
}

/** Zoom has not finished processing the file: not a failure, look again later. */
class StillProcessing extends Error {
  override name = "StillProcessing";
}

export type ArchiveResult =
  | { outcome: "archived"; downloaded: boolean; sha256: string }
  /** Zoom is still processing the file; a new message looks again after the delay (no attempt spent). */
  | { outcome: "waiting"; retryAfterSeconds: number }
  | { outcome: "nothing-to-do"; reason: string }
  /** Another consumer holds the file; look again when its claim runs out. */
  | { outcome: "busy"; retryAfterSeconds: number }
  | { outcome: "retry"; reason: string; retryAfterSeconds: number }
  | { outcome: "failed"; reason: string; retryable: boolean };

const R2_MAX_PARTS = 10_000;
/** Zoom processes a recording in about twice its length, sometimes a day: look again this often. */
export const PROCESSING_RECHECK_SECONDS = 30 * 60;
/** Waiting for Zoom's processing stops counting as free this long after the meeting's end. */
export const PROCESSING_WAIT_LIMIT_MS = 3 * 86_400_000;
const MiB = 1024 * 1024;

/** Equal parts of the configured size, grown (in whole MiB) when the file would need more than 10,000. */
export function partSizeFor(size: number, configured: number): number {
  const needed = Math.ceil(size / R2_MAX_PARTS / MiB) * MiB;
  return Math.max(configured, needed);
}

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
  const current = await findRecordingFile(db, ref.tenantId, ref.fileId);
  if (!current) return { outcome: "nothing-to-do", reason: "no such file" };
  if (current.file.status === "archived") return { outcome: "nothing-to-do", reason: "already archived" };

  // Claim: one consumer at a time per file, whatever the number of messages (webhook resent,
  // sweep, retry). A claim whose holder died runs out after the lease.
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

  const job = new ArchiveJob(env, config, db, claimed, current.recording, leaseId, current.file.status);
  try {
    const done = await job.run();
    try {
      await enforceArchivePolicy(env, config, ref.tenantId, { recordingId: current.recording.id });
    } catch (err) {
      // The file is archived either way; the nightly sweep applies the policy again.
      log("warn", "archive: policy not applied after archiving", { tenantId: ref.tenantId, err });
    }
    return { outcome: "archived", ...done };
  } catch (err) {
    if (err instanceof StillProcessing && job.mayWaitForProcessing(now)) {
      // Not an attempt: the file goes back to processing with its attempt count unchanged.
      await job.waitForProcessing(current.file.attempts);
      log("info", "archive: Zoom is still processing the file; looking again later", {
        tenantId: ref.tenantId,
        fileId: ref.fileId,
      });
      return { outcome: "waiting", retryAfterSeconds: PROCESSING_RECHECK_SECONDS };
    }
    const failure = asFailure(err);
    const final = attempt.last || !failure.retryable;
    await job.release(failure.message, final);
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

/** R2 says the multipart upload is gone (aborted from outside, or expired after 7 days). */
const uploadMissing = (err: unknown) =>
  /10024|NoSuchUpload|upload does not exist|multipart upload.*(not found|does not exist)/i.test(String(err));

class LeaseLost extends ArchiveFailure {
  constructor() {
    super("another consumer took the file over", true, 60);
  }
}

class ArchiveJob {
  private readonly bucket: R2Bucket;
  private readonly key: string;
  private readonly contentType: string;

  constructor(
    private readonly env: Env,
    private readonly config: Config,
    private readonly db: Db,
    private file: FileRow,
    private readonly recording: RecordingRow,
    private readonly leaseId: string,
    /** The file's status before this claim: `processing` means Zoom had not finished it. */
    private readonly statusBefore: FileRow["status"],
  ) {
    this.bucket = env.RECORDINGS;
    this.key = file.r2Key;
    this.contentType = contentTypeOf(file.fileExtension);
  }

  private get owned() {
    return and(
      eq(recordingFiles.tenantId, this.file.tenantId),
      eq(recordingFiles.id, this.file.id),
      eq(recordingFiles.leaseId, this.leaseId),
    );
  }

  async run(): Promise<{ downloaded: boolean; sha256: string }> {
    if (this.recording.zoomState !== "active") {
      throw new ArchiveFailure(
        `the recording is ${this.recording.zoomState} in Zoom and cannot be downloaded`,
        false,
      );
    }
    // A file Zoom was still processing: its size and download URL come from Zoom's API once done.
    if (this.statusBefore === "processing") await this.refreshFromZoom();
    // A previous attempt may have finished the upload and died before recording it: verify
    // what is in R2 instead of downloading again.
    if (!this.file.uploadId) {
      const found = await this.bucket.head(this.key);
      if (found) {
        const expected = this.file.sizeBytes ?? Number(found.customMetadata?.sizeBytes);
        if (found.customMetadata?.fileId === this.file.id && found.size === expected) {
          const check = await sha256OfObject(this.bucket, this.key);
          if (check && check.size === expected) {
            await this.finish(check.size, check.sha256);
            return { downloaded: false, sha256: check.sha256 };
          }
        }
        // Not ours or not whole: it will be replaced.
        await this.bucket.delete(this.key);
      }
    }

    const resumeFrom = this.file.uploadId ? (this.file.parts?.length ?? 0) * (this.file.partSize ?? 0) : 0;
    const download = await this.openDownload(resumeFrom);
    const total = download.offset + download.length;
    let result: { size: number; sha256: string };
    if (this.file.uploadId || total > this.config.archive.multipartThresholdBytes) {
      result = await this.multipart(download, total);
    } else {
      result = await this.singlePut(download, total);
    }
    await this.finish(result.size, result.sha256);
    return { downloaded: true, sha256: result.sha256 };
  }

  /** Opens the file at `offset`, following Zoom's redirect; checks it is the file and not a page. */
  private async openDownload(
    offset: number,
  ): Promise<{ body: ReadableStream<Uint8Array>; offset: number; length: number }> {
    const location = await this.signedLocation();
    const headers: Record<string, string> = { "accept-encoding": "identity" };
    if (offset > 0) headers.range = `bytes=${offset}-`;
    let res: Response;
    try {
      // No Authorization here: the signed URL needs none, and forwarding the bearer leaks it.
      if (location.response) res = location.response;
      else {
        if (!isAllowedFileLocation(location.url, this.config)) {
          throw new ArchiveFailure("Zoom redirected the download to a URL that is not https", false);
        }
        res = await fetch(location.url, { headers });
      }
    } catch (err) {
      if (err instanceof ArchiveFailure) throw err;
      throw new ArchiveFailure(`download failed: ${err instanceof Error ? err.message : String(err)}`, true);
    }
    const refuse = async (reason: string, retryable = true, after?: number): Promise<never> => {
      await res.body?.cancel().catch(() => {});
      throw new ArchiveFailure(reason, retryable, after);
    };
    if (res.status === 429) await refuse("Zoom rate-limited the download", true, retryAfter(res));
    if (res.status !== 200 && res.status !== 206) await refuse(`the file URL answered ${res.status}`);
    const type = res.headers.get("content-type") ?? "";
    // A sign-in or error page with status 200 is not the recording, whatever its length.
    if (/text\/html/i.test(type)) await refuse("Zoom answered an HTML page instead of the file");
    let start = 0;
    if (res.status === 206) {
      const m = /^bytes (\d+)-(\d+)\/(\d+|\*)$/.exec(res.headers.get("content-range") ?? "");
      if (!m || Number(m[1]) !== offset) await refuse("the source answered a different range than asked");
      start = offset;
    }
    const declared = res.headers.get("content-length");
    const expectedTotal = this.file.sizeBytes;
    const length =
      declared !== null ? Number(declared) : expectedTotal !== null ? expectedTotal - start : Number.NaN;
    if (!Number.isSafeInteger(length) || length < 0) await refuse("the download has no length");
    if (expectedTotal !== null && start + length !== expectedTotal) {
      await refuse(`the download is ${start + length} bytes but Zoom's file_size is ${expectedTotal}`);
    }
    if (!res.body) await refuse("the download has no body");
    return { body: res.body as ReadableStream<Uint8Array>, offset: start, length };
  }

  /**
   * Asks download_url with a bearer: the webhook's download_token while it lives, else the
   * account's OAuth token (refreshed once if Zoom refuses it). An expired or refused
   * download_token, or a URL Zoom no longer answers, is replaced by a fresh download_url from
   * GET /meetings/{uuid}/recordings (the webhook's URL may take only its own token). The bearer is
   * sent only to a Zoom download URL and never follows a redirect. Returns the redirect target, or
   * the response itself when Zoom serves the file directly.
   */
  private async signedLocation(): Promise<{ url: string; response?: Response }> {
    let downloadToken = await this.storedDownloadToken();
    let client: ZoomClient | undefined;
    let oauthToken: string | undefined;
    let refreshed = false;
    let urlRefreshed = false;
    const refreshUrl = async () => {
      urlRefreshed = true;
      await this.refreshFromZoom();
    };
    for (;;) {
      if (!isZoomDownloadUrl(this.file.downloadUrl, this.config)) {
        throw new ArchiveFailure("the download_url is not a Zoom recording download URL", false);
      }
      let token: string;
      if (downloadToken) token = downloadToken;
      else {
        client ??= await this.zoomClient();
        oauthToken ??= await client.accessToken();
        token = oauthToken;
      }
      let res: Response;
      try {
        res = await fetch(this.file.downloadUrl, {
          headers: { authorization: `Bearer ${token}`, "accept-encoding": "identity" },
          redirect: "manual",
          signal: AbortSignal.timeout(Math.max(this.config.zoom.timeoutMs, 5000)),
        });
      } catch (err) {
        throw new ArchiveFailure(
          `download_url failed: ${err instanceof Error ? err.message : String(err)}`,
          true,
        );
      }
      if (res.status >= 300 && res.status < 400) {
        await res.body?.cancel().catch(() => {});
        const location = res.headers.get("location");
        if (!location) throw new ArchiveFailure("Zoom redirected without a Location", true);
        return { url: new URL(location, this.file.downloadUrl).toString() };
      }
      if (res.status === 401 || res.status === 403) {
        await res.body?.cancel().catch(() => {});
        if (downloadToken) {
          // Expired or revoked download_token (an event days late): forget it, and ask Zoom's API
          // for a download_url that takes the account's token.
          downloadToken = null;
          await this.forgetDownloadToken();
          if (!urlRefreshed) await refreshUrl();
          continue;
        }
        if (client && oauthToken && !refreshed) {
          refreshed = true;
          oauthToken = await client.refreshAfterRejection(oauthToken);
          continue;
        }
        if (!urlRefreshed) {
          await refreshUrl();
          continue;
        }
        throw new ArchiveFailure("Zoom refused the download credentials", true);
      }
      if (res.status === 404 && !urlRefreshed) {
        // Still processing, moved, or gone: Zoom's API says which.
        await res.body?.cancel().catch(() => {});
        await refreshUrl();
        continue;
      }
      if (res.status === 429) {
        await res.body?.cancel().catch(() => {});
        throw new ArchiveFailure("Zoom rate-limited the download", true, retryAfter(res));
      }
      if (res.status === 200 || res.status === 206) return { url: this.file.downloadUrl, response: res };
      await res.body?.cancel().catch(() => {});
      throw new ArchiveFailure(`download_url answered ${res.status}`, true);
    }
  }

  private client?: ZoomClient;
  private async zoomClient(): Promise<ZoomClient> {
    this.client ??= await ZoomClient.forTenant(this.env, this.config, this.db, this.file.tenantId);
    return this.client;
  }

  /**
   * Reads the file as Zoom lists it now (GET /meetings/{uuid}/recordings, with the account's
   * token): a fresh download_url and, once processed, its size. Throws StillProcessing while Zoom
   * is not done, and a final failure when Zoom no longer has the file.
   */
  private async refreshFromZoom(): Promise<void> {
    const client = await this.zoomClient();
    let atZoom: ZoomRecordingMeeting;
    try {
      atZoom = await client.call({
        operation: "recordings.get",
        method: "GET",
        path: `/meetings/${encodeMeetingUuid(this.recording.meetingUuid)}/recordings`,
        schema: ZoomRecordingMeeting,
      });
    } catch (err) {
      if (err instanceof ZoomApiError && err.status === 404)
        throw new ArchiveFailure("Zoom no longer has this recording", false);
      throw err;
    }
    let listed: ZoomRecordingMeeting["recording_files"][number] | undefined;
    for (const f of [...atZoom.recording_files, ...atZoom.participant_audio_files]) {
      if ((await fileIdOf(atZoom.uuid, f)) === this.file.id) listed = f;
    }
    if (!listed) throw new ArchiveFailure("Zoom no longer lists this file", false);
    if (listed.status === "processing") throw new StillProcessing();
    if (!isZoomDownloadUrl(listed.download_url, this.config)) {
      throw new ArchiveFailure("the download_url is not a Zoom recording download URL", false);
    }
    const update = {
      downloadUrl: listed.download_url,
      sizeBytes: listed.file_size ?? this.file.sizeBytes,
      updatedAt: Date.now(),
    };
    const saved = await this.db
      .update(recordingFiles)
      .set(update)
      .where(this.owned)
      .returning({ id: recordingFiles.id });
    if (!saved.length) throw new LeaseLost();
    this.file = { ...this.file, ...update };
  }

  /** Waiting is free until a bound after the meeting (Zoom's processing can take a day). */
  mayWaitForProcessing(now: number): boolean {
    const end = this.recording.startTime + (this.recording.durationMinutes ?? 0) * 60_000;
    return now < end + PROCESSING_WAIT_LIMIT_MS;
  }

  /** Gives the file back as processing, its attempt count as before this claim. */
  async waitForProcessing(attemptsBefore: number) {
    await this.db
      .update(recordingFiles)
      .set({
        status: "processing",
        attempts: attemptsBefore,
        error: null,
        leaseId: null,
        leaseUntil: null,
        updatedAt: Date.now(),
      })
      .where(this.owned);
  }

  private async storedDownloadToken(): Promise<string | null> {
    const r = this.recording;
    if (!r.downloadTokenEnc || !r.downloadTokenExpiresAt || r.downloadTokenExpiresAt < Date.now() + 60_000)
      return null;
    try {
      return await new TokenVault(this.config.tokenKeys).decrypt(r.downloadTokenEnc, {
        tenantId: r.tenantId,
        zoomAccountId: r.zoomAccountId,
        field: `download_token:${r.id}`,
      });
    } catch {
      return null;
    }
  }

  private async forgetDownloadToken(): Promise<void> {
    await this.db
      .update(recordings)
      .set({ downloadTokenEnc: null, downloadTokenExpiresAt: null })
      .where(and(eq(recordings.tenantId, this.recording.tenantId), eq(recordings.id, this.recording.id)));
  }

  private metadata(size: number) {
    return {
      httpMetadata: { contentType: this.contentType },
      customMetadata: {
        fileId: this.file.id,
        recordingId: this.recording.id,
        meetingUuid: this.recording.meetingUuid,
        classId: this.recording.classId ?? "",
        fileType: this.file.fileType,
        startTime: new Date(this.file.recordingStart ?? this.recording.startTime).toISOString(),
        sizeBytes: String(size),
      },
    };
  }

  /** Known length within the threshold: one put of the body, hashed on the way. */
  private async singlePut(download: { body: ReadableStream<Uint8Array>; length: number }, total: number) {
    const source = new ByteSource(download.body, true);
    const slice = exactSlice(source, total);
    const [put, pumped] = await Promise.allSettled([
      this.bucket.put(this.key, slice.readable, this.metadata(total)),
      slice.pumped,
    ]);
    if (pumped.status === "rejected") {
      source.cancel();
      throw pumped.reason;
    }
    if (put.status === "rejected") throw new ArchiveFailure(`R2 put failed: ${String(put.reason)}`, true);
    await this.expectEnd(source);
    const sha256 = (await source.sha256()) as string;
    return { size: source.bytesRead, sha256 };
  }

  /** The body must end where its length said. */
  private async expectEnd(source: ByteSource) {
    const extra = await source.read(1);
    if (extra) {
      source.cancel();
      throw new ArchiveFailure("the download is longer than announced", true);
    }
  }

  /**
   * Multipart: equal parts (the last may be shorter), each streamed as a known-length slice of
   * the one download. Progress is saved after each part, so a retry resumes with a Range request.
   */
  private async multipart(
    download: { body: ReadableStream<Uint8Array>; offset: number; length: number },
    total: number,
  ) {
    let upload: R2MultipartUpload;
    let parts: FinishedPart[] = this.file.parts ?? [];
    let partSize = this.file.partSize ?? partSizeFor(total, this.config.archive.partSizeBytes);
    if (this.file.uploadId && download.offset === parts.length * partSize) {
      upload = this.bucket.resumeMultipartUpload(this.key, this.file.uploadId);
    } else {
      // Fresh start (or the source ignored our Range and sent everything): a new upload.
      if (this.file.uploadId) await this.abortUpload(this.file.uploadId);
      parts = [];
      partSize = partSizeFor(total, this.config.archive.partSizeBytes);
      upload = await this.bucket.createMultipartUpload(this.key, this.metadata(total));
      await this.saveProgress({ uploadId: upload.uploadId, partSize, parts, bytesArchived: 0 });
    }
    // The hash is computed while streaming when the whole file passes through this attempt;
    // after a resume it is computed from the finished object in R2 (the same SHA-256 of the file).
    const source = new ByteSource(download.body, download.offset === 0);
    const count = Math.max(1, Math.ceil(total / partSize));
    try {
      for (let n = parts.length + 1; n <= count; n++) {
        const length = Math.min(partSize, total - (n - 1) * partSize);
        const slice = exactSlice(source, length);
        const uploading = upload.uploadPart(n, slice.readable);
        uploading.catch((err) => slice.abort(err));
        const [part, pumped] = await Promise.allSettled([uploading, slice.pumped]);
        if (part.status === "rejected") {
          if (uploadMissing(part.reason)) await this.resetUpload();
          throw new ArchiveFailure(`R2 upload of part ${n} failed: ${String(part.reason)}`, true);
        }
        if (pumped.status === "rejected") throw pumped.reason;
        parts = [...parts, { partNumber: part.value.partNumber, etag: part.value.etag }];
        await this.saveProgress({
          uploadId: upload.uploadId,
          partSize,
          parts,
          bytesArchived: Math.min(total, n * partSize),
        });
      }
      await this.expectEnd(source);
    } catch (err) {
      source.cancel(err);
      throw err;
    }
    try {
      await upload.complete(parts);
    } catch (err) {
      if (uploadMissing(err)) await this.resetUpload();
      throw new ArchiveFailure(`R2 could not complete the upload: ${String(err)}`, true);
    }
    const streamed = await source.sha256();
    if (streamed) return { size: total, sha256: streamed };
    const check = await sha256OfObject(this.bucket, this.key);
    if (!check) throw new ArchiveFailure("the completed upload is not in R2", true);
    return { size: check.size, sha256: check.sha256 };
  }

  private async saveProgress(p: {
    uploadId: string;
    partSize: number;
    parts: FinishedPart[];
    bytesArchived: number;
  }) {
    const now = Date.now();
    const saved = await this.db
      .update(recordingFiles)
      .set({ ...p, leaseUntil: now + this.config.archive.leaseSeconds * 1000, updatedAt: now })
      .where(this.owned)
      .returning({ id: recordingFiles.id });
    if (!saved.length) throw new LeaseLost();
    this.file = { ...this.file, ...p };
  }

  private async resetUpload() {
    await this.db
      .update(recordingFiles)
      .set({ uploadId: null, partSize: null, parts: null, bytesArchived: 0 })
      .where(this.owned);
    this.file = { ...this.file, uploadId: null, partSize: null, parts: null, bytesArchived: 0 };
  }

  private async abortUpload(uploadId: string) {
    try {
      await this.bucket.resumeMultipartUpload(this.key, uploadId).abort();
    } catch {
      // Already gone.
    }
  }

  /** Archived only when R2 holds an object of exactly the expected size. */
  private async finish(size: number, sha256: string) {
    const head = await this.bucket.head(this.key);
    if (!head || head.size !== size || (this.file.sizeBytes !== null && size !== this.file.sizeBytes)) {
      throw new ArchiveFailure(
        `verification failed: R2 holds ${head?.size ?? "nothing"}, expected ${this.file.sizeBytes ?? size} bytes`,
        true,
      );
    }
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

  /** Gives the file back after a failed attempt: pending for a retry, failed after the last one. */
  async release(reason: string, final: boolean) {
    if (final && this.file.uploadId) {
      // Giving up: do not leave parts in R2 (it would drop them after 7 days anyway).
      await this.abortUpload(this.file.uploadId);
      await this.resetUpload();
    }
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

function retryAfter(res: Response): number {
  const v = res.headers.get("retry-after");
  if (!v) return 60;
  const n = Number(v);
  if (Number.isFinite(n)) return Math.min(3600, Math.max(1, Math.ceil(n)));
  const at = Date.parse(v);
  return Number.isFinite(at) ? Math.min(86_400, Math.max(1, Math.ceil((at - Date.now()) / 1000))) : 60;
}
