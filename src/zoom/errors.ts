// Typed failures of talking to Zoom. Routes map them to problems in one place (toProblem).
import { ApiError } from "../http/problem.ts";

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

/** Maps Zoom failures to problems; anything else is returned unchanged for onError. */
export function zoomProblem(err: unknown): unknown {
  if (err instanceof ZoomNotLinked) {
    return new ApiError(409, "zoom_not_linked", "Zoom is not linked", "Link a Zoom account first");
  }
  if (err instanceof ZoomNeedsRelink) {
    return new ApiError(
      409,
      "zoom_needs_relink",
      "Zoom link needs renewal",
      "An admin must link Zoom again",
      {
        reason: err.reason,
      },
    );
  }
  if (err instanceof ZoomRateLimited) {
    return new ApiError(
      429,
      "zoom_rate_limited",
      "Zoom rate limit reached",
      `Zoom's ${err.kind === "Daily-limit" ? "daily" : "per-second"} limit was reached; retry after ${err.retryAfterSeconds} seconds`,
      { retryAfterSeconds: err.retryAfterSeconds },
      { headers: { "retry-after": String(err.retryAfterSeconds) } },
    );
  }
  if (err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid) {
    return new ApiError(
      503,
      "zoom_unavailable",
      "Zoom unavailable",
      "Zoom did not answer properly; try again shortly",
      {},
      {
        cause: err.message,
        headers: { "retry-after": "30" },
      },
    );
  }
  if (err instanceof ZoomApiError) {
    return new ApiError(502, "zoom_error", "Zoom refused the request", err.zoomMessage, {
      zoomStatus: err.status,
      zoomCode: err.zoomCode,
    });
  }
  return err;
}
