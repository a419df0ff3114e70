/**
 * The special cases a sync must get right, built as exact shifts (no jitter) so tests can assert
 * instants. The list with ids and dates for the default seed is at the top of dataset.ts.
 */
import { addDays, businessDateOf } from '../../../time/business-day.ts';
import type { ResolvedGenerateOptions } from './generate-options.ts';
import type { DatasetShift } from './types.ts';
import type { ZonedCalendar } from './local-time.ts';
import { secondsOf } from './local-time.ts';
import { TIME_CLOCK_IDS, type RosterEntry } from './roster.ts';
import { buildShift } from './shift-factory.ts';

/** Which roster index plays which scenario (see roster.ts for who is on which clock). */
export const SCENARIO_USER_INDEX = { splitDay: 0, overnight: 1, dst: 2, openShift: 3, zoneEdge: 5 } as const;
type ScenarioRole = keyof typeof SCENARIO_USER_INDEX;

export interface ScenarioCases {
  readonly seed: number;
  readonly timeClockIds: typeof TIME_CLOCK_IDS;
  readonly userIds: Readonly<Record<ScenarioRole, number>>;
  /** 08:00–12:00 and 14:00–18:00 on the first generated date of each UTC offset (CST, and CDT when covered). */
  readonly splitDays: readonly {
    readonly date: string;
    readonly utcOffsetMinutes: number;
    readonly morningShiftId: string;
    readonly afternoonShiftId: string;
  }[];
  /** 22:00 → 06:00 the next day, every generated date. */
  readonly overnight: readonly { readonly date: string; readonly shiftId: string }[];
  /** 00:30–04:30 local on each DST change from the day before `from` to the last date. */
  readonly dst: readonly {
    readonly date: string;
    readonly kind: 'fallBack' | 'springForward';
    readonly shiftId: string;
    readonly start: number;
    readonly end: number;
  }[];
  /** Clocked in at 09:00 on the last generated date and not out yet: no `end`. */
  readonly openShift: { readonly date: string; readonly shiftId: string };
  /**
   * 00:15–08:15 America/New_York on the third generated date, which is 23:15 the day before in
   * the clock's zone: the shift belongs to `clockDate`, not `punchDate`.
   */
  readonly zoneEdge: {
    readonly punchDate: string;
    readonly clockDate: string;
    readonly punchZone: string;
    readonly shiftId: string;
  };
}

export interface ScenarioContext {
  readonly seed: number;
  readonly options: ResolvedGenerateOptions;
  /** The generated business dates, in order. */
  readonly dates: readonly string[];
  readonly roster: readonly RosterEntry[];
  calendar(zone: string): ZonedCalendar;
}

export interface ScenarioShifts {
  readonly shifts: DatasetShift[];
  /** Slots (`dayIndex * users + userIndex`) the scenarios occupy: no ordinary shift goes there. */
  readonly reserved: Set<number>;
  readonly cases: ScenarioCases;
}

export function buildScenarios(context: ScenarioContext): ScenarioShifts {
  const { seed, options, dates, roster } = context;
  const shifts: DatasetShift[] = [];
  const reserved = new Set<number>();
  const entryFor = (role: ScenarioRole): RosterEntry => {
    const entry = roster[SCENARIO_USER_INDEX[role]];
    if (entry === undefined) throw new RangeError(`scenario "${role}" needs more users`);
    return entry;
  };
  const reserve = (role: ScenarioRole, dayIndex: number): void => {
    if (dayIndex >= 0) reserved.add(dayIndex * options.users + SCENARIO_USER_INDEX[role]);
  };
  const add = (role: ScenarioRole, key: string, start: number, end?: number): string => {
    const shift = buildShift({ key: `${seed}|${role}|${key}`, entry: entryFor(role), start, end, autoClockOut: false });
    shifts.push(shift);
    return shift.id;
  };
  const lastDate = (index: number): string => {
    const date = dates[index];
    if (date === undefined) throw new RangeError(`no generated date ${index}`);
    return date;
  };
  const clockZone = context.calendar(options.timezone);

  const splitDays: ScenarioCases['splitDays'][number][] = [];
  const seenOffsets = new Set<number>();
  dates.forEach((date, dayIndex) => {
    const day = clockZone.day(date);
    if (day.hasTransition || seenOffsets.has(day.offsetAtStart)) return;
    seenOffsets.add(day.offsetAtStart);
    reserve('splitDay', dayIndex);
    splitDays.push({
      date,
      utcOffsetMinutes: day.offsetAtStart,
      morningShiftId: add('splitDay', `${date}|am`, clockZone.unixAt(date, secondsOf('08:00')), clockZone.unixAt(date, secondsOf('12:00'))),
      afternoonShiftId: add('splitDay', `${date}|pm`, clockZone.unixAt(date, secondsOf('14:00')), clockZone.unixAt(date, secondsOf('18:00'))),
    });
  });

  const overnightZone = context.calendar(entryFor('overnight').punchZone);
  const overnight = dates.map((date, dayIndex) => {
    reserve('overnight', dayIndex);
    const start = overnightZone.unixAt(date, secondsOf('22:00'));
    const end = overnightZone.unixAt(addDays(date, 1), secondsOf('06:00'));
    return { date, shiftId: add('overnight', date, start, end) };
  });

  // The day before `from` is scanned too, so the default range (which starts the Monday after
  // America/Chicago falls back on 2026-11-01) still carries a fall-back shift.
  const dstZone = context.calendar(entryFor('dst').punchZone);
  const dst: ScenarioCases['dst'][number][] = [];
  [addDays(options.from, -1), ...dates].forEach((date, scanIndex) => {
    const day = dstZone.day(date);
    if (!day.hasTransition) return;
    reserve('dst', scanIndex - 1);
    const start = dstZone.unixAt(date, secondsOf('00:30'));
    const end = dstZone.unixAt(date, secondsOf('04:30'));
    const kind = day.offsetAtEnd > day.offsetAtStart ? 'springForward' : 'fallBack';
    dst.push({ date, kind, start, end, shiftId: add('dst', date, start, end) });
  });

  const openDate = lastDate(dates.length - 1);
  reserve('openShift', dates.length - 1);
  const openZone = context.calendar(entryFor('openShift').punchZone);
  const openShift = { date: openDate, shiftId: add('openShift', openDate, openZone.unixAt(openDate, secondsOf('09:00'))) };

  const edge = entryFor('zoneEdge');
  const punchDate = lastDate(2);
  reserve('zoneEdge', 2);
  const edgeZone = context.calendar(edge.punchZone);
  const edgeStart = edgeZone.unixAt(punchDate, secondsOf('00:15'));
  const zoneEdge = {
    punchDate,
    clockDate: businessDateOf(new Date(edgeStart * 1000), options.timezone),
    punchZone: edge.punchZone,
    shiftId: add('zoneEdge', punchDate, edgeStart, edgeZone.unixAt(punchDate, secondsOf('08:15'))),
  };

  const userIds: Record<ScenarioRole, number> = {
    splitDay: entryFor('splitDay').userId,
    overnight: entryFor('overnight').userId,
    dst: entryFor('dst').userId,
    openShift: entryFor('openShift').userId,
    zoneEdge: edge.userId,
  };
  return {
    shifts,
    reserved,
    cases: { seed, timeClockIds: TIME_CLOCK_IDS, userIds, splitDays, overnight, dst, openShift, zoneEdge },
  };
}
