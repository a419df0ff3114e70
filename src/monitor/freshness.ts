/**
 * Is a sync's data fresh? Each sync has an expected cadence: `freshness.staleAfterMinutes`, else
 * twice the longest gap between its scheduled runs (a daily 05:00 run: 48 h; hourly 08–23: the
 * overnight gap counts only if it falls in business hours). Staleness is judged only inside the
 * tenant's business hours when `businessHoursOnly` (default), so "today hourly 08–23" is never
 * stale at night.
 */
import { CronExpressionParser } from 'cron-parser';
import { resolveCron } from '../config/spread-cron.ts';
import { scheduleName } from '../config/check-schedules.ts';
import { DateTime } from 'luxon';
import type { SyncConfig, TenantConfig } from '../config/schema.ts';

export type FreshnessState = 'fresh' | 'stale' | 'unknown';

export interface Freshness {
  readonly state: FreshnessState;
  /** Seconds since the last successful run finished (null: never). */
  readonly ageSeconds: number | null;
  /** The expectation, or null when the sync has no schedule and no `freshness` setting. */
  readonly staleAfterMinutes: number | null;
  /** True when now is inside the tenant's business hours (staleness is only judged then). */
  readonly inBusinessHours: boolean;
}

/** Business-hours minutes between two instants are not needed: only "is now inside them". */
export function inBusinessHours(tenant: TenantConfig, now: Date): boolean {
  const local = DateTime.fromJSDate(now, { zone: tenant.timezone });
  const hours = tenant.businessHours;
  if (!hours.days.includes(local.weekday)) return false;
  const minute = local.hour * 60 + local.minute;
  const [sh, sm] = hours.start.split(':').map(Number) as [number, number];
  const [eh, em] = hours.end.split(':').map(Number) as [number, number];
  return minute >= sh * 60 + sm && minute <= eh * 60 + em;
}

const expectations = new Map<string, number | null>();

/** Twice the longest gap between consecutive firings of the sync's schedules over the next week (cached per setting). */
export function expectedStaleAfterMinutes(sync: SyncConfig, tenant: TenantConfig, now: Date): number | null {
  if (sync.freshness?.staleAfterMinutes !== undefined) return sync.freshness.staleAfterMinutes;
  if (sync.schedules.length === 0) return null;
  const key = JSON.stringify([sync.schedules, sync.freshness, tenant.timezone, tenant.businessHours]);
  if (!expectations.has(key)) expectations.set(key, computeExpectation(sync, tenant, now));
  return expectations.get(key) ?? null;
}

function computeExpectation(sync: SyncConfig, tenant: TenantConfig, now: Date): number | null {
  const horizon = now.getTime() + 8 * 86_400_000;
  const firings: number[] = [];
  for (const schedule of sync.schedules) {
    const expression = CronExpressionParser.parse(resolveCron(schedule.cron, `${sync.id}/${scheduleName(schedule)}`), { tz: tenant.timezone, currentDate: now });
    for (let i = 0; i < 2000; i++) {
      const at = expression.next().getTime();
      if (at > horizon) break;
      firings.push(at);
    }
  }
  firings.sort((a, b) => a - b);
  const businessOnly = sync.freshness?.businessHoursOnly ?? true;
  let longest = 0;
  for (let i = 1; i < firings.length; i++) {
    // With business-hours judging, a gap spent mostly outside business hours (23:00 → 08:00) sets no expectation.
    if (businessOnly && !inBusinessHours(tenant, new Date((firings[i]! + firings[i - 1]!) / 2))) continue;
    longest = Math.max(longest, firings[i]! - firings[i - 1]!);
  }
  if (longest === 0 && firings.length > 1) longest = firings[1]! - firings[0]!;
  return longest > 0 ? Math.ceil((2 * longest) / 60_000) : null;
}

/** Minutes inside business hours between `from` and `now` (per local day, DST-correct), stopping past `cap`. */
export function businessMinutesBetween(tenant: TenantConfig, from: Date, now: Date, cap: number): number {
  const hours = tenant.businessHours;
  const [sh, sm] = hours.start.split(':').map(Number) as [number, number];
  const [eh, em] = hours.end.split(':').map(Number) as [number, number];
  let minutes = 0;
  let day = DateTime.fromJSDate(now, { zone: tenant.timezone }).startOf('day');
  const first = DateTime.fromJSDate(from, { zone: tenant.timezone }).startOf('day');
  while (day >= first && minutes <= cap) {
    if (hours.days.includes(day.weekday)) {
      const open = day.set({ hour: sh, minute: sm }).toMillis();
      const close = day.set({ hour: eh, minute: em }).toMillis() + 60_000;
      const overlap = Math.min(close, now.getTime()) - Math.max(open, from.getTime());
      if (overlap > 0) minutes += overlap / 60_000;
    }
    day = day.minus({ days: 1 });
  }
  return minutes;
}

export function freshnessOf(sync: SyncConfig, tenant: TenantConfig, lastSuccessAt: Date | null, now: Date): Freshness {
  const staleAfterMinutes = expectedStaleAfterMinutes(sync, tenant, now);
  const ageSeconds = lastSuccessAt ? Math.max(0, Math.round((now.getTime() - lastSuccessAt.getTime()) / 1000)) : null;
  const within = inBusinessHours(tenant, now);
  const businessOnly = sync.freshness?.businessHoursOnly ?? true;
  const judged = within || !businessOnly;
  if (staleAfterMinutes === null) return { state: 'unknown', ageSeconds, staleAfterMinutes, inBusinessHours: within };
  if (lastSuccessAt === null || ageSeconds === null) return { state: judged ? 'stale' : 'unknown', ageSeconds, staleAfterMinutes, inBusinessHours: within };
  // Business-hours judging counts only the minutes inside business hours: the night does not age data.
  const age = businessOnly ? businessMinutesBetween(tenant, lastSuccessAt, now, staleAfterMinutes) : ageSeconds / 60;
  const stale = age > staleAfterMinutes;
  return { state: stale && judged ? 'stale' : 'fresh', ageSeconds, staleAfterMinutes, inBusinessHours: within };
}
