// Validates configuration once per isolate (per env object) with zod and turns it into typed values.
// A missing or malformed secret is never defaulted: requests get a 500 `misconfigured` problem instead.
import { z } from "zod";

const keyRing = (name: string) =>
  z
    .string({ error: `${name} is missing` })
    .min(1, `${name} is empty`)
    .transform((raw, ctx) => {
      const keys: { id: string; secret: Uint8Array }[] = [];
      for (const entry of raw.split(",").map((s) => s.trim())) {
        const m = /^([A-Za-z0-9_-]{1,16}):([A-Za-z0-9+/=_-]+)$/.exec(entry);
        const bytes = m?.[2] ? decodeBase64(m[2]) : null;
        if (!m?.[1] || !bytes || bytes.length !== 32) {
          ctx.addIssue({ code: "custom", message: `${name} must be kid:base64(32 bytes), comma separated` });
          return z.NEVER;
        }
        if (keys.some((k) => k.id === m[1])) {
          ctx.addIssue({ code: "custom", message: `${name} repeats key id ${m[1]}` });
          return z.NEVER;
        }
        keys.push({ id: m[1], secret: bytes });
      }
      return keys;
    });

const secret = (name: string, min = 1) =>
  z.string({ error: `${name} is missing` }).min(min, `${name} must be at least ${min} characters`);

const url = (name: string) =>
  z
    .string({ error: `${name} is missing` })
    .url(`${name} must be a URL`)
    .transform((u) => u.replace(/\/+$/, ""));

const MiB = 1024 * 1024;

const flag = z
  .enum(["true", "false", "1", "0", ""])
  .optional()
  .transform((v) => v === "true" || v === "1");

const ConfigSchema = z
  .object({
    ENVIRONMENT: z.enum(["production", "development", "test"]).default("production"),
    PUBLIC_BASE_URL: url("PUBLIC_BASE_URL"),
    WISE_ORIGINS: z
      .string({ error: "WISE_ORIGINS is missing" })
      .transform((s) =>
        s
          .split(",")
          .map((o) => o.trim())
          .filter(Boolean),
      )
      .pipe(z.array(z.url("WISE_ORIGINS must list origins").transform((o) => new URL(o).origin)).min(1)),
    JWT_ISSUER: secret("JWT_ISSUER"),
    JWT_AUDIENCE: secret("JWT_AUDIENCE"),
    JWT_JWKS_URL: z.union([z.literal(""), z.url("JWT_JWKS_URL must be a URL")]).optional(),
    JWT_JWKS_JSON: z.string().optional(),
    JWT_HS256_SECRET: z.string().optional(),
    JWT_MAX_LIFETIME_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(31 * 86_400)
      .default(86_400),
    TOKEN_ENCRYPTION_KEYS: keyRing("TOKEN_ENCRYPTION_KEYS"),
    LINK_SIGNING_KEYS: keyRing("LINK_SIGNING_KEYS"),
    ZOOM_CLIENT_ID: secret("ZOOM_CLIENT_ID"),
    ZOOM_CLIENT_SECRET: secret("ZOOM_CLIENT_SECRET"),
    ZOOM_WEBHOOK_SECRET: secret("ZOOM_WEBHOOK_SECRET"),
    ZOOM_WEBHOOK_SECRET_PREVIOUS: z.string().optional(),
    ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL: z.iso
      .datetime({ offset: true, error: "ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL must be an ISO 8601 date-time" })
      .optional(),
    ZOOM_OAUTH_BASE_URL: url("ZOOM_OAUTH_BASE_URL").default("https://zoom.us"),
    ZOOM_API_BASE_URL: url("ZOOM_API_BASE_URL").default("https://api.zoom.us/v2"),
    ZOOM_TIMEOUT_MS: z.coerce.number().int().min(100).max(60_000).default(10_000),
    ZOOM_SCOPE_SET: z
      .enum(["granular", "classic"], { error: "ZOOM_SCOPE_SET must be granular or classic" })
      .default("granular"),
    MAX_BODY_BYTES: z.coerce.number().int().min(1024).max(10_485_760).default(1_048_576),
    JOIN_LINK_GRACE_MINUTES: z.coerce.number().int().min(0).max(10_080).default(120),
    CONSOLE_ENABLED: flag,
    ARCHIVE_MULTIPART_THRESHOLD_BYTES: z.coerce
      .number()
      .int()
      .min(5 * MiB)
      .max(5 * 1024 * MiB)
      .default(100 * MiB),
    ARCHIVE_PART_SIZE_BYTES: z.coerce
      .number()
      .int()
      .min(5 * MiB, "ARCHIVE_PART_SIZE_BYTES must be at least 5 MiB (R2's smallest part)")
      .max(1024 * MiB)
      .default(32 * MiB),
    ARCHIVE_MAX_ATTEMPTS: z.coerce.number().int().min(1).max(100).default(7),
    ARCHIVE_LEASE_SECONDS: z.coerce.number().int().min(30).max(86_400).default(960),
    ARCHIVE_SWEEP_DAYS: z.coerce.number().int().min(1).max(366).default(30),
    ARCHIVE_BACKFILL_DAYS: z.coerce.number().int().min(1).max(3660).default(183),
    ARCHIVE_SWEEP_MEETINGS_PER_RUN: z.coerce.number().int().min(1).max(300).default(90),
    PLAY_LINK_TTL_SECONDS: z.coerce
      .number()
      .int()
      .min(60)
      .max(7 * 86_400)
      .default(6 * 3600),
    EVENTS_TIMEOUT_MS: z.coerce.number().int().min(100).max(30_000).default(10_000),
    EVENTS_RETRY_HOURS: z.coerce.number().min(1).max(72).default(24),
  })
  .superRefine((c, ctx) => {
    if (c.ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL && !c.ZOOM_WEBHOOK_SECRET_PREVIOUS) {
      ctx.addIssue({
        code: "custom",
        path: ["ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL"],
        message: "ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL is set without ZOOM_WEBHOOK_SECRET_PREVIOUS",
      });
    }
    const hasJwks = Boolean(c.JWT_JWKS_URL) || Boolean(c.JWT_JWKS_JSON);
    if (!hasJwks && (!c.JWT_HS256_SECRET || c.JWT_HS256_SECRET.length < 32)) {
      ctx.addIssue({
        code: "custom",
        path: ["JWT_HS256_SECRET"],
        message: "JWT_HS256_SECRET is missing or shorter than 32 characters (and no JWT_JWKS_URL is set)",
      });
    }
  });

export type JwtVerification =
  | { kind: "hs256"; secret: Uint8Array }
  | { kind: "jwks-url"; url: string }
  | { kind: "jwks-inline"; jwks: { keys: JsonWebKey[] } };

export interface Config {
  environment: "production" | "development" | "test";
  publicBaseUrl: string;
  wiseOrigins: string[];
  /** maxLifetimeSeconds: the longest `exp - iat` accepted. */
  jwt: { issuer: string; audience: string; verification: JwtVerification; maxLifetimeSeconds: number };
  tokenKeys: { id: string; secret: Uint8Array }[];
  linkKeys: { id: string; secret: Uint8Array }[];
  zoom: {
    clientId: string;
    clientSecret: string;
    /** Signs the URL validation answer and verifies deliveries. */
    webhookSecret: string;
    /** The secret before a rotation: still verifies deliveries until `untilMs` (or until removed). */
    webhookPreviousSecret?: { secret: string; untilMs?: number };
    oauthBaseUrl: string;
    apiBaseUrl: string;
    /** Timeout of one call to Zoom (token endpoint or API). */
    timeoutMs: number;
    /** The scope naming of the Zoom app: granular (apps created since March 2024) or classic. */
    scopeSet: "granular" | "classic";
  };
  maxBodyBytes: number;
  consoleEnabled: boolean;
  /** Join and start links stay valid this long after the class's scheduled end (default expiry). */
  joinLinkGraceMinutes: number;
  archive: {
    /** Files larger than this go to R2 as multipart uploads (resumable); smaller ones in one put. */
    multipartThresholdBytes: number;
    /** Size of every multipart part but the last (raised when a file would need over 10,000 parts). */
    partSizeBytes: number;
    /** Deliveries of one queue message before the file is marked failed (max_retries + 1). */
    maxAttempts: number;
    /** How long a consumer's claim on a file holds without progress before another may take over. */
    leaseSeconds: number;
    /** Days the nightly sweep looks back, and how far a newly linked account is backfilled. */
    sweepDays: number;
    backfillDays: number;
    /**
     * Meetings one queue invocation records before its sweeps hand over to a continuation message:
     * each costs about three D1 queries, and an invocation may make 1,000.
     */
    sweepMeetingsPerRun: number;
  };
  /** Lifetime of a playback link on top of the recording's own duration. */
  playLinkTtlSeconds: number;
  /** Outbound events to Wise: time one delivery may take, and how long failed ones are retried. */
  events: { timeoutMs: number; retryHours: number };
}

export class ConfigError extends Error {
  constructor(readonly problems: string[]) {
    super(`configuration invalid: ${problems.join("; ")}`);
    this.name = "ConfigError";
  }
}

const cache = new WeakMap<object, Config | ConfigError>();

/** Parses the environment once; later calls with the same env object return the cached result. */
export function loadConfig(env: Env): Config {
  const cached = cache.get(env);
  if (cached instanceof ConfigError) throw cached;
  if (cached) return cached;
  const result = parseConfig(env);
  cache.set(env, result);
  if (result instanceof ConfigError) {
    // One line naming what is wrong, never the values.
    console.error(JSON.stringify({ level: "error", msg: "misconfigured", problems: result.problems }));
    throw result;
  }
  return result;
}

function parseConfig(env: Env): Config | ConfigError {
  const raw: Record<string, unknown> = {};
  for (const key of Object.keys(ConfigSchema.shape)) {
    const value = (env as unknown as Record<string, unknown>)[key];
    // Wrangler passes unset vars as absent and empty vars as "": both mean "not set" for optional ones.
    raw[key] = typeof value === "string" && value === "" && !key.startsWith("JWT_JWKS") ? undefined : value;
  }
  const parsed = ConfigSchema.safeParse(raw);
  if (!parsed.success) {
    return new ConfigError(parsed.error.issues.map((i) => i.message));
  }
  const c = parsed.data;
  let verification: JwtVerification;
  if (c.JWT_JWKS_JSON) {
    try {
      const jwks = JSON.parse(c.JWT_JWKS_JSON) as { keys?: unknown };
      if (!Array.isArray(jwks.keys)) throw new Error("no keys");
      verification = { kind: "jwks-inline", jwks: { keys: jwks.keys as JsonWebKey[] } };
    } catch {
      return new ConfigError(["JWT_JWKS_JSON must be a JSON Web Key Set"]);
    }
  } else if (c.JWT_JWKS_URL) {
    verification = { kind: "jwks-url", url: c.JWT_JWKS_URL };
  } else {
    verification = { kind: "hs256", secret: new TextEncoder().encode(c.JWT_HS256_SECRET) };
  }
  return {
    environment: c.ENVIRONMENT,
    publicBaseUrl: c.PUBLIC_BASE_URL,
    wiseOrigins: c.WISE_ORIGINS,
    jwt: {
      issuer: c.JWT_ISSUER,
      audience: c.JWT_AUDIENCE,
      verification,
      maxLifetimeSeconds: c.JWT_MAX_LIFETIME_SECONDS,
    },
    tokenKeys: c.TOKEN_ENCRYPTION_KEYS,
    linkKeys: c.LINK_SIGNING_KEYS,
    zoom: {
      clientId: c.ZOOM_CLIENT_ID,
      clientSecret: c.ZOOM_CLIENT_SECRET,
      webhookSecret: c.ZOOM_WEBHOOK_SECRET,
      ...(c.ZOOM_WEBHOOK_SECRET_PREVIOUS
        ? {
            webhookPreviousSecret: {
              secret: c.ZOOM_WEBHOOK_SECRET_PREVIOUS,
              ...(c.ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL
                ? { untilMs: Date.parse(c.ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL) }
                : {}),
            },
          }
        : {}),
      oauthBaseUrl: c.ZOOM_OAUTH_BASE_URL,
      apiBaseUrl: c.ZOOM_API_BASE_URL,
      timeoutMs: c.ZOOM_TIMEOUT_MS,
      scopeSet: c.ZOOM_SCOPE_SET,
    },
    maxBodyBytes: c.MAX_BODY_BYTES,
    consoleEnabled: c.CONSOLE_ENABLED,
    joinLinkGraceMinutes: c.JOIN_LINK_GRACE_MINUTES,
    archive: {
      multipartThresholdBytes: c.ARCHIVE_MULTIPART_THRESHOLD_BYTES,
      partSizeBytes: c.ARCHIVE_PART_SIZE_BYTES,
      maxAttempts: c.ARCHIVE_MAX_ATTEMPTS,
      leaseSeconds: c.ARCHIVE_LEASE_SECONDS,
      sweepDays: c.ARCHIVE_SWEEP_DAYS,
      backfillDays: c.ARCHIVE_BACKFILL_DAYS,
      sweepMeetingsPerRun: c.ARCHIVE_SWEEP_MEETINGS_PER_RUN,
    },
    playLinkTtlSeconds: c.PLAY_LINK_TTL_SECONDS,
    events: { timeoutMs: c.EVENTS_TIMEOUT_MS, retryHours: c.EVENTS_RETRY_HOURS },
  };
}

function decodeBase64(s: string): Uint8Array | null {
  try {
    const normalized = s.replace(/-/g, "+").replace(/_/g, "/");
    const bin = atob(normalized);
    return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}
