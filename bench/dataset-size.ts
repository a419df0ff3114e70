/**
 * How N shifts are laid out in the simulator: a business of 100 employees, one shift each per
 * business day, so N shifts cover N/100 days. Density is constant across sizes: a larger N is a
 * longer history, not a busier day, so one upstream answer (one time clock × one 92-day chunk,
 * at most ~4,600 shifts, ~2 MB of JSON) is the same size whatever N is.
 */
import type { GenerateOptions } from '../src/connectors/connecteam/simulator/index.ts';
import { addDays } from '../src/time/business-day.ts';

export const BENCH_TIMEZONE = 'America/Chicago';
export const BENCH_FROM = '2024-01-01';
export const BENCH_USERS = 100;
export const BENCH_SEED = 7;

export function generateOptionsFor(shifts: number): GenerateOptions {
  return {
    from: BENCH_FROM,
    days: Math.max(1, Math.ceil(shifts / BENCH_USERS)),
    users: BENCH_USERS,
    timezone: BENCH_TIMEZONE,
    shifts,
    // Exactly N ordinary shifts; the special cases (DST, overnight, open) belong to the tests.
    scenarios: false,
  };
}

/** The generated business days as a window [from, to). */
export function windowFor(shifts: number): { from: string; to: string; timezone: string } {
  const options = generateOptionsFor(shifts);
  return { from: options.from, to: addDays(options.from, options.days), timezone: BENCH_TIMEZONE };
}
