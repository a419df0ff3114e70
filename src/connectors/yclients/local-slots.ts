/**
 * A schedule's local wall-clock slots (`"10:00"`–`"14:00"` on a date, in the company's zone, no
 * offset: upstream-apis.md §2.8) turned into UTC instants. The zone's rules for that very date
 * decide the offset (luxon, IANA data): never a fixed offset, so a zone that changes its clocks
 * gets the right instants on both sides of the change.
 *
 * - `24:00` ends the day at the next local midnight.
 * - An end at or before the start (`22:00`–`02:00`) runs past midnight into the next date.
 * - A wall time skipped by a spring-forward change moves forward by the gap; a wall time that
 *   occurs twice in autumn is taken at its later occurrence (luxon's resolution).
 */
import { DateTime } from 'luxon';
import { addDays, businessDayRange } from '../../time/business-day.ts';

export interface LocalSlot {
  readonly from: string;
  readonly to: string;
}

export interface UtcSlot extends LocalSlot {
  readonly start: Date;
  readonly end: Date;
}

function clockParts(clock: string): [number, number, number] {
  const [hours = 0, minutes = 0, seconds = 0] = clock.split(':').map(Number);
  return [hours, minutes, seconds];
}

/** The instant of wall-clock `clock` on `date` in `zone`. */
export function localInstant(date: string, clock: string, zone: string): Date {
  const [hour, minute, second] = clockParts(clock);
  if (hour === 24) return businessDayRange(date, zone).end;
  const [year, month, day] = date.split('-').map(Number);
  const instant = DateTime.fromObject({ year, month, day, hour, minute, second }, { zone });
  if (!instant.isValid) throw new RangeError(`${date} ${clock} in ${zone} is not a time: ${instant.invalidExplanation ?? instant.invalidReason ?? 'invalid'}`);
  return instant.toJSDate();
}

/** The UTC instants of one slot of `date` in `zone`. */
export function slotInstants(date: string, slot: LocalSlot, zone: string): UtcSlot {
  if (clockParts(slot.from)[0] === 24) throw new RangeError(`slot ${slot.from}–${slot.to} on ${date} starts at the end of the day`);
  const start = localInstant(date, slot.from, zone);
  let end = localInstant(date, slot.to, zone);
  if (end.getTime() === start.getTime()) throw new RangeError(`slot ${slot.from}–${slot.to} on ${date} is empty`);
  if (end < start) end = localInstant(addDays(date, 1), slot.to, zone);
  return { from: slot.from, to: slot.to, start, end };
}
