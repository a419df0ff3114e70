/** Build exact Connecteam data for tests: shifts from local wall-clock times in a zone. */
import { DateTime } from 'luxon';
import type { ConnecteamDataset, ConnecteamUser, DatasetShift } from '../../src/connectors/connecteam/simulator/types.ts';

export const CLOCK_ID = 7001;
export const CHICAGO = 'America/Chicago';

/** Unix seconds of local `YYYY-MM-DDTHH:mm` in `zone`. */
export function localSeconds(local: string, zone = CHICAGO): number {
  const dt = DateTime.fromISO(local, { zone });
  if (!dt.isValid) throw new Error(`bad local time ${local} in ${zone}`);
  return Math.round(dt.toSeconds());
}

let counter = 0;
/** A 24-hex id, unique within the test process. */
export function shiftId(): string {
  counter += 1;
  return `5f0000000000000000${counter.toString(16).padStart(6, '0')}`;
}

export function shift(userId: number, startLocal: string, endLocal: string | null, zone = CHICAGO, id = shiftId()): DatasetShift {
  const start = localSeconds(startLocal, zone);
  return {
    id,
    userId,
    timeClockId: CLOCK_ID,
    start: { timestamp: start, timezone: zone, source: { type: 'mobile' } },
    ...(endLocal ? { end: { timestamp: localSeconds(endLocal, zone), timezone: zone, source: { type: 'mobile' } } } : {}),
    createdAt: start,
    modifiedAt: start,
    shiftAttachments: [],
    isAutoClockOut: false,
  };
}

export function user(userId: number, firstName = `User${userId}`): ConnecteamUser {
  return {
    userId,
    firstName,
    lastName: 'Test',
    phoneNumber: '+15550100',
    userType: 'user',
    email: `u${userId}@example.test`,
    customFields: [],
    isArchived: false,
    kioskCode: '1234',
    createdAt: 1_700_000_000,
    modifiedAt: 1_700_000_000,
    lastLogin: 0,
    smartGroupsIds: [],
  };
}

export function dataset(shifts: DatasetShift[], users: ConnecteamUser[] = [user(101), user(102)]): ConnecteamDataset {
  return { timeClocks: [{ id: CLOCK_ID, name: 'Main', isArchived: false, timezone: CHICAGO }], users, shifts };
}
