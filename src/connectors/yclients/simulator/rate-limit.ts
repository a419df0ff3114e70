/**
 * YClients' documented limit: "200 requests per minute or 5 requests per second per IP address"
 * (upstream-apis.md §2.6). Both windows slide, per client address. A request over either budget
 * is answered 429 and counted as a violation, so a test can assert that a well-behaved sync
 * caused none. A refused request does not spend budget (undocumented; the lenient choice).
 *
 * The simulator sees when requests arrive, not when the client sent them: two requests sent
 * exactly one second apart may arrive a few milliseconds closer. `graceMs` shortens each window by
 * that much so the client's own spacing is judged, not the event loop's jitter; a client that does
 * not pace itself (six requests in a burst) is caught all the same.
 */

export interface RateLimit {
  perSecond: number;
  perMinute: number;
  /** Default 200. */
  graceMs?: number;
}

export const YCLIENTS_RATE_LIMIT: Readonly<Required<RateLimit>> = { perSecond: 5, perMinute: 200, graceMs: 200 };

export interface RateLimitViolations {
  perSecond: number;
  perMinute: number;
}

export type RateVerdict = { readonly allowed: true } | { readonly allowed: false; readonly window: 'second' | 'minute' };

export interface RateLimiter {
  /** Spends one request of `address` at `now` (ms) if both budgets allow it. */
  take(address: string, now: number): RateVerdict;
  reset(): void;
}

export function createRateLimiter(limit: RateLimit): RateLimiter {
  const graceMs = limit.graceMs ?? YCLIENTS_RATE_LIMIT.graceMs;
  for (const [name, value] of Object.entries({ perSecond: limit.perSecond, perMinute: limit.perMinute })) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`rateLimit.${name} is ${String(value)}; use a whole number ≥ 1, or rateLimit: false for no limit`);
  }
  if (!Number.isInteger(graceMs) || graceMs < 0 || graceMs >= 1000) throw new RangeError(`rateLimit.graceMs is ${String(graceMs)}; use a whole number from 0 to 999`);
  const secondMs = 1000 - graceMs;
  const minuteMs = 60_000 - graceMs;
  /** Accepted request times per address, oldest first, trimmed to the last minute. */
  const accepted = new Map<string, number[]>();

  return {
    take(address, now) {
      const times = (accepted.get(address) ?? []).filter((at) => at > now - minuteMs);
      accepted.set(address, times);
      if (times.length >= limit.perMinute) return { allowed: false, window: 'minute' };
      const lastSecond = times.filter((at) => at > now - secondMs).length;
      if (lastSecond >= limit.perSecond) return { allowed: false, window: 'second' };
      times.push(now);
      return { allowed: true };
    },
    reset() {
      accepted.clear();
    },
  };
}
