// Identifier and secret generators shaped like Zoom's (user ids, meeting numbers, instance UUIDs,
// opaque tokens), plus the small encoding helpers they need.

export function randomBytes(n: number): Uint8Array {
  const b = new Uint8Array(n);
  crypto.getRandomValues(b);
  return b;
}

export function base64(bytes: Uint8Array): string {
  let s = "";
  for (const b of bytes) s += String.fromCharCode(b);
  return btoa(s);
}

export function base64url(bytes: Uint8Array): string {
  return base64(bytes).replaceAll("+", "-").replaceAll("/", "_").replaceAll("=", "");
}

export function hex(bytes: ArrayBuffer | Uint8Array): string {
  const u = bytes instanceof Uint8Array ? bytes : new Uint8Array(bytes);
  let s = "";
  for (const b of u) s += b.toString(16).padStart(2, "0");
  return s;
}

/** Zoom user ids are 22 url-safe characters (16 random bytes). */
export function newUserId(): string {
  return base64url(randomBytes(16));
}

/** Meeting numbers have 11 digits: small enough for a double, but the product must keep them as strings. */
export function newMeetingId(): number {
  const b = randomBytes(6);
  let n = 0;
  for (const x of b) n = n * 256 + x;
  return 10_000_000_000 + (n % 89_999_999_999);
}

/**
 * Instance UUIDs are 24 base64 characters ending in "==". Every fifth one starts with "/" or holds
 * "//", because Zoom then requires double URL-encoding in paths and products get that wrong.
 */
export function newMeetingUuid(sequence: number): string {
  const raw = base64(randomBytes(16));
  if (sequence % 5 !== 0) return raw;
  if (sequence % 10 === 0) return `/${raw.slice(1)}`;
  return `${raw.slice(0, 7)}//${raw.slice(9)}`;
}

/** Opaque bearer tokens; long and JWT-looking like Zoom's, but carrying nothing. */
export function newToken(): string {
  return `eyJzdiI6IjAwMDAwMiIsImFsZyI6IkhTNTEyIiwidiI6IjIuMCIsImtpZCI6I${base64url(randomBytes(9))}.${base64url(randomBytes(120))}.${base64url(randomBytes(64))}`;
}

export function newOpaque(bytes = 24): string {
  return base64url(randomBytes(bytes));
}

/** Recording file ids look like lowercase UUIDs. */
export function newFileId(): string {
  return crypto.randomUUID();
}

export async function hmacHex(secret: string, message: string): Promise<string> {
  const key = await crypto.subtle.importKey(
    "raw",
    new TextEncoder().encode(secret),
    { name: "HMAC", hash: "SHA-256" },
    false,
    ["sign"],
  );
  return hex(await crypto.subtle.sign("HMAC", key, new TextEncoder().encode(message)));
}

export async function sha256Base64url(input: string): Promise<string> {
  return base64url(new Uint8Array(await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input))));
}

/** Zoom formats times without milliseconds: 2026-03-10T10:00:00Z. */
export function isoSeconds(ms: number): string {
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace(".000Z", "Z");
}

export function isoDate(ms: number): string {
  return new Date(ms).toISOString().slice(0, 10);
}

/** Storage as Zoom prints it in plan usage and reports: "5 GB", "1.2 GB", "340 MB". */
export function formatStorage(bytes: number): string {
  const units: [number, string][] = [
    [1024 ** 4, "TB"],
    [1024 ** 3, "GB"],
    [1024 ** 2, "MB"],
    [1024, "KB"],
  ];
  for (const [size, unit] of units) {
    if (bytes >= size) return `${Math.round((bytes / size) * 10) / 10} ${unit}`;
  }
  return bytes === 0 ? "0" : `${bytes} B`;
}

export function parseStorage(text: string): number | undefined {
  // Zoom prints zero as a bare "0": a number without a unit is bytes.
  const m = /^\s*([\d.]+)\s*(B|KB|MB|GB|TB)?\s*$/i.exec(text);
  if (!m?.[1]) return undefined;
  const power = ["B", "KB", "MB", "GB", "TB"].indexOf((m[2] ?? "B").toUpperCase());
  return Math.round(Number(m[1]) * 1024 ** power);
}
