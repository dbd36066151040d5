// Zoom's per-account rate limits: requests per second per label (LIGHT, MEDIUM, HEAVY) and an
// optional daily cap on HEAVY calls. Windows follow emulator time.
import type { Core } from "./core.ts";
import { ZoomError } from "./http.ts";
import { isoDate, isoSeconds } from "./ids.ts";

export type RateLabel = "LIGHT" | "MEDIUM" | "HEAVY";

const CATEGORY: Record<RateLabel, string> = { LIGHT: "Light", MEDIUM: "Medium", HEAVY: "Heavy" };

/** Counts one request; throws the 429 Zoom sends when over a limit, else returns informative headers. */
export function checkRateLimit(core: Core, accountId: string, label: RateLabel): Record<string, string> {
  const limits = core.config().rateLimits;
  if (!limits.enabled) return {};
  const now = core.now();
  const limit = label === "LIGHT" ? limits.light : label === "MEDIUM" ? limits.medium : limits.heavy;
  const second = Math.floor(now / 1000);
  const key = `${accountId}:${label}`;
  const window = core.qpsWindows.get(key);
  const current = window && window.second === second ? window : { second, count: 0 };
  if (current.count >= limit) {
    throw new ZoomError(
      429,
      429,
      "You have reached the maximum per-second rate limit for this API. Try again later.",
      undefined,
      {
        "X-RateLimit-Category": CATEGORY[label],
        "X-RateLimit-Type": "QPS",
        "X-RateLimit-Limit": String(limit),
        "X-RateLimit-Remaining": "0",
        "Retry-After": "1",
      },
    );
  }
  current.count++;
  core.qpsWindows.set(key, current);
  if (label === "HEAVY" && limits.dailyHeavy > 0) {
    const day = isoDate(now);
    const dayKey = `daily:heavy:${accountId}:${day}`;
    if (core.db.counter(dayKey) >= limits.dailyHeavy) {
      current.count--;
      const tomorrow = Date.parse(`${day}T00:00:00Z`) + 86_400_000;
      throw new ZoomError(
        429,
        429,
        `You have reached the maximum daily rate limit for this API. Heavy APIs are limited to ${limits.dailyHeavy} requests per day. Try again later.`,
        undefined,
        {
          "X-RateLimit-Category": CATEGORY[label],
          "X-RateLimit-Type": "Daily-limit",
          "X-RateLimit-Limit": String(limits.dailyHeavy),
          "X-RateLimit-Remaining": "0",
          "Retry-After": isoSeconds(tomorrow),
        },
      );
    }
    core.db.increment(dayKey);
  }
  return {
    "X-RateLimit-Category": CATEGORY[label],
    "X-RateLimit-Limit": String(limit),
    "X-RateLimit-Remaining": String(Math.max(0, limit - current.count)),
  };
}
