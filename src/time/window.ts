/**
 * A run's window: business days [from, to) in the tenant's zone, and the UTC range they cover.
 * Windows are always whole business days; rows are selected by an indexed range on an instant
 * column, never by computing a date from a column.
 */
import { addDays, businessDayRange, daysBetween, todayIn } from './business-day.ts';

export interface BusinessWindow {
  /** First business day, inclusive (YYYY-MM-DD). */
  readonly from: string;
  /** Business day after the last one, exclusive (YYYY-MM-DD). */
  readonly to: string;
  readonly timezone: string;
  /** UTC instant of local midnight starting `from`. */
  readonly start: Date;
  /** UTC instant of local midnight starting `to`. */
  readonly end: Date;
}

/** The window of business days [from, to) in `timezone`. */
export function businessWindow(from: string, to: string, timezone: string): BusinessWindow {
  if (daysBetween(from, to) < 1) {
    throw new RangeError(`window --from ${from} --to ${to} is empty: "to" is exclusive and must be after "from"`);
  }
  return {
    from,
    to,
    timezone,
    start: businessDayRange(from, timezone).start,
    end: businessDayRange(to, timezone).start,
  };
}

/** Today only, in the tenant's zone. */
export function todayWindow(timezone: string, now: Date = new Date()): BusinessWindow {
  const today = todayIn(timezone, now);
  return businessWindow(today, addDays(today, 1), timezone);
}

/** `pastDays` before today through `futureDays` after today (today always included). */
export function relativeWindow(
  timezone: string,
  pastDays: number,
  futureDays: number,
  now: Date = new Date(),
): BusinessWindow {
  const today = todayIn(timezone, now);
  return businessWindow(addDays(today, -pastDays), addDays(today, futureDays + 1), timezone);
}

/** The business dates in the window, in order. */
export function datesOf(window: BusinessWindow): string[] {
  const dates: string[] = [];
  for (let d = window.from; d < window.to; d = addDays(d, 1)) dates.push(d);
  return dates;
}
