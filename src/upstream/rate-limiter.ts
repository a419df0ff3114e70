/**
 * The client-side request budget of one upstream connection, combining
 * - our own limits per second/minute/day ("at most N requests in any window of W ms"),
 * - what the server last said about its budget (`remaining` until `resetAt`), and
 * - a pause the server asked for (a 429's reset instant), shared by every request in flight.
 *
 * Each limit is a sliding window over the last N grant times rather than a refilling token
 * bucket: a bucket of N tokens refilled at N per minute lets 2N requests through in the first
 * minute (a full burst plus the refill), which is exactly what a server counting "N per minute"
 * answers with 429s. The window costs one number per allowed request (8 bytes × perDay at most).
 */
import type { RateLimitHints, ServerBudget } from './rate-limit-headers.ts';

export interface RateLimits {
  readonly perSecond?: number;
  readonly perMinute?: number;
  readonly perDay?: number;
}

export type BudgetWindow = 'second' | 'minute' | 'day';

/** Why a request may not go yet: whose budget, which window, and the limit when known. */
export interface BudgetHold {
  readonly source: 'client' | 'server';
  /** `pause` is a wait the server asked for in a 429. */
  readonly window: BudgetWindow | 'pause';
  readonly limit?: number;
}

export type Reservation =
  | { readonly granted: true }
  | { readonly granted: false; readonly until: number; readonly waitMs: number; readonly hold: BudgetHold };

const WINDOW_MS: Readonly<Record<BudgetWindow, number>> = { second: 1_000, minute: 60_000, day: 86_400_000 };
const LIMIT_SETTINGS = { second: 'perSecond', minute: 'perMinute', day: 'perDay' } as const;
// A larger window log would cost memory for no practical upstream (Connecteam's top plan: 20,000/day).
const MAX_LIMIT = 1_000_000;

/** "At most `limit` grants in any `windowMs`": a ring of the last `limit` grant times. */
class SlidingWindow {
  readonly limit: number;
  readonly windowMs: number;
  readonly #grants: Float64Array;
  #head = 0;
  #count = 0;

  constructor(limit: number, windowMs: number) {
    this.limit = limit;
    this.windowMs = windowMs;
    this.#grants = new Float64Array(limit);
  }

  /** The earliest instant at or after `now` when one more grant fits. */
  nextFreeAt(now: number): number {
    if (this.#count < this.limit) return now;
    return Math.max(now, (this.#grants[this.#head] ?? 0) + this.windowMs);
  }

  record(now: number): void {
    if (this.#count < this.limit) {
      this.#grants[(this.#head + this.#count) % this.limit] = now;
      this.#count += 1;
    } else {
      this.#grants[this.#head] = now;
      this.#head = (this.#head + 1) % this.limit;
    }
  }
}

function checkLimit(value: number | undefined, window: BudgetWindow): number | undefined {
  if (value === undefined) return undefined;
  if (!Number.isInteger(value) || value < 1 || value > MAX_LIMIT) {
    throw new RangeError(
      `limits.${LIMIT_SETTINGS[window]} must be a whole number from 1 to ${MAX_LIMIT}, got ${String(value)}; leave it out for no client-side limit`,
    );
  }
  return value;
}

interface KnownServerBudget {
  remaining: number;
  readonly resetAt: number;
  readonly limit: number | undefined;
}

export class RateLimiter {
  readonly #windows = new Map<BudgetWindow, SlidingWindow>();
  readonly #server = new Map<'minute' | 'day', KnownServerBudget>();
  #pausedUntil = 0;

  constructor(limits: RateLimits = {}) {
    const perWindow: Record<BudgetWindow, number | undefined> = {
      second: checkLimit(limits.perSecond, 'second'),
      minute: checkLimit(limits.perMinute, 'minute'),
      day: checkLimit(limits.perDay, 'day'),
    };
    for (const [window, limit] of Object.entries(perWindow) as [BudgetWindow, number | undefined][]) {
      if (limit !== undefined) this.#windows.set(window, new SlidingWindow(limit, WINDOW_MS[window]));
    }
  }

  /**
   * Take one request from every budget at `now`, or say how long to wait and why.
   * Synchronous, so concurrent callers cannot both take the last request.
   */
  reserve(now: number): Reservation {
    let until = now;
    let hold: BudgetHold | undefined;
    const consider = (at: number, why: BudgetHold): void => {
      if (at > until) {
        until = at;
        hold = why;
      }
    };

    consider(this.#pausedUntil, { source: 'server', window: 'pause' });
    for (const [window, sliding] of this.#windows) {
      consider(sliding.nextFreeAt(now), { source: 'client', window, limit: sliding.limit });
    }
    for (const [window, known] of this.#server) {
      if (known.resetAt <= now) this.#server.delete(window);
      else if (known.remaining <= 0) consider(known.resetAt, { source: 'server', window, limit: known.limit });
    }

    if (hold !== undefined) return { granted: false, until, waitMs: until - now, hold };
    for (const sliding of this.#windows.values()) sliding.record(now);
    for (const known of this.#server.values()) known.remaining -= 1;
    return { granted: true };
  }

  /** Adopt the server's own count of what is left (sent by Connecteam on every response). */
  observe(hints: RateLimitHints): void {
    this.#adopt('minute', hints.minute);
    this.#adopt('day', hints.day);
  }

  /** Hold every request until `at` (ms since the epoch), e.g. after a 429 said when to return. */
  pauseUntil(at: number): void {
    this.#pausedUntil = Math.max(this.#pausedUntil, at);
  }

  #adopt(window: 'minute' | 'day', budget: ServerBudget | undefined): void {
    // A remaining count without its reset instant cannot tell when waiting ends: ignore it.
    if (budget?.remaining === undefined || budget.resetAt === undefined) return;
    this.#server.set(window, { remaining: budget.remaining, resetAt: budget.resetAt, limit: budget.limit });
  }
}
