// Retry policy for calls to Zoom: when to wait, how long, and when to give up. Pure, no I/O.

export interface RetryBudget {
  /** Attempts in all, the first included. */
  maxAttempts: number;
  /** Longest single wait we accept; a longer Retry-After ends the call with a clear error. */
  maxWaitMs: number;
  /** Base and cap of the exponential backoff used when Zoom gives no Retry-After. */
  baseMs: number;
  capMs: number;
}

export const DEFAULT_BUDGET: RetryBudget = { maxAttempts: 4, maxWaitMs: 10_000, baseMs: 500, capMs: 8_000 };

/**
 * Parses Retry-After as Zoom sends it: delta seconds, an HTTP date, or an ISO 8601 date
 * (seen on daily limits). Returns milliseconds from `now`, or undefined when absent or unreadable.
 */
export function parseRetryAfter(value: string | null | undefined, now: number): number | undefined {
  if (!value) return undefined;
  const trimmed = value.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  // Dates always carry a time of day; this also keeps "-5" from parsing as the year -5.
  if (!trimmed.includes(":")) return undefined;
  const at = Date.parse(trimmed);
  if (Number.isNaN(at)) return undefined;
  return Math.max(0, at - now);
}

/** Exponential backoff with full jitter: a random wait in [0, min(cap, base * 2^attempt)]. */
export function backoffMs(attempt: number, budget: RetryBudget, random: () => number = Math.random): number {
  const ceiling = Math.min(budget.capMs, budget.baseMs * 2 ** attempt);
  return Math.floor(random() * ceiling);
}

export type RetryDecision = { retry: true; waitMs: number } | { retry: false; retryAfterMs: number };

/** Decides what to do after a 429 on attempt `attempt` (0-based). */
export function afterRateLimit(
  attempt: number,
  retryAfterHeader: string | null,
  budget: RetryBudget,
  now: number,
  random: () => number = Math.random,
): RetryDecision {
  const hinted = parseRetryAfter(retryAfterHeader, now);
  const waitMs = hinted ?? Math.max(budget.baseMs, backoffMs(attempt, budget, random));
  if (attempt + 1 >= budget.maxAttempts || waitMs > budget.maxWaitMs)
    return { retry: false, retryAfterMs: waitMs };
  // A little jitter on top of Zoom's hint spreads the callers that were refused together.
  return { retry: true, waitMs: waitMs + Math.floor(random() * 250) };
}
