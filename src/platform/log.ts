// Structured JSON logging. Everything passes through `redact`, so a token, secret, code or signed
// URL that ends up in a log field is replaced before it reaches Workers Logs.

type Level = "debug" | "info" | "warn" | "error";

const SECRET_KEY =
  /(token|secret|authori[sz]ation|password|passcode|verifier|refresh|access_?key|signature|cookie|start_?url|join_?url|download_?url|^code$|^state$|api_?key|private)/i;
// JWTs and other long opaque credentials (Zoom tokens are JWT-shaped; link tokens are base64url).
const JWT_LIKE = /eyJ[\w-]{8,}\.[\w-]{8,}\.?[\w-]*/g;
const BEARER = /\b(Bearer|Basic)\s+[^\s",]+/gi;
const LONG_OPAQUE = /[A-Za-z0-9_\-+/=.~]{48,}/g;

export function redact(value: unknown, depth = 0): unknown {
  if (depth > 6) return "[depth]";
  if (typeof value === "string") {
    return value
      .replace(JWT_LIKE, "[redacted]")
      .replace(BEARER, "$1 [redacted]")
      .replace(LONG_OPAQUE, "[redacted]");
  }
  if (Array.isArray(value)) return value.map((v) => redact(v, depth + 1));
  if (value instanceof Error) {
    return { name: value.name, message: redact(value.message, depth + 1) };
  }
  if (value && typeof value === "object") {
    const out: Record<string, unknown> = {};
    for (const [k, v] of Object.entries(value)) {
      out[k] =
        SECRET_KEY.test(k) && v !== null && v !== undefined && typeof v !== "boolean"
          ? "[redacted]"
          : redact(v, depth + 1);
    }
    return out;
  }
  return value;
}

/**
 * Paths of browser links carry signed tokens, and the Zoom link's first hop a single-use handle:
 * keep only the route. The OAuth callback's code and state live in its query, which no log line
 * carries (only paths are logged).
 */
export function redactPath(path: string): string {
  return path
    .replace(/^\/(j|s|r)\/.*/, "/$1/[token]")
    .replace(/^\/oauth\/zoom\/start\/.*/, "/oauth/zoom/start/[handle]")
    .replace(/\?.*/, "");
}

export function log(level: Level, msg: string, fields: Record<string, unknown> = {}): void {
  const line = JSON.stringify({ level, msg, time: new Date().toISOString(), ...(redact(fields) as object) });
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/**
 * The access-log line of a request. Its fields are ours (method, status, duration, request id) and
 * the path is reduced to its route, so the line is built without the general redaction pass.
 */
export function accessLog(requestId: string, method: string, path: string, status: number, ms: number): void {
  const line = `{"level":"${status >= 500 ? "error" : "info"}","msg":"request","time":"${new Date().toISOString()}","requestId":${JSON.stringify(requestId)},"method":${JSON.stringify(method)},"path":${JSON.stringify(redactPath(path))},"status":${status},"ms":${ms}}`;
  if (status >= 500) console.error(line);
  else console.log(line);
}
