/**
 * YClients counts its limit per IP address, not per token or connection (upstream-apis.md §2.6):
 * every YClients connection this process runs, for every company, spends the same 5 a second and
 * 200 a minute. The shared HTTP client budgets per client (one per run), so two runs back to back
 * (staff, then schedules) or two companies at once would together exceed the limit. This keeps
 * one budget per upstream origin and per limits for the whole process, taken before each request.
 */
import { sleepMs } from '../../upstream/abort.ts';
import { RateLimiter, type RateLimits } from '../../upstream/rate-limiter.ts';

const budgets = new Map<string, RateLimiter>();

/** The process-wide budget of `origin` (e.g. `https://api.yclients.com`) under `limits`. */
export function sharedBudget(origin: string, limits: RateLimits): RateLimiter {
  const key = `${origin} ${limits.perSecond ?? '-'}/s ${limits.perMinute ?? '-'}/min ${limits.perDay ?? '-'}/day`;
  let budget = budgets.get(key);
  if (budget === undefined) {
    budget = new RateLimiter(limits);
    budgets.set(key, budget);
  }
  return budget;
}

/** Wait until `budget` grants one request (abortable); returns the time waited in ms. */
export async function takeFromBudget(budget: RateLimiter, signal?: AbortSignal): Promise<number> {
  let waited = 0;
  for (;;) {
    const reservation = budget.reserve(Date.now());
    if (reservation.granted) return waited;
    waited += reservation.waitMs;
    await sleepMs(reservation.waitMs, signal);
  }
}
