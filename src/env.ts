// The bindings and raw configuration the Worker receives from wrangler.toml, vars and secrets.
// Raw strings are validated once by config.ts before anything uses them.
import type { ClassRoster } from "./links/roster-object.ts";
import type { ZoomAccount } from "./zoom/account-object.ts";

export interface Env {
  DB: D1Database;
  RECORDINGS: R2Bucket;
  ZOOM_ACCOUNT: DurableObjectNamespace<ZoomAccount>;
  CLASS_ROSTER: DurableObjectNamespace<ClassRoster>;
  ARCHIVE_QUEUE: Queue<unknown>;
  JOIN_RATE_LIMITER?: RateLimit;
  /** Static assets (dist/assets): Scalar's API reference bundle at /docs/scalar.js. */
  ASSETS?: Fetcher;

  ENVIRONMENT?: string;
  PUBLIC_BASE_URL?: string;
  WISE_ORIGINS?: string;
  JWT_ISSUER?: string;
  JWT_AUDIENCE?: string;
  JWT_JWKS_URL?: string;
  JWT_JWKS_JSON?: string;
  JWT_HS256_SECRET?: string;
  JWT_MAX_LIFETIME_SECONDS?: string;
  TOKEN_ENCRYPTION_KEYS?: string;
  LINK_SIGNING_KEYS?: string;
  ZOOM_CLIENT_ID?: string;
  ZOOM_CLIENT_SECRET?: string;
  ZOOM_WEBHOOK_SECRET?: string;
  ZOOM_WEBHOOK_SECRET_PREVIOUS?: string;
  ZOOM_WEBHOOK_SECRET_PREVIOUS_UNTIL?: string;
  ZOOM_OAUTH_BASE_URL?: string;
  ZOOM_API_BASE_URL?: string;
  ZOOM_TIMEOUT_MS?: string;
  ZOOM_SCOPE_SET?: string;
  MAX_BODY_BYTES?: string;
  CONSOLE_ENABLED?: string;
  JOIN_LINK_GRACE_MINUTES?: string;
  ARCHIVE_MULTIPART_THRESHOLD_BYTES?: string;
  ARCHIVE_PART_SIZE_BYTES?: string;
  ARCHIVE_MAX_ATTEMPTS?: string;
  ARCHIVE_LEASE_SECONDS?: string;
  ARCHIVE_SWEEP_DAYS?: string;
  ARCHIVE_BACKFILL_DAYS?: string;
  ARCHIVE_SWEEP_MEETINGS_PER_RUN?: string;
  PLAY_LINK_TTL_SECONDS?: string;
  EVENTS_TIMEOUT_MS?: string;
  EVENTS_RETRY_HOURS?: string;
}

type WorkerEnv = Env;

declare global {
  namespace Cloudflare {
    interface GlobalProps {
      mainModule: typeof import("./index.ts");
      durableNamespaces: "ZoomAccount" | "ClassRoster";
    }
    interface Env extends WorkerEnv {
      TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
      TEST_STRICT_RATE_LIMITER: RateLimit;
    }
  }
}
