// The failures the domain names, without HTTP: a feature throws one of these and the http layer
// (http/problem.ts, toProblem) decides the status and the problem+json answer, in one place.
// Zoom's own failures (not linked, needs relink, rate limited, refused) are in zoom/errors.ts.

export type ErrorExtras = Record<string, unknown>;

interface Options {
  /** A title other than the kind's usual one. */
  title?: string;
  extras?: ErrorExtras;
  /** When the caller may try again, in seconds. */
  retryAfterSeconds?: number;
}

/** A failure with a stable machine-readable code; `detail` is safe to show to the caller. */
export abstract class DomainError extends Error {
  readonly code: string;
  readonly detail: string;
  readonly title?: string;
  readonly extras: ErrorExtras;
  readonly retryAfterSeconds?: number;
  // Plain fields, not parameter properties: Node's type stripping (scripts, node tests) reads this file.
  constructor(code: string, detail: string, options: Options = {}) {
    super(detail);
    this.code = code;
    this.detail = detail;
    this.title = options.title;
    this.extras = options.extras ?? {};
    this.retryAfterSeconds = options.retryAfterSeconds;
  }
}

/** The request's values cannot be used (bad_request unless a more precise code is given). */
export class InvalidInput extends DomainError {
  override name = "InvalidInput";
  constructor(detail: string, options: Options & { code?: string } = {}) {
    super(options.code ?? "bad_request", detail, options);
  }
}

/** The caller's role or ownership does not allow the operation. */
export class Forbidden extends DomainError {
  override name = "Forbidden";
  constructor(detail = "This role may not do that") {
    super("forbidden", detail);
  }
}

/** Nothing of that id in the caller's tenant. */
export class NotFound extends DomainError {
  override name = "NotFound";
  constructor(detail = "No such resource") {
    super("not_found", detail);
  }
}

/** The operation clashes with the current state; `code` is the reason. */
export class Conflict extends DomainError {
  override name = "Conflict";
}

/** A limit the caller reached (beyond Zoom's per-call rate limits); retry after the given time. */
export class LimitReached extends DomainError {
  override name = "LimitReached";
}

// Shorthands, so call sites read as the domain rule they enforce.
export const badRequest = (detail: string, extras?: ErrorExtras) => new InvalidInput(detail, { extras });
export const notFound = (detail?: string) => new NotFound(detail);
export const forbidden = (detail?: string) => new Forbidden(detail);
export const conflict = (code: string, detail: string, extras?: ErrorExtras) =>
  new Conflict(code, detail, { extras });
