/**
 * Builds one generated shift from its instants: the id, punch sources, location, job and notes,
 * all drawn from a generator seeded by the shift's key so every shift is reproducible on its own.
 */
import type { DatasetShift, PunchSource, TimePoint } from './types.ts';
import type { RosterEntry } from './roster.ts';
import { objectId, pick, randomInt, seededRandom } from './ids.ts';

export interface ShiftSpec {
  /** Unique within the data set and includes the seed: it fixes the id and every random choice. */
  readonly key: string;
  readonly entry: RosterEntry;
  /** Unix seconds. */
  readonly start: number;
  /** Unix seconds; absent for an open shift. */
  readonly end?: number;
  /** Scenario shifts pin this to keep them plain; ordinary shifts are auto clock-outs now and then. */
  readonly autoClockOut?: boolean;
}

const SOURCES: readonly PunchSource['type'][] = ['mobile', 'mobile', 'kiosk', 'pc'];
const JOB_IDS_CREATED_AT = 1_700_000_000;

function jobId(timeClockId: number, job: number): string {
  return objectId(JOB_IDS_CREATED_AT, `job|${timeClockId}|${job}`);
}

export function buildShift(spec: ShiftSpec): DatasetShift {
  const random = seededRandom(spec.key);
  const zone = spec.entry.punchZone;
  const sourceType = pick(random, SOURCES);
  const point = (timestamp: number, source: PunchSource): TimePoint =>
    sourceType === 'mobile'
      ? {
          timestamp,
          timezone: zone,
          locationData: {
            address: `${100 + (spec.entry.userId % 900)} Main St`,
            longitude: Math.round((-87.63 - random() / 50) * 1e5) / 1e5,
            latitude: Math.round((41.88 + random() / 50) * 1e5) / 1e5,
          },
          source,
        }
      : { timestamp, timezone: zone, source };

  const autoClockOut = spec.end !== undefined && (spec.autoClockOut ?? random() < 0.04);
  const createdAt = spec.start + 1;
  const withJob = random() < 0.6;
  const shift: DatasetShift = {
    id: objectId(createdAt, spec.key),
    start: point(spec.start, { type: sourceType }),
    createdAt,
    modifiedAt: spec.end === undefined ? createdAt : spec.end + 1,
    shiftAttachments: [],
    isAutoClockOut: autoClockOut,
    timeClockId: spec.entry.timeClockId,
    userId: spec.entry.userId,
  };
  if (spec.end !== undefined) {
    shift.end = point(spec.end, autoClockOut ? { type: 'autoClockOut', mode: 'dailyLimit' } : { type: sourceType });
  }
  if (withJob) {
    shift.jobId = jobId(spec.entry.timeClockId, randomInt(random, 1, 3));
    if (random() < 0.3) shift.subJobId = jobId(spec.entry.timeClockId, randomInt(random, 10, 12));
  }
  if (random() < 0.3) shift.schedulerShiftId = objectId(spec.start - 7 * 86_400, `${spec.key}|scheduled`);
  if (random() < 0.1) shift.employeeNote = 'Covered for a colleague';
  if (random() < 0.05) shift.managerNote = 'Approved';
  return shift;
}
