// Verification of what R2 holds for a file: a file is archived only when R2 has an object of
// exactly Zoom's size. Also finds an upload that a previous attempt finished but did not record.
import { ArchiveFailure } from "./failures.ts";
import type { FileLease } from "./file-lease.ts";
import { sha256OfObject } from "./stream.ts";

/**
 * A previous attempt may have finished the upload and died before recording it: when R2 holds this
 * file whole, returns its size and hash; anything else at the key is removed to be replaced.
 */
export async function alreadyStored(
  bucket: R2Bucket,
  lease: FileLease,
): Promise<{ size: number; sha256: string } | undefined> {
  const { file } = lease;
  const found = await bucket.head(file.r2Key);
  if (!found) return undefined;
  const expected = file.sizeBytes ?? Number(found.customMetadata?.sizeBytes);
  if (found.customMetadata?.fileId === file.id && found.size === expected) {
    const check = await sha256OfObject(bucket, file.r2Key);
    if (check && check.size === expected) return check;
  }
  // Not ours or not whole: it will be replaced.
  await bucket.delete(file.r2Key);
  return undefined;
}

/** Archived only when R2 holds an object of exactly the expected size; then the file is complete. */
export async function verifyAndComplete(bucket: R2Bucket, lease: FileLease, size: number, sha256: string) {
  const expected = lease.file.sizeBytes;
  const head = await bucket.head(lease.file.r2Key);
  if (!head || head.size !== size || (expected !== null && size !== expected)) {
    throw new ArchiveFailure(
      `verification failed: R2 holds ${head?.size ?? "nothing"}, expected ${expected ?? size} bytes`,
      true,
    );
  }
  await lease.complete(size, sha256);
}
