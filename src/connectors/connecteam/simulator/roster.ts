/**
 * Who works where in a generated data set: two time clocks, users numbered from FIRST_USER_ID,
 * each on one clock and punching in one zone. Users 0–3 are on the main clock (they carry the
 * scenarios); from user 4 on, even users join the main clock and odd users the remote clock,
 * where every other one punches in America/New_York although the clock's zone is the
 * configured one: the per-punch zone differs from the clock's, as Connecteam allows.
 */
import type { ConnecteamTimeClock, ConnecteamUser } from './types.ts';
import type { ResolvedGenerateOptions } from './generate-options.ts';
import { pick, randomInt, seededRandom } from './ids.ts';

export const TIME_CLOCK_IDS = { main: 7701, remote: 7702 } as const;
export const FIRST_USER_ID = 4815001;
export const REMOTE_PUNCH_ZONE = 'America/New_York';

export interface RosterEntry {
  readonly index: number;
  readonly userId: number;
  readonly timeClockId: number;
  /** The IANA zone this user's punches carry. */
  readonly punchZone: string;
}

export function rosterEntry(index: number, options: ResolvedGenerateOptions): RosterEntry {
  const onRemote = index >= 4 && index % 2 === 1;
  return {
    index,
    userId: FIRST_USER_ID + index,
    timeClockId: onRemote ? TIME_CLOCK_IDS.remote : TIME_CLOCK_IDS.main,
    punchZone: onRemote && index % 4 === 1 ? REMOTE_PUNCH_ZONE : options.timezone,
  };
}

export function buildRoster(options: ResolvedGenerateOptions): RosterEntry[] {
  return Array.from({ length: options.users }, (_, index) => rosterEntry(index, options));
}

export function buildTimeClocks(options: ResolvedGenerateOptions): ConnecteamTimeClock[] {
  return [
    { id: TIME_CLOCK_IDS.main, name: 'Main Street store', isArchived: false, timezone: options.timezone },
    { id: TIME_CLOCK_IDS.remote, name: 'Field crew', isArchived: false, timezone: options.timezone },
  ];
}

const FIRST_NAMES = [
  'Ava', 'Ben', 'Carla', 'Dmitri', 'Elena', 'Farid', 'Grace', 'Hector', 'Ines', 'Jamal',
  'Keiko', 'Liam', 'Maya', 'Nikolai', 'Olivia', 'Pedro', 'Quinn', 'Rosa', 'Sami', 'Tara',
] as const;
const LAST_NAMES = [
  'Adams', 'Baker', 'Chen', 'Diaz', 'Evans', 'Fischer', 'Garcia', 'Hughes', 'Ivanova', 'Johnson',
  'Kim', 'Lopez', 'Moreau', 'Novak', 'Okafor', 'Patel', 'Quintero', 'Reyes', 'Smith', 'Torres',
] as const;

const DAY = 86_400;

export function buildUsers(seed: number, options: ResolvedGenerateOptions, roster: readonly RosterEntry[]): ConnecteamUser[] {
  const fromNoonUtc = Date.parse(`${options.from}T12:00:00Z`) / 1000;
  return roster.map((entry) => {
    const random = seededRandom(`${seed}|user|${entry.userId}`);
    const firstName = pick(random, FIRST_NAMES);
    const lastName = pick(random, LAST_NAMES);
    const createdAt = fromNoonUtc - (60 + entry.index) * DAY;
    return {
      userId: entry.userId,
      firstName,
      lastName,
      phoneNumber: `+1312555${String(1000 + (entry.index % 9000)).padStart(4, '0')}`,
      userType: entry.index === options.users - 1 ? 'manager' : 'user',
      email: `${firstName}.${lastName}.${entry.userId}@example.com`.toLowerCase(),
      customFields: [
        { customFieldId: 1, value: entry.punchZone, type: 'str', name: 'Home timezone' },
      ],
      isArchived: false,
      kioskCode: String(randomInt(random, 1000, 9999)),
      createdAt,
      modifiedAt: createdAt + (entry.index % 5) * DAY,
      lastLogin: entry.index % 3 === 2 ? 0 : fromNoonUtc - randomInt(random, 1, 48) * 3600,
      smartGroupsIds: [entry.timeClockId === TIME_CLOCK_IDS.main ? 11 : 12],
    };
  });
}
