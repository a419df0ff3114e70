/**
 * The one place a business day becomes a UTC range (invariant 2). A business day is a calendar
 * date in the tenant's IANA zone; its range is [local midnight, next local midnight) as instants,
 * so it is 23, 24 or 25 hours long (or 23.5/24.5 on Lord Howe) around DST changes.
 */
import { DateTime, IANAZone } from 'luxon';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export interface UtcRange {
  /** Inclusive start instant. */
  readonly start: Date;
  /** Exclusive end instant. */
  readonly end: Date;
}

// Luxon builds an Intl.DateTimeFormat on every validity check (about 100 µs); zones are few and
// records are many, so each answer is remembered.
const zoneValidity = new Map<string, boolean>();

/** True when `zone` is an IANA zone name this runtime knows (cached). */
export function isTimezone(zone: string): boolean {
  let valid = zoneValidity.get(zone);
  if (valid === undefined) {
    valid = IANAZone.isValidZone(zone);
    zoneValidity.set(zone, valid);
  }
  return valid;
}

/** Throws a clear error unless `zone` is an IANA zone name this runtime knows. */
export function assertTimezone(zone: string): void {
  if (!isTimezone(zone)) {
    throw new RangeError(`"${zone}" is not an IANA timezone; use a name like "America/Chicago" or "Europe/Moscow"`);
  }
}

/** Throws unless `date` is a real calendar date written `YYYY-MM-DD`. */
export function assertIsoDate(date: string, what = 'date'): void {
  if (!ISO_DATE.test(date) || !DateTime.fromISO(date, { zone: 'UTC' }).isValid) {
    throw new RangeError(`${what} "${date}" is not a calendar date; write it as YYYY-MM-DD, e.g. 2026-11-25`);
  }
}

function localMidnight(date: string, zone: string): DateTime {
  assertIsoDate(date);
  assertTimezone(zone);
  return DateTime.fromISO(date, { zone }).startOf('day');
}

/** The UTC instants [start, end) covered by business day `date` in `zone`. */
export function businessDayRange(date: string, zone: string): UtcRange {
  const start = localMidnight(date, zone);
  return { start: start.toJSDate(), end: start.plus({ days: 1 }).startOf('day').toJSDate() };
}

// en-CA formats a date as YYYY-MM-DD; one formatter per zone turns an instant into its local date
// without building a DateTime per record.
const dateFormats = new Map<string, Intl.DateTimeFormat>();

/** The business date (YYYY-MM-DD) that `instant` falls on in `zone`. */
export function businessDateOf(instant: Date, zone: string): string {
  let format = dateFormats.get(zone);
  if (format === undefined) {
    assertTimezone(zone);
    format = new Intl.DateTimeFormat('en-CA', { timeZone: zone, year: 'numeric', month: '2-digit', day: '2-digit' });
    dateFormats.set(zone, format);
  }
  if (Number.isNaN(instant.getTime())) throw new RangeError(`invalid instant ${String(instant)}`);
  const date = format.format(instant);
  // Years outside 1000–9999 are not written with four digits by Intl: let Luxon do those.
  return ISO_DATE.test(date) ? date : (DateTime.fromJSDate(instant, { zone }).toISODate() ?? date);
}

/** `date` moved by `days` calendar days (pure date arithmetic, no zone involved). */
export function addDays(date: string, days: number): string {
  assertIsoDate(date);
  const moved = DateTime.fromISO(date, { zone: 'UTC' }).plus({ days }).toISODate();
  if (moved === null) throw new RangeError(`cannot move ${date} by ${days} days`);
  return moved;
}

/** Whole calendar days from `from` to `to` (negative when `to` is earlier). */
export function daysBetween(from: string, to: string): number {
  assertIsoDate(from);
  assertIsoDate(to);
  return DateTime.fromISO(to, { zone: 'UTC' }).diff(DateTime.fromISO(from, { zone: 'UTC' }), 'days').days;
}

/** Today's business date in `zone` at instant `now`. */
export function todayIn(zone: string, now: Date = new Date()): string {
  return businessDateOf(now, zone);
}

/** The UTC offset of `zone` at `instant`, in minutes east of UTC (Chicago in winter: -360). */
export function utcOffsetMinutes(instant: Date, zone: string): number {
  assertTimezone(zone);
  return DateTime.fromJSDate(instant, { zone }).offset;
}
