/**
 * Local wall-clock times in an IANA zone → Unix seconds, fast. Luxon is exact but costs
 * microseconds per call, too much for 100,000 shifts; so each calendar day is resolved with luxon
 * once, and on a day without an offset change a local time is simply midnight plus seconds.
 * Days with a DST change (and any day luxon says is not 24 h) always go through luxon.
 */
import { DateTime } from 'luxon';
import { assertIsoDate, assertTimezone } from '../../../time/business-day.ts';

export interface LocalDay {
  readonly date: string;
  /** Unix seconds of local midnight starting `date`. */
  readonly midnight: number;
  /** Unix seconds of local midnight starting the next day. */
  readonly nextMidnight: number;
  /** UTC offset at local midnight and at the next local midnight, minutes east of UTC. */
  readonly offsetAtStart: number;
  readonly offsetAtEnd: number;
  /** True when the offset changes during the day (a DST change): the day is 23 or 25 h long. */
  readonly hasTransition: boolean;
}

export interface ZonedCalendar {
  readonly zone: string;
  day(date: string): LocalDay;
  /** Unix seconds of `secondOfDay` seconds after 00:00 on the wall clock of `date` (0 ≤ s < 86400). */
  unixAt(date: string, secondOfDay: number): number;
}

export function zonedCalendar(zone: string): ZonedCalendar {
  assertTimezone(zone);
  const days = new Map<string, LocalDay>();

  function day(date: string): LocalDay {
    const known = days.get(date);
    if (known !== undefined) return known;
    assertIsoDate(date);
    const start = DateTime.fromISO(date, { zone }).startOf('day');
    const end = start.plus({ days: 1 }).startOf('day');
    const midnight = start.toUnixInteger();
    const nextMidnight = end.toUnixInteger();
    const resolved: LocalDay = {
      date,
      midnight,
      nextMidnight,
      offsetAtStart: start.offset,
      offsetAtEnd: end.offset,
      hasTransition: start.offset !== end.offset || nextMidnight - midnight !== 86_400,
    };
    days.set(date, resolved);
    return resolved;
  }

  function unixAt(date: string, secondOfDay: number): number {
    const resolved = day(date);
    if (!resolved.hasTransition) return resolved.midnight + secondOfDay;
    // Wall-clock arithmetic across a DST change: luxon resolves the local time in the zone
    // (a time skipped by spring-forward moves forward by the gap, as luxon documents).
    const [year, month, dayOfMonth] = date.split('-').map(Number);
    return DateTime.fromObject(
      {
        year,
        month,
        day: dayOfMonth,
        hour: Math.floor(secondOfDay / 3600),
        minute: Math.floor((secondOfDay % 3600) / 60),
        second: secondOfDay % 60,
      },
      { zone },
    ).toUnixInteger();
  }

  return { zone, day, unixAt };
}

/** `HH:mm` (or `HH:mm:ss`) → seconds after 00:00. */
export function secondsOf(clock: string): number {
  const [hours = 0, minutes = 0, seconds = 0] = clock.split(':').map(Number);
  return hours * 3600 + minutes * 60 + seconds;
}
