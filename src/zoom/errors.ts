// Typed failures of talking to Zoom. The http layer maps them to problems in one place
// (http/problem.ts, toProblem); features decide which ones they absorb.

/** The account has no credential (never linked, unlinked, or deauthorized). */
export class ZoomNotLinked extends Error {
  override name = "ZoomNotLinked";
}

/** Zoom refused the refresh token for good: the admin must link again. */
export class ZoomNeedsRelink extends Error {
  override name = "ZoomNeedsRelink";
  constructor(readonly reason: string) {
    super(`Zoom link needs to be renewed: ${reason}`);
  }
}

/** Zoom could not be reached or answered garbage; the credential is untouched, try later. */
export class ZoomUnavailable extends Error {
  override name = "ZoomUnavailable";
}

/** Zoom's rate limit was hit and the retry budget is spent. */
export class ZoomRateLimited extends Error {
  override name = "ZoomRateLimited";
  constructor(
    readonly retryAfterSeconds: number,
    readonly kind: "QPS" | "Daily-limit" | "unknown",
    message: string,
  ) {
    super(message);
  }
}

/** Zoom answered with an error body `{code, message}`. */
export class ZoomApiError extends Error {
  override name = "ZoomApiError";
  constructor(
    readonly status: number,
    readonly zoomCode: number | undefined,
    readonly zoomMessage: string,
    readonly operation: string,
  ) {
    super(
      `Zoom ${operation} answered ${status}${zoomCode === undefined ? "" : ` code ${zoomCode}`}: ${zoomMessage}`,
    );
  }
}

/** A Zoom answer that does not match the schema we rely on. */
export class ZoomResponseInvalid extends Error {
  override name = "ZoomResponseInvalid";
}

/** What a caller may be told about a Zoom failure (never a token or a raw upstream body). */
export function zoomFailureDetail(err: unknown): string | undefined {
  if (err instanceof ZoomNotLinked) return "Link a Zoom account first";
  if (err instanceof ZoomNeedsRelink) return "An admin must link Zoom again";
  if (err instanceof ZoomRateLimited) {
    return `Zoom's ${err.kind === "Daily-limit" ? "daily" : "per-second"} limit was reached; retry after ${err.retryAfterSeconds} seconds`;
  }
  if (err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid) {
    return "Zoom did not answer properly; try again shortly";
  }
  if (err instanceof ZoomApiError) return err.zoomMessage;
  return undefined;
}
