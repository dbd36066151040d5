// Wire types shared by the Worker and the state object, plus Zoom's error shape.
// The Durable Object answers with plain data (status, headers, body) so RPC stays serialisable.

export interface WireRequest {
  method: string;
  /** Raw (still percent-encoded) pathname: UUIDs may arrive double-encoded. */
  path: string;
  query: Record<string, string>;
  headers: Record<string, string>;
  body: string;
  /** Origin of the incoming request: every URL the emulator generates points back at it. */
  origin: string;
}

/** What a fault rule asks the Worker to do to an otherwise normal answer. */
export interface FaultEffect {
  delayMs?: number;
  dropAfterBytes?: number;
  truncateBody?: number;
  headers?: Record<string, string>;
}

export interface WireResponse {
  status: number;
  headers: Record<string, string>;
  body: string;
  effect?: FaultEffect;
}

export interface ZoomErrorField {
  field: string;
  message: string;
}

/** A Zoom REST error: `{code, message[, errors]}` under an HTTP status. */
export class ZoomError extends Error {
  constructor(
    readonly status: number,
    readonly code: number,
    message: string,
    readonly errors?: ZoomErrorField[],
    readonly headers: Record<string, string> = {},
  ) {
    super(message);
  }

  toResponse(): WireResponse {
    const body: Record<string, unknown> = { code: this.code, message: this.message };
    if (this.errors) body.errors = this.errors;
    return json(this.status, body, this.headers);
  }
}

/** OAuth endpoint errors use a different shape: `{reason, error}`. */
export class OAuthError extends Error {
  constructor(
    readonly status: number,
    readonly error: string,
    readonly reason: string,
    /** Zoom's numeric OAuth error code (4733-4741), sent beside `error` when Zoom sends one. */
    readonly code?: number,
  ) {
    super(reason);
  }

  toResponse(): WireResponse {
    const body: Record<string, unknown> = { reason: this.reason, error: this.error };
    if (this.code !== undefined) body.code = this.code;
    return json(this.status, body);
  }
}

export function json(status: number, body: unknown, headers: Record<string, string> = {}): WireResponse {
  return {
    status,
    headers: { "content-type": "application/json;charset=UTF-8", ...headers },
    body: JSON.stringify(body),
  };
}

export function noContent(status = 204): WireResponse {
  return { status, headers: {}, body: "" };
}

export function html(status: number, body: string): WireResponse {
  return { status, headers: { "content-type": "text/html;charset=utf-8" }, body };
}

export function redirect(location: string): WireResponse {
  return { status: 302, headers: { location }, body: "" };
}

export function invalidToken(): ZoomError {
  return new ZoomError(401, 124, "Invalid access token.");
}

export function validationError(field: string, message: string): ZoomError {
  return new ZoomError(400, 300, "Validation Failed.", [{ field, message }]);
}

export function toWire(err: unknown): WireResponse {
  if (err instanceof ZoomError || err instanceof OAuthError) return err.toResponse();
  throw err;
}
