/**
 * Process-wide budgets. An upstream counts its limit per account (Connecteam, Cliniko: per API
 * key) or per IP (YClients), but each run builds its own client: without sharing, three syncs of
 * one connection running at once would together spend three times the budget. Clients given the
 * same `sharedBudget` key (and the same limits) draw from one RateLimiter for the process.
 * Workers on other machines still have their own: see docs/operations.md.
 */
import { RateLimiter, type RateLimiterOptions, type RateLimits } from './rate-limiter.ts';

const limiters = new Map<string, RateLimiter>();

export function sharedLimiter(key: string, limits: RateLimits | undefined, options: RateLimiterOptions): RateLimiter {
  const id = JSON.stringify([key, limits ?? {}, options.minuteMs ?? null, options.pacing ?? null]);
  let limiter = limiters.get(id);
  if (limiter === undefined) {
    limiter = new RateLimiter(limits, options);
    limiters.set(id, limiter);
  }
  return limiter;
}
