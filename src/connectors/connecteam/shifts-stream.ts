/**
 * `connecteam.shifts`: time-clock shifts, one row per Connecteam shift id (never a time-gap guess).
 * Window mode: for each time clock, time activities are read in chunks of at most 92 days; a shift
 * deleted upstream simply stops appearing, so deletions are found by reconciling the window.
 */
import type { JsonValue, NormalizeResult, RawPage, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { addDays, businessDateOf } from '../../time/business-day.ts';
import { describeIssues, shiftSchema, timeActivitiesAnswer } from './schemas.ts';
import { dateChunks } from './date-chunks.ts';
import { listTimeClocks } from './time-clocks.ts';
import { parseAnswer } from './parse-answer.ts';

export const SHIFTS_TABLE: TableSpec = {
  name: 'connecteam_shifts',
  keyColumn: 'shift_id',
  windowColumn: 'start_at',
  columns: [
    { name: 'shift_id', type: 'text', nullable: false, description: "Connecteam's time activity id" },
    { name: 'time_clock_id', type: 'bigint', nullable: false },
    { name: 'user_id', type: 'bigint', nullable: false, description: 'Connecteam userId' },
    { name: 'start_at', type: 'instant', nullable: false, description: 'clock-in, UTC' },
    { name: 'start_timezone', type: 'text', nullable: false, description: "the punch's own IANA zone" },
    { name: 'end_at', type: 'instant', nullable: true, description: 'clock-out, UTC; null while the shift is open' },
    { name: 'end_timezone', type: 'text', nullable: true },
    { name: 'business_date', type: 'date', nullable: false, description: "clock-in's date in the tenant's zone" },
    { name: 'duration_minutes', type: 'numeric', nullable: true, description: 'null while open' },
    { name: 'is_open', type: 'boolean', nullable: false },
    { name: 'is_auto_clock_out', type: 'boolean', nullable: false },
    { name: 'job_id', type: 'text', nullable: true },
    { name: 'sub_job_id', type: 'text', nullable: true },
    { name: 'scheduler_shift_id', type: 'text', nullable: true },
    { name: 'employee_note', type: 'text', nullable: true },
    { name: 'manager_note', type: 'text', nullable: true },
    { name: 'start_source', type: 'text', nullable: true },
    { name: 'end_source', type: 'text', nullable: true },
    { name: 'upstream_created_at', type: 'instant', nullable: true },
    { name: 'upstream_modified_at', type: 'instant', nullable: true },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the shift as Connecteam sent it' },
  ],
};

/**
 * Position: the time clock (by id, not by index: the clock list may change before a resume) and
 * the first date of the chunk to re-read.
 */
interface ShiftsPosition {
  readonly clockId: number;
  readonly chunkFrom: string;
}

function isPosition(value: unknown): value is ShiftsPosition {
  return typeof value === 'object' && value !== null && typeof (value as ShiftsPosition).clockId === 'number' && typeof (value as ShiftsPosition).chunkFrom === 'string';
}

/** Where to start: the saved clock and chunk, or the very beginning when that clock is gone. */
export function startOf(position: unknown, clocks: readonly { id: number }[], chunks: readonly { from: string }[]): { clock: number; chunk: number } {
  if (!isPosition(position)) return { clock: 0, chunk: 0 };
  const clock = clocks.findIndex((c) => c.id === position.clockId);
  const chunk = chunks.findIndex((c) => c.from === position.chunkFrom);
  // Re-reading from the start is always safe: keys merged before the crash are skipped.
  return clock < 0 || chunk < 0 ? { clock: 0, chunk: 0 } : { clock, chunk };
}

const fromUnix = (seconds: number) => new Date(seconds * 1000);

async function* readShifts(client: UpstreamClient, plan: ReadPlan): AsyncIterable<RawPage> {
  if (!plan.window) throw new Error('connecteam.shifts reads a window of business days; none was given');
  // Which zone Connecteam uses for startDate/endDate is undocumented: ask for one day more on each
  // side so every shift starting inside the window is in the answer whatever the zone.
  const first = addDays(plan.window.from, -1);
  const last = plan.window.to; // inclusive upstream, one day past the window's last day
  const maxDays = 92;
  const chunks = dateChunks(first, last, maxDays);
  const clocks = await listTimeClocks(client, plan.signal);
  const start = startOf(plan.from, clocks, chunks);
  const units = clocks.length * chunks.length;
  for (let c = start.clock; c < clocks.length; c++) {
    const clock = clocks[c]!;
    for (let k = c === start.clock ? start.chunk : 0; k < chunks.length; k++) {
      const chunk = chunks[k]!;
      const answer = parseAnswer(
        timeActivitiesAnswer,
        await client.getJson(
          `/time-clock/v1/time-clocks/${clock.id}/time-activities`,
          { startDate: chunk.from, endDate: chunk.to },
          { signal: plan.signal },
        ),
        `time activities of time clock ${clock.id}`,
      );
      const records: unknown[] = [];
      for (const group of answer.data.timeActivitiesByUsers) {
        for (const shift of group.shifts) {
          records.push(typeof shift === 'object' && shift !== null ? { ...shift, userId: group.userId, timeClockId: clock.id } : shift);
        }
      }
      yield { records, position: { clockId: clock.id, chunkFrom: chunk.from }, progress: { done: c * chunks.length + k + 1, total: units } };
    }
  }
}

function normalizeShift(raw: unknown, context: { timezone: string }): NormalizeResult {
  const parsed = shiftSchema.safeParse(raw);
  if (!parsed.success) {
    const id = typeof raw === 'object' && raw !== null ? (raw as { id?: unknown }).id : undefined;
    return { ok: false, reason: `invalid Connecteam shift: ${describeIssues(parsed.error)}`, ...(typeof id === 'string' ? { key: id } : {}) };
  }
  const shift = parsed.data;
  const startAt = fromUnix(shift.start.timestamp);
  const endAt = shift.end ? fromUnix(shift.end.timestamp) : null;
  if (endAt && endAt < startAt) {
    return { ok: false, key: shift.id, reason: `invalid Connecteam shift: ends (${endAt.toISOString()}) before it starts (${startAt.toISOString()})` };
  }
  return {
    ok: true,
    record: {
      key: shift.id,
      values: {
        shift_id: shift.id,
        time_clock_id: String(shift.timeClockId),
        user_id: String(shift.userId),
        start_at: startAt,
        start_timezone: shift.start.timezone,
        end_at: endAt,
        end_timezone: shift.end?.timezone ?? null,
        business_date: businessDateOf(startAt, context.timezone),
        duration_minutes: endAt ? ((endAt.getTime() - startAt.getTime()) / 60_000).toFixed(2) : null,
        is_open: endAt === null,
        is_auto_clock_out: shift.isAutoClockOut ?? false,
        job_id: shift.jobId ?? null,
        sub_job_id: shift.subJobId ?? null,
        scheduler_shift_id: shift.schedulerShiftId ?? null,
        employee_note: shift.employeeNote ?? null,
        manager_note: shift.managerNote ?? null,
        start_source: shift.start.source?.type ?? null,
        end_source: shift.end?.source?.type ?? null,
        upstream_created_at: shift.createdAt ? fromUnix(shift.createdAt) : null,
        upstream_modified_at: shift.modifiedAt ? fromUnix(shift.modifiedAt) : null,
        raw: raw as JsonValue, // it came from JSON.parse
      },
    },
  };
}

export const shiftsStream: StreamDefinition<UpstreamClient> = {
  name: 'connecteam.shifts',
  defaultMode: 'window',
  modes: ['window'],
  table: SHIFTS_TABLE,
  read: readShifts,
  normalize: normalizeShift,
  // Counts include open shifts; minutes are closed shifts' (an open shift's duration is NULL).
  reconcile: {
    dateColumn: 'business_date',
    groupColumn: 'user_id',
    sumColumn: 'duration_minutes',
    labels: { rows: 'shifts', group: 'employee', sum: 'min' },
  },
};
