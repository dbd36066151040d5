// Why an archive attempt stopped short. Shared by the steps of archiving a file (lease, download,
// transfer, verification) and turned into a queue outcome by archive-file.ts.

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
export class StillProcessing extends Error {
  override name = "StillProcessing";
}

/** Another consumer claimed the file after this one's lease ran out. */
export class LeaseLost extends ArchiveFailure {
  constructor() {
    super("another consumer took the file over", true, 60);
  }
}
