/**
 * `yclients.staff_schedules`: one row per staff member per working day, keyed by the documented
 * natural key `schedule_key` = "<staff id>:<YYYY-MM-DD>" (YClients has no id for a schedule day).
 *
 * Window mode. The staff list is read first (the schedule endpoint takes `staff_ids[]`), then
 * `GET /api/v1/company/{id}/staff/schedule` for the window's dates. A day on which a staff member
 * does not work is simply absent from the answer (upstream-apis.md §2.4), so after a complete read
 * the engine's window reconcile marks that day's stored row deleted. Rows are selected for the
 * window by `day_start` (the instant of the day's local midnight), so the reconcile covers exactly
 * the window's days. Old rows are removed by retention on the same column.
 */
import type { JsonValue, NormalizeResult, RawPage, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { businessDayRange } from '../../time/business-day.ts';
import { companyIdOf } from './client.ts';
import { slotInstants } from './local-slots.ts';
import { fetchSchedule, fetchStaff } from './requests.ts';
import { looseKey, safely } from './safely.ts';
import { dateRanges, staffGroups, startOf } from './schedule-plan.ts';
import { describeIssues, scheduleDaySchema } from './schemas.ts';
import { flagValue, idValue } from './values.ts';

export const SCHEDULES_TABLE: TableSpec = {
  name: 'yclients_staff_schedules',
  keyColumn: 'schedule_key',
  windowColumn: 'day_start',
  columns: [
    { name: 'schedule_key', type: 'text', nullable: false, description: '"<staff_id>:<work_date>", the natural key' },
    { name: 'staff_id', type: 'bigint', nullable: false, description: 'YClients staff id' },
    { name: 'work_date', type: 'date', nullable: false, description: "the working day, a date in the company's zone" },
    { name: 'day_start', type: 'instant', nullable: false, description: "local midnight starting work_date, UTC (window and retention column)" },
    { name: 'start_at', type: 'instant', nullable: true, description: 'start of the first slot, UTC' },
    { name: 'end_at', type: 'instant', nullable: true, description: 'end of the last slot, UTC' },
    { name: 'slot_count', type: 'integer', nullable: false },
    { name: 'working_minutes', type: 'integer', nullable: false, description: 'real minutes inside the slots (DST-correct)' },
    { name: 'slots', type: 'json', nullable: false, description: '[{from, to, start_at, end_at}]: local HH:mm as sent, and the UTC instants' },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the schedule day as YClients sent it' },
  ],
};

/** Staff ids to ask the schedule for: every listed staff member not deleted, in id order. */
function scheduledStaffIds(staff: readonly unknown[]): string[] {
  const ids = new Set<string>();
  for (const member of staff) {
    if (typeof member !== 'object' || member === null) continue;
    const record = member as Record<string, unknown>;
    const id = idValue.safeParse(record.id);
    // Only the id and the deleted flag matter here: a staff record that fails the staff stream's
    // checks for another field still has its schedule read, so its days are not lost.
    if (!id.success) continue;
    const deleted = flagValue.safeParse(record.is_deleted);
    if (deleted.success && deleted.data) continue;
    ids.add(id.data);
  }
  return [...ids].sort((a, b) => (BigInt(a) < BigInt(b) ? -1 : BigInt(a) > BigInt(b) ? 1 : 0));
}

/** Keep the window's days; a day listed with no slots at all is a day off, like a missing one. */
function inWindow(record: unknown, from: string, to: string): boolean {
  if (typeof record !== 'object' || record === null) return true; // malformed: let normalize report it
  const { date, slots } = record as { date?: unknown; slots?: unknown };
  if (Array.isArray(slots) && slots.length === 0) return false;
  if (typeof date !== 'string' || !/^\d{4}-\d{2}-\d{2}$/.test(date)) return true;
  return date >= from && date < to;
}

async function* readSchedules(client: UpstreamClient, plan: ReadPlan): AsyncIterable<RawPage> {
  if (!plan.window) throw new Error('yclients.staff_schedules reads a window of business days; none was given (use --window, --today or --from/--to)');
  const { from, to } = plan.window;
  const companyId = companyIdOf(client, 'yclients.staff_schedules');
  const staffIds = scheduledStaffIds(await fetchStaff(client, companyId, plan.signal));
  // Whether `end_date` is inclusive is undocumented: ask through `to` (one day past the window)
  // so the window's last day is in the answer either way, and drop the extra day.
  const ranges = dateRanges(from, to);
  const groups = staffGroups(staffIds);
  if (groups.length === 0) {
    yield { records: [], position: null, progress: { done: 1, total: 1 } };
    return;
  }
  const start = startOf(plan.from, ranges, groups);
  const total = ranges.length * groups.length;
  for (let r = start.range; r < ranges.length; r++) {
    const range = ranges[r]!;
    for (let g = r === start.range ? start.group : 0; g < groups.length; g++) {
      const group = groups[g]!;
      const days = await fetchSchedule(client, companyId, range, group, plan.signal);
      yield {
        records: days.filter((day) => inWindow(day, from, to)),
        position: { startDate: range.startDate, firstStaffId: group[0]! },
        progress: { done: r * groups.length + g + 1, total },
      };
    }
  }
}

/** `staff_id:date` of a raw day, when both are readable (for a dead letter's key). */
function looseScheduleKey(raw: unknown): string | undefined {
  const staffId = looseKey(raw, 'staff_id');
  const date = typeof raw === 'object' && raw !== null ? (raw as { date?: unknown }).date : undefined;
  return staffId !== undefined && typeof date === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(date) ? `${staffId}:${date}` : undefined;
}

function normalizeScheduleDay(raw: unknown, zone: string): NormalizeResult {
  const parsed = scheduleDaySchema.safeParse(raw);
  if (!parsed.success) {
    const key = looseScheduleKey(raw);
    const reason = `invalid YClients schedule day: ${describeIssues(parsed.error)}`;
    return key === undefined ? { ok: false, reason } : { ok: false, reason, key };
  }
  const day = parsed.data;
  const key = `${day.staff_id}:${day.date}`;
  const slots = day.slots.map((slot) => slotInstants(day.date, slot, zone)).sort((a, b) => a.start.getTime() - b.start.getTime());
  const minutes = slots.reduce((sum, slot) => sum + (slot.end.getTime() - slot.start.getTime()) / 60_000, 0);
  const ends = slots.map((slot) => slot.end.getTime());
  return {
    ok: true,
    record: {
      key,
      values: {
        schedule_key: key,
        staff_id: day.staff_id,
        work_date: day.date,
        day_start: businessDayRange(day.date, zone).start,
        start_at: slots[0]?.start ?? null,
        end_at: ends.length > 0 ? new Date(Math.max(...ends)) : null,
        slot_count: slots.length,
        working_minutes: Math.round(minutes),
        slots: slots.map((slot) => ({ from: slot.from, to: slot.to, start_at: slot.start.toISOString(), end_at: slot.end.toISOString() })),
        raw: raw as JsonValue, // it came from JSON.parse
      },
    },
  };
}

export const schedulesStream: StreamDefinition<UpstreamClient> = {
  name: 'yclients.staff_schedules',
  defaultMode: 'window',
  modes: ['window'],
  table: SCHEDULES_TABLE,
  read: readSchedules,
  normalize: (raw, context) => safely('schedule day', () => normalizeScheduleDay(raw, context.timezone), () => looseScheduleKey(raw)),
  retention: { column: 'day_start', defaultDays: 7 },
  // The salon's two modes: the whole month ahead (daily), and today + tomorrow (hourly).
  windows: { full: { pastDays: 0, futureDays: 30 }, today: { pastDays: 0, futureDays: 1 } },
  reconcile: {
    dateColumn: 'work_date',
    groupColumn: 'staff_id',
    sumColumn: 'working_minutes',
    labels: { rows: 'working days', group: 'staff member', sum: 'min' },
  },
};

