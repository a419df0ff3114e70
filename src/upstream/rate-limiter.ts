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

/**
 * How requests spend a budget: `burst` sends as soon as the sliding window has room (a full
 * window's worth at once, then waits); `even` also spaces them by the window over the limit, plus
 * a safety margin (see PACING_MARGIN), so a long read runs at a steady rate just under the limit.
 */
export const PACING_MODES = ['burst', 'even'] as const;
export type Pacing = (typeof PACING_MODES)[number];

export interface RateLimiterOptions {
  /** Length of the "minute" window in ms. Default 60 000; only a benchmark against a simulator with a shortened minute changes it. */
  readonly minuteMs?: number;
  /** Default `burst`. */
  readonly pacing?: Pacing;
}

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
/**
 * Even pacing spaces grants 2% wider than window / limit. Our grant times are not the server's
 * arrival times: a request that is slower on the wire than the one a full window after it would
 * otherwise land inside the same server window. 2% of a minute (1.2 s) absorbs that jitter.
 */
export const PACING_MARGIN = 0.02;
/** Windows that set the pace; a day budget is a cap, never a pace (Connecteam: 20,000/day). */
const PACED_WINDOWS: readonly BudgetWindow[] = ['second', 'minute'];
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

/** The even pace of the tightest paced window: the gap between grants and the hold it reports. */
interface Pace {
  readonly gapMs: number;
  readonly hold: BudgetHold;
}

export class RateLimiter {
  readonly #windows = new Map<BudgetWindow, SlidingWindow>();
  readonly #server = new Map<'minute' | 'day', KnownServerBudget>();
  readonly #pace: Pace | undefined;
  /** Even pacing: the earliest instant of the next grant. */
  #paceNext = 0;
  #pausedUntil = 0;

  constructor(limits: RateLimits = {}, options: RateLimiterOptions = {}) {
    const minuteMs = options.minuteMs ?? WINDOW_MS.minute;
    if (!Number.isFinite(minuteMs) || minuteMs < 1) {
      throw new RangeError(`minuteMs must be a positive number of milliseconds, got ${String(options.minuteMs)}`);
    }
    const windowMs: Record<BudgetWindow, number> = { ...WINDOW_MS, minute: minuteMs };
    const perWindow: Record<BudgetWindow, number | undefined> = {
      second: checkLimit(limits.perSecond, 'second'),
      minute: checkLimit(limits.perMinute, 'minute'),
      day: checkLimit(limits.perDay, 'day'),
    };
    for (const [window, limit] of Object.entries(perWindow) as [BudgetWindow, number | undefined][]) {
      if (limit !== undefined) this.#windows.set(window, new SlidingWindow(limit, windowMs[window]));
    }
    if ((options.pacing ?? 'burst') === 'even') this.#pace = evenPace(this.#windows);
  }

  /** Even pacing's gap between grants in ms (undefined when bursting or without a paced limit). */
  get paceMs(): number | undefined {
    return this.#pace?.gapMs;
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
    if (this.#pace) consider(this.#paceNext, this.#pace.hold);
    for (const [window, sliding] of this.#windows) {
      consider(sliding.nextFreeAt(now), { source: 'client', window, limit: sliding.limit });
    }
    for (const [window, known] of this.#server) {
      if (known.resetAt <= now) this.#server.delete(window);
      else if (known.remaining <= 0) consider(known.resetAt, { source: 'server', window, limit: known.limit });
    }

    if (hold !== undefined) return { granted: false, until, waitMs: until - now, hold };
    if (this.#pace) {
      // The next grant is a gap after this one, never sooner: a stalled reader does not burst to
      // catch up. A timer that fired up to half the margin late keeps the schedule, so lateness
      // does not add up; that tolerance still leaves any window with fewer grants than the limit.
      const { gapMs } = this.#pace;
      const tolerance = (gapMs * PACING_MARGIN) / 2;
      this.#paceNext = Math.max(this.#paceNext, now - tolerance) + gapMs;
    }
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

function evenPace(windows: ReadonlyMap<BudgetWindow, SlidingWindow>): Pace | undefined {
  let pace: Pace | undefined;
  for (const window of PACED_WINDOWS) {
    const sliding = windows.get(window);
    if (!sliding) continue;
    const gapMs = (sliding.windowMs * (1 + PACING_MARGIN)) / sliding.limit;
    if (!pace || gapMs > pace.gapMs) pace = { gapMs, hold: { source: 'client', window, limit: sliding.limit } };
  }
  return pace;
}
