/**
 * Which slots a staff member works on a date: a concrete override first (a day off is `[]`), then
 * nothing for fired or deleted staff or after `schedule_till`, then the work pattern. Pure date
 * arithmetic on `YYYY-MM-DD` (slots are wall-clock times; no zone is needed to know them).
 */
import { epochDay, isoWeekdayOfEpochDay } from './calendar-days.ts';
import type { YclientsCompany, YclientsSlot, YclientsStaff, WorkPattern } from './types.ts';

/** `"<staffId>:<date>"`, the key of an override. */
export function dayKey(staffId: string, date: string): string {
  return `${staffId}:${date}`;
}

function truthy(value: unknown): boolean {
  return value === true || value === 1 || value === '1' || value === 'true';
}

export function patternSlots(pattern: WorkPattern, date: string): YclientsSlot[] {
  const day = epochDay(date);
  if (pattern.kind === 'weekly') return pattern.weekdays.includes(isoWeekdayOfEpochDay(day)) ? pattern.slots : [];
  const cycle = pattern.on + pattern.off;
  const position = (((day - epochDay(pattern.anchor)) % cycle) + cycle) % cycle;
  return position < pattern.on ? pattern.slots : [];
}

export function workingSlots(company: YclientsCompany, staff: YclientsStaff, date: string): YclientsSlot[] {
  const staffId = String(staff.id);
  const override = company.overrides[dayKey(staffId, date)];
  if (override !== undefined) return override;
  if (truthy(staff.is_deleted) || truthy(staff.fired) || truthy(staff.is_fired)) return [];
  if (staff.schedule_till && date > staff.schedule_till) return [];
  const pattern = company.patterns[staffId];
  return pattern ? patternSlots(pattern, date) : [];
}
