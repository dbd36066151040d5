// Which URLs may receive a tenant's events: pure checks, no I/O. Production endpoints must be https,
// public (no loopback, private, link-local or internal names) and on one of the tenant's own
// `webhookOrigins`; elsewhere plain http is allowed for loopback only (the local receiver).

export const MAX_ENDPOINT_URL_BYTES = 2048;

export type EndpointRefusal =
  | "url_too_long"
  | "url_malformed"
  | "url_not_https"
  | "url_private_address"
  | "url_credentials"
  | "url_origin_not_allowed";

export type EndpointCheck = { ok: true; url: string } | { ok: false; code: EndpointRefusal; reason: string };

const LOOPBACK_NAMES = new Set(["localhost", "127.0.0.1", "[::1]"]);

function ipv4(host: string): number[] | null {
  const m = /^(\d{1,3})\.(\d{1,3})\.(\d{1,3})\.(\d{1,3})$/.exec(host);
  if (!m) return null;
  const parts = m.slice(1).map(Number);
  return parts.every((p) => p <= 255) ? parts : null;
}

/** True for names and literal addresses that do not reach the public Internet. */
export function isPrivateHost(hostname: string): boolean {
  const host = hostname.toLowerCase().replace(/\.$/, "");
  if (host === "localhost" || host.endsWith(".localhost")) return true;
  if (/\.(local|internal|lan|home|intranet|corp)$/.test(host) || !host.includes(".")) {
    // Single-label and site-local names resolve inside a network, never on the Internet.
    if (!host.startsWith("[")) return true;
  }
  const v4 = ipv4(host);
  if (v4) {
    const [a, b] = v4 as [number, number, number, number];
    return (
      a === 0 ||
      a === 10 ||
      a === 127 ||
      (a === 100 && b >= 64 && b <= 127) ||
      (a === 169 && b === 254) ||
      (a === 172 && b >= 16 && b <= 31) ||
      (a === 192 && b === 168) ||
      (a === 198 && (b === 18 || b === 19)) ||
      a >= 224
    );
  }
  if (host.startsWith("[")) {
    const v6 = host.slice(1, -1);
    if (v6 === "::" || v6 === "::1") return true;
    // IPv4-mapped addresses (::ffff:a.b.c.d, which URL normalizes to hex) are judged as IPv4 would be:
    // refuse them all rather than decode.
    if (v6.startsWith("::ffff:")) return true;
    return /^(fc|fd|fe8|fe9|fea|feb|ff)/.test(v6);
  }
  // Numeric forms URL does not normalize (a bare integer host is turned into a dotted quad by URL).
  return false;
}

/** Normalizes an origin list entry; null when it is not exactly an origin. */
export function parseOrigin(raw: string): string | null {
  try {
    const u = new URL(raw);
    if (u.protocol !== "https:" && u.protocol !== "http:") return null;
    return u.origin === raw.replace(/\/$/, "") ? u.origin : null;
  } catch {
    return null;
  }
}

export function checkEndpointUrl(
  raw: string,
  opts: { production: boolean; allowedOrigins: readonly string[] },
): EndpointCheck {
  if (new TextEncoder().encode(raw).length > MAX_ENDPOINT_URL_BYTES) {
    return { ok: false, code: "url_too_long", reason: `URLs are limited to ${MAX_ENDPOINT_URL_BYTES} bytes` };
  }
  let url: URL;
  try {
    url = new URL(raw);
  } catch {
    return { ok: false, code: "url_malformed", reason: "Not an absolute URL" };
  }
  if (url.username || url.password) {
    return { ok: false, code: "url_credentials", reason: "URLs may not carry credentials" };
  }
  if (url.hash) return { ok: false, code: "url_malformed", reason: "URLs may not carry a fragment" };
  const loopback = LOOPBACK_NAMES.has(url.hostname) || url.hostname.endsWith(".localhost");
  if (url.protocol !== "https:" && !(url.protocol === "http:" && !opts.production && loopback)) {
    return { ok: false, code: "url_not_https", reason: "Event endpoints must use https" };
  }
  if (opts.production && isPrivateHost(url.hostname)) {
    return {
      ok: false,
      code: "url_private_address",
      reason: "Event endpoints must be public: no loopback, private or internal addresses",
    };
  }
  if (!opts.allowedOrigins.includes(url.origin)) {
    return {
      ok: false,
      code: "url_origin_not_allowed",
      reason: "The URL's origin is not one of the tenant's webhookOrigins (PATCH /v1/tenant)",
    };
  }
  return { ok: true, url: url.href };
}
