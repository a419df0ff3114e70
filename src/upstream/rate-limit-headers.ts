/**
 * What an upstream says about its rate limit, read from response headers into instants:
 * - `Retry-After`: seconds or an HTTP date (any API, usually on 429 or 503);
 * - `X-RateLimit-Reset`: epoch seconds when the budget refills (Cliniko, on 429);
 * - `x-ratelimit-{minute,day}-{limit,remaining,reset}`: Connecteam's budgets, on every response.
 * The server knows its budget better than any client-side guess, so these hints win over backoff.
 */

/** One of the server's budget windows. `resetAt` is ms since the epoch. */
export interface ServerBudget {
  readonly limit?: number;
  readonly remaining?: number;
  readonly resetAt?: number;
}

export interface RateLimitHints {
  /** `Retry-After`, as an instant (ms since the epoch). */
  readonly retryAt?: number;
  /** `X-RateLimit-Reset`, as an instant (ms since the epoch). */
  readonly resetAt?: number;
  readonly minute?: ServerBudget;
  readonly day?: ServerBudget;
}

/** When to try again after a failed response, and whether that is the day budget refilling. */
export interface ServerRetryHint {
  readonly at: number;
  readonly dayBudgetSpent: boolean;
}

// Below this an epoch-seconds value would be before 2001: such a "reset" is a count of seconds
// from now, which some gateways send instead of an instant.
const EPOCH_SECONDS_FLOOR = 1_000_000_000;

function numberHeader(headers: Headers, name: string): number | undefined {
  const raw = headers.get(name);
  if (raw === null || raw.trim() === '') return undefined;
  const value = Number(raw.trim());
  return Number.isFinite(value) && value >= 0 ? value : undefined;
}

function resetInstant(headers: Headers, name: string, now: number): number | undefined {
  const seconds = numberHeader(headers, name);
  if (seconds === undefined) return undefined;
  return seconds < EPOCH_SECONDS_FLOOR ? now + seconds * 1000 : seconds * 1000;
}

function retryAfterInstant(headers: Headers, now: number): number | undefined {
  const raw = headers.get('retry-after')?.trim();
  if (!raw) return undefined;
  if (/^\d+(\.\d+)?$/.test(raw)) return now + Number(raw) * 1000;
  const date = Date.parse(raw);
  return Number.isNaN(date) ? undefined : date;
}

function budget(headers: Headers, window: 'minute' | 'day', now: number): ServerBudget | undefined {
  const limit = numberHeader(headers, `x-ratelimit-${window}-limit`);
  const remaining = numberHeader(headers, `x-ratelimit-${window}-remaining`);
  const resetAt = resetInstant(headers, `x-ratelimit-${window}-reset`, now);
  if (limit === undefined && remaining === undefined && resetAt === undefined) return undefined;
  return { limit, remaining, resetAt };
}

/** Read every rate-limit hint a response carries; `now` resolves relative values. */
export function parseRateLimitHeaders(headers: Headers, now: number): RateLimitHints {
  return {
    retryAt: retryAfterInstant(headers, now),
    resetAt: resetInstant(headers, 'x-ratelimit-reset', now),
    minute: budget(headers, 'minute', now),
    day: budget(headers, 'day', now),
  };
}

/**
 * The instant the server asks us to wait for before retrying a failed response, if it said.
 * `Retry-After` counts on any status; reset instants only explain a 429, since Connecteam sends
 * them on every response. With several hints the latest wins: retrying earlier would only
 * spend an attempt on another 429.
 */
export function serverRetryHint(hints: RateLimitHints, status: number): ServerRetryHint | undefined {
  const candidates: number[] = [];
  if (hints.retryAt !== undefined) candidates.push(hints.retryAt);
  let dayBudgetSpent = false;
  if (status === 429) {
    if (hints.resetAt !== undefined) candidates.push(hints.resetAt);
    const { minute, day } = hints;
    if (minute?.resetAt !== undefined && (minute.remaining === undefined || minute.remaining === 0)) {
      candidates.push(minute.resetAt);
    }
    if (day?.resetAt !== undefined && day.remaining === 0) {
      candidates.push(day.resetAt);
      dayBudgetSpent = true;
    }
  }
  if (candidates.length === 0) return undefined;
  return { at: Math.max(...candidates), dayBudgetSpent };
}
