// Bindings the test runner adds on top of the Worker's own (see vitest.config.ts).
declare namespace Cloudflare {
  interface Env {
    TEST_MIGRATIONS: import("cloudflare:test").D1Migration[];
    TEST_STRICT_RATE_LIMITER: RateLimit;
  }
}
