import { describe, expect, it } from "vitest";
import { afterRateLimit, backoffMs, DEFAULT_BUDGET, parseRetryAfter } from "./retry.ts";

const now = Date.parse("2026-11-29T10:00:00Z");

describe("parseRetryAfter", () => {
  it("reads delta seconds, HTTP dates and ISO dates", () => {
    expect(parseRetryAfter("3", now)).toBe(3000);
    expect(parseRetryAfter("Sun, 29 Nov 2026 10:00:05 GMT", now)).toBe(5000);
    expect(parseRetryAfter("2026-11-30T00:00:00Z", now)).toBe(14 * 3600_000);
  });
  it("ignores absent or garbage values and never goes negative", () => {
    expect(parseRetryAfter(null, now)).toBeUndefined();
    expect(parseRetryAfter("soon", now)).toBeUndefined();
    expect(parseRetryAfter("-5", now)).toBeUndefined();
    expect(parseRetryAfter("2020-01-01T00:00:00Z", now)).toBe(0);
  });
});

describe("backoff", () => {
  it("grows exponentially, is capped, and is jittered", () => {
    expect(backoffMs(0, DEFAULT_BUDGET, () => 0.999)).toBeLessThan(500);
    expect(backoffMs(3, DEFAULT_BUDGET, () => 0.999)).toBeLessThan(4000);
    expect(backoffMs(3, DEFAULT_BUDGET, () => 0.999)).toBeGreaterThan(3900);
    expect(backoffMs(20, DEFAULT_BUDGET, () => 0.999)).toBeLessThan(8000);
    expect(backoffMs(2, DEFAULT_BUDGET, () => 0)).toBe(0);
  });
});

describe("afterRateLimit", () => {
  it("honours Retry-After within the budget", () => {
    const d = afterRateLimit(0, "2", DEFAULT_BUDGET, now, () => 0);
    expect(d).toEqual({ retry: true, waitMs: 2000 });
  });
  it("gives up when Zoom asks for longer than the budget allows (daily limits)", () => {
    expect(afterRateLimit(0, "2026-11-30T00:00:00Z", DEFAULT_BUDGET, now)).toEqual({
      retry: false,
      retryAfterMs: 14 * 3600_000,
    });
  });
  it("gives up after the last attempt", () => {
    const d = afterRateLimit(DEFAULT_BUDGET.maxAttempts - 1, "1", DEFAULT_BUDGET, now);
    expect(d.retry).toBe(false);
  });
  it("backs off without a hint", () => {
    const d = afterRateLimit(1, null, DEFAULT_BUDGET, now, () => 0.5);
    expect(d.retry).toBe(true);
  });
});
