/**
 * Cliniko's limit, "200 per minute per user" (upstream-apis.md §3.6), counted the strictest way:
 * at most `perMinute` requests of one API key in ANY window of `minuteMs` (a sliding window over
 * arrival times). A client that passes this passes a fixed-window counter too. Over the limit the
 * answer is 429 with `X-RateLimit-Reset` (UTC epoch seconds, rounded up) and nothing else, as
 * documented; refused requests do not use up budget but are counted as violations.
 *
 * `minuteMs` shortens the minute for the benchmark (the client is given the same length).
 */

export interface ClinikoRateLimit {
  /** Default 200. */
  perMinute: number;
  /** Default 60 000. */
  minuteMs: number;
}

export const CLINIKO_RATE_LIMIT: Readonly<ClinikoRateLimit> = { perMinute: 200, minuteMs: 60_000 };

export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly resetEpochSeconds: number };

export interface RateLimitCounters {
  /** Requests refused for going over the limit (not injected 429s). */
  violations: number;
  /** Most requests of one key accepted within any one window. */
  peakInWindow: number;
}

export class SlidingRateLimiter {
  readonly limit: ClinikoRateLimit;
  readonly counters: RateLimitCounters = { violations: 0, peakInWindow: 0 };
  readonly #arrivals = new Map<string, number[]>();
  readonly #clock: () => number;

  constructor(limit: Partial<ClinikoRateLimit>, clock: () => number = Date.now) {
    this.limit = { ...CLINIKO_RATE_LIMIT, ...limit };
    const { perMinute, minuteMs } = this.limit;
    if (!Number.isInteger(perMinute) || perMinute < 1) throw new RangeError(`rateLimit.perMinute is ${perMinute}; use a whole number ≥ 1, or rateLimit: false for no limit`);
    if (!Number.isInteger(minuteMs) || minuteMs < 100) throw new RangeError(`rateLimit.minuteMs is ${minuteMs}; use a whole number of milliseconds ≥ 100`);
    this.#clock = clock;
  }

  /** Count one request of `user` now, or refuse it. */
  take(user: string): RateVerdict {
    const now = this.#clock();
    const { perMinute, minuteMs } = this.limit;
    let arrivals = this.#arrivals.get(user);
    if (!arrivals) this.#arrivals.set(user, (arrivals = []));
    const windowStart = now - minuteMs;
    let expired = 0;
    while (expired < arrivals.length && arrivals[expired]! <= windowStart) expired++;
    if (expired > 0) arrivals.splice(0, expired);
    if (arrivals.length >= perMinute) {
      this.counters.violations++;
      return { allowed: false, resetEpochSeconds: Math.ceil((arrivals[0]! + minuteMs) / 1000) };
    }
    arrivals.push(now);
    this.counters.peakInWindow = Math.max(this.counters.peakInWindow, arrivals.length);
    return { allowed: true };
  }

  reset(): void {
    this.#arrivals.clear();
    Object.assign(this.counters, { violations: 0, peakInWindow: 0 });
  }
}
