/**
 * Connecteam's per-account limits (upstream-apis.md §1.6): a per-minute and a per-day budget,
 * reported on every answer in `x-ratelimit-{minute,day}-{limit,remaining,reset}` with the reset
 * in UTC epoch seconds, and 429 once either is spent. No Retry-After: the real API documents
 * none, so clients must back off on their own. The windows here are fixed UTC minutes and UTC
 * days (the real windows are not documented); a refused request does not use up budget.
 */

export interface RateLimit {
  perMinute: number;
  perDay: number;
}

/** The plans' limits; Enterprise is the simulator's default. */
export const CONNECTEAM_PLAN_LIMITS = {
  sbp: { perMinute: 5, perDay: 100 },
  expert: { perMinute: 100, perDay: 10_000 },
  enterprise: { perMinute: 200, perDay: 20_000 },
} as const satisfies Record<string, RateLimit>;

export type RateLimitHeaders = Record<string, string>;

export interface RateLimitVerdict {
  readonly allowed: boolean;
  /** Which budget is spent, when not allowed. */
  readonly exhausted?: 'minute' | 'day';
  readonly headers: RateLimitHeaders;
}

export interface RateLimiter {
  /** Spends one request if both budgets allow it. */
  take(): RateLimitVerdict;
  /** The headers as they stand, spending nothing (for 401s and injected faults). */
  peek(): RateLimitHeaders;
  reset(): void;
}

interface Window {
  start: number;
  used: number;
}

export function createRateLimiter(limit: RateLimit, now: () => Date): RateLimiter {
  for (const [name, value] of Object.entries(limit)) {
    if (!Number.isInteger(value) || value < 1) throw new RangeError(`rateLimit.${name} is ${String(value)}; use a whole number ≥ 1, or rateLimit: false for no limit`);
  }
  const minute: Window = { start: 0, used: 0 };
  const day: Window = { start: 0, used: 0 };

  function roll(): number {
    const seconds = Math.floor(now().getTime() / 1000);
    const minuteStart = seconds - (seconds % 60);
    const dayStart = seconds - (seconds % 86_400);
    if (minute.start !== minuteStart) Object.assign(minute, { start: minuteStart, used: 0 });
    if (day.start !== dayStart) Object.assign(day, { start: dayStart, used: 0 });
    return seconds;
  }

  function headers(): RateLimitHeaders {
    return {
      'x-ratelimit-minute-limit': String(limit.perMinute),
      'x-ratelimit-minute-remaining': String(Math.max(0, limit.perMinute - minute.used)),
      'x-ratelimit-minute-reset': String(minute.start + 60),
      'x-ratelimit-day-limit': String(limit.perDay),
      'x-ratelimit-day-remaining': String(Math.max(0, limit.perDay - day.used)),
      'x-ratelimit-day-reset': String(day.start + 86_400),
    };
  }

  return {
    take() {
      roll();
      const exhausted = day.used >= limit.perDay ? 'day' : minute.used >= limit.perMinute ? 'minute' : undefined;
      if (exhausted !== undefined) return { allowed: false, exhausted, headers: headers() };
      minute.used++;
      day.used++;
      return { allowed: true, headers: headers() };
    },
    peek() {
      roll();
      return headers();
    },
    reset() {
      Object.assign(minute, { start: 0, used: 0 });
      Object.assign(day, { start: 0, used: 0 });
    },
  };
}
