/**
 * How a window of business days becomes `staff/schedule` requests: date ranges of at most
 * MAX_SPAN_DAYS (both ends included) times groups of at most STAFF_PER_REQUEST staff ids, and
 * where a resumed read starts again.
 */
import { addDays, daysBetween } from '../../time/business-day.ts';

/**
 * The longest range YClients is asked for in one request. The maximum is undocumented; the
 * documented example asks for 60 days (2026-01-31 to 2026-03-31), so we never ask for more.
 */
export const MAX_SPAN_DAYS = 60;
/** Staff ids per request: keeps the URL short (each id is about 20 characters of query). */
export const STAFF_PER_REQUEST = 50;

export interface DateRange {
  /** First date, included. */
  readonly startDate: string;
  /** Last date, included. */
  readonly endDate: string;
}

/** [first, last] (both included) cut into ranges of at most `maxDays` dates. */
export function dateRanges(first: string, last: string, maxDays = MAX_SPAN_DAYS): DateRange[] {
  const ranges: DateRange[] = [];
  for (let start = first; daysBetween(start, last) >= 0; start = addDays(start, maxDays)) {
    const end = addDays(start, maxDays - 1);
    ranges.push({ startDate: start, endDate: daysBetween(end, last) >= 0 ? end : last });
  }
  return ranges;
}

/** `ids` in groups of at most `size`. */
export function staffGroups(ids: readonly string[], size = STAFF_PER_REQUEST): string[][] {
  const groups: string[][] = [];
  for (let index = 0; index < ids.length; index += size) groups.push(ids.slice(index, index + size));
  return groups;
}

/** A resumable position: the date range and the first staff id of the group to read again. */
export interface SchedulePosition {
  readonly startDate: string;
  readonly firstStaffId: string;
}

function isPosition(value: unknown): value is SchedulePosition {
  return (
    typeof value === 'object' &&
    value !== null &&
    typeof (value as SchedulePosition).startDate === 'string' &&
    typeof (value as SchedulePosition).firstStaffId === 'string'
  );
}

/**
 * Where a read starts: the saved range and group, or the beginning when they no longer exist
 * (the staff list changed before the resume). Starting over is always safe: keys merged before
 * the crash are skipped by the engine.
 */
export function startOf(position: unknown, ranges: readonly DateRange[], groups: readonly (readonly string[])[]): { range: number; group: number } {
  if (!isPosition(position)) return { range: 0, group: 0 };
  const range = ranges.findIndex((r) => r.startDate === position.startDate);
  const group = groups.findIndex((g) => g[0] === position.firstStaffId);
  return range < 0 || group < 0 ? { range: 0, group: 0 } : { range, group };
}
