// Streaming a download into R2 with bounded memory: one put of a known-length body, or a resumable
// multipart upload of equal parts whose progress is kept on the file's row. Bytes are counted and
// hashed on the way; a body longer or shorter than announced fails the attempt.
import type { FinishedPart } from "../db/schema.ts";
import type { Config } from "../platform/config.ts";
import { contentTypeOf } from "./discover.ts";
import { ArchiveFailure } from "./failures.ts";
import type { FileLease } from "./file-lease.ts";
import type { Download } from "./file-source.ts";
import { ByteSource, exactSlice, sha256OfObject } from "./stream.ts";

const R2_MAX_PARTS = 10_000;
const MiB = 1024 * 1024;

/** Equal parts of the configured size, grown (in whole MiB) when the file would need more than 10,000. */
export function partSizeFor(size: number, configured: number): number {
  const needed = Math.ceil(size / R2_MAX_PARTS / MiB) * MiB;
  return Math.max(configured, needed);
}

/** R2 says the multipart upload is gone (aborted from outside, or expired after 7 days). */
const uploadMissing = (err: unknown) =>
  /10024|NoSuchUpload|upload does not exist|multipart upload.*(not found|does not exist)/i.test(String(err));

export class R2Transfer {
  private readonly bucket: R2Bucket;
  private readonly key: string;

  constructor(
    env: Env,
    private readonly config: Config,
    private readonly lease: FileLease,
  ) {
    this.bucket = env.RECORDINGS;
    this.key = lease.file.r2Key;
  }

  private metadata(size: number) {
    return {
      httpMetadata: { contentType: contentTypeOf(this.lease.file.fileExtension) },
      customMetadata: {
        fileId: this.lease.file.id,
        recordingId: this.lease.recording.id,
        meetingUuid: this.lease.recording.meetingUuid,
        classId: this.lease.recording.classId ?? "",
        fileType: this.lease.file.fileType,
        startTime: new Date(this.lease.file.recordingStart ?? this.lease.recording.startTime).toISOString(),
        sizeBytes: String(size),
      },
    };
  }

  /** Known length within the threshold: one put of the body, hashed on the way. */
  async singlePut(download: Download, total: number) {
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
  async multipart(download: Download, total: number) {
    let upload: R2MultipartUpload;
    let parts: FinishedPart[] = this.lease.file.parts ?? [];
    let partSize = this.lease.file.partSize ?? partSizeFor(total, this.config.archive.partSizeBytes);
    if (this.lease.file.uploadId && download.offset === parts.length * partSize) {
      upload = this.bucket.resumeMultipartUpload(this.key, this.lease.file.uploadId);
    } else {
      // Fresh start (or the source ignored our Range and sent everything): a new upload.
      if (this.lease.file.uploadId) await this.abortUpload(this.lease.file.uploadId);
      parts = [];
      partSize = partSizeFor(total, this.config.archive.partSizeBytes);
      upload = await this.bucket.createMultipartUpload(this.key, this.metadata(total));
      await this.lease.saveProgress({ uploadId: upload.uploadId, partSize, parts, bytesArchived: 0 });
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
          if (uploadMissing(part.reason)) await this.lease.resetUpload();
          throw new ArchiveFailure(`R2 upload of part ${n} failed: ${String(part.reason)}`, true);
        }
        if (pumped.status === "rejected") throw pumped.reason;
        parts = [...parts, { partNumber: part.value.partNumber, etag: part.value.etag }];
        await this.lease.saveProgress({
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
      if (uploadMissing(err)) await this.lease.resetUpload();
      throw new ArchiveFailure(`R2 could not complete the upload: ${String(err)}`, true);
    }
    const streamed = await source.sha256();
    if (streamed) return { size: total, sha256: streamed };
    const check = await sha256OfObject(this.bucket, this.key);
    if (!check) throw new ArchiveFailure("the completed upload is not in R2", true);
    return { size: check.size, sha256: check.sha256 };
  }

  async abortUpload(uploadId: string) {
    try {
      await this.bucket.resumeMultipartUpload(this.key, uploadId).abort();
    } catch {
      // Already gone.
    }
  }
}
