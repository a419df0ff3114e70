/**
 * A shift as the API writes it: keys in one fixed order whatever order the object was built or
 * patched in (so answers are byte-identical for the same data), and without the simulator's own
 * `timeClockId`/`userId`. `JSON.stringify` drops the `undefined` members of these literals.
 */
import type { PunchSource, ShiftActivity, TimePoint } from './types.ts';

function sourceOut(source: PunchSource | undefined) {
  return source && { id: source.id, type: source.type, mode: source.mode, name: source.name };
}

function pointOut(point: TimePoint) {
  const location = point.locationData;
  return {
    timestamp: point.timestamp,
    timezone: point.timezone,
    locationData: location && { address: location.address, longitude: location.longitude, latitude: location.latitude },
    geofenceId: point.geofenceId,
    source: sourceOut(point.source),
  };
}

function shiftOut(shift: ShiftActivity) {
  return {
    id: shift.id,
    start: pointOut(shift.start),
    end: shift.end && pointOut(shift.end),
    jobId: shift.jobId,
    subJobId: shift.subJobId,
    schedulerShiftId: shift.schedulerShiftId,
    employeeNote: shift.employeeNote,
    managerNote: shift.managerNote,
    shiftAttachments: shift.shiftAttachments,
    createdAt: shift.createdAt,
    modifiedAt: shift.modifiedAt,
    isAutoClockOut: shift.isAutoClockOut,
  };
}

export function shiftJson(shift: ShiftActivity): string {
  return JSON.stringify(shiftOut(shift));
}
