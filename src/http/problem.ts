// Problem details (RFC 9457): the one error shape of the /v1 API, the typed error that produces it,
// and the one mapping (toProblem) from the domain's and Zoom's failures to it.
import {
  Conflict,
  DomainError,
  Forbidden,
  InvalidInput,
  LimitReached,
  NotFound,
} from "../platform/errors.ts";
import {
  ZoomApiError,
  ZoomNeedsRelink,
  ZoomNotLinked,
  ZoomRateLimited,
  ZoomResponseInvalid,
  ZoomUnavailable,
  zoomFailureDetail,
} from "../zoom/errors.ts";

export interface ProblemExtras {
  [key: string]: unknown;
}

/**
 * An error with a stable machine-readable `code`. Thrown anywhere in request handling and turned
 * into `application/problem+json` by the app's single onError. `detail` is shown to the client,
 * so it never carries secrets; `cause` is for logs only.
 */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    readonly title: string,
    readonly detail?: string,
    readonly extras: ProblemExtras = {},
    options?: { cause?: unknown; headers?: Record<string, string> },
  ) {
    super(detail ?? title, options?.cause === undefined ? undefined : { cause: options.cause });
    this.name = "ApiError";
    this.headers = options?.headers ?? {};
  }
  readonly headers: Record<string, string>;
}

export const problemTypeBase = "https://wise-zoom-edge.dev/problems/";

export function problemBody(
  status: number,
  code: string,
  title: string,
  detail?: string,
  extras: ProblemExtras = {},
  instance?: string,
) {
  return {
    type: `${problemTypeBase}${code}`,
    title,
    status,
    code,
    ...(detail ? { detail } : {}),
    ...(instance ? { instance } : {}),
    ...extras,
  };
}

export function problemResponse(
  status: number,
  code: string,
  title: string,
  detail?: string,
  extras: ProblemExtras = {},
  headers: Record<string, string> = {},
): Response {
  return new Response(JSON.stringify(problemBody(status, code, title, detail, extras)), {
    status,
    headers: { "content-type": "application/problem+json", "cache-control": "no-store", ...headers },
  });
}

// Shorthands for the common cases, so call sites read as the domain rule they enforce.
export const badRequest = (detail: string, extras?: ProblemExtras) =>
  new ApiError(400, "bad_request", "Bad request", detail, extras);
export const notFound = (detail = "No such resource") => new ApiError(404, "not_found", "Not found", detail);
export const conflict = (code: string, detail: string, extras?: ProblemExtras) =>
  new ApiError(409, code, "Conflict", detail, extras);
export const forbidden = (detail = "This role may not do that") =>
  new ApiError(403, "forbidden", "Forbidden", detail);

/** Status and usual title of each kind of domain failure. */
function statusOf(err: DomainError): [number, string] {
  if (err instanceof InvalidInput) return [400, "Bad request"];
  if (err instanceof Forbidden) return [403, "Forbidden"];
  if (err instanceof NotFound) return [404, "Not found"];
  if (err instanceof Conflict) return [409, "Conflict"];
  if (err instanceof LimitReached) return [429, "Limit reached"];
  return [500, "Internal error"];
}

/**
 * The one mapping from failures to problems: domain failures by kind, Zoom failures by what the
 * caller can do about them. Anything else is returned unchanged for the app's onError.
 */
export function toProblem(err: unknown): unknown {
  if (err instanceof DomainError) {
    const [status, title] = statusOf(err);
    const headers: Record<string, string> =
      err.retryAfterSeconds === undefined ? {} : { "retry-after": String(err.retryAfterSeconds) };
    return new ApiError(status, err.code, err.title ?? title, err.detail, err.extras, { headers });
  }
  const detail = zoomFailureDetail(err);
  if (err instanceof ZoomNotLinked) {
    return new ApiError(409, "zoom_not_linked", "Zoom is not linked", detail);
  }
  if (err instanceof ZoomNeedsRelink) {
    return new ApiError(409, "zoom_needs_relink", "Zoom link needs renewal", detail, { reason: err.reason });
  }
  if (err instanceof ZoomRateLimited) {
    return new ApiError(
      429,
      "zoom_rate_limited",
      "Zoom rate limit reached",
      detail,
      { retryAfterSeconds: err.retryAfterSeconds },
      { headers: { "retry-after": String(err.retryAfterSeconds) } },
    );
  }
  if (err instanceof ZoomUnavailable || err instanceof ZoomResponseInvalid) {
    return new ApiError(
      503,
      "zoom_unavailable",
      "Zoom unavailable",
      detail,
      {},
      { cause: err.message, headers: { "retry-after": "30" } },
    );
  }
  if (err instanceof ZoomApiError) {
    return new ApiError(502, "zoom_error", "Zoom refused the request", detail, {
      zoomStatus: err.status,
      zoomCode: err.zoomCode,
    });
  }
  return err;
}
