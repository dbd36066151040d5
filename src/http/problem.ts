// Problem details (RFC 9457): the one error shape of the /v1 API, and the typed error that produces it.

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
