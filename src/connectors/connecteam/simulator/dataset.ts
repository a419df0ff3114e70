/**
 * The seeded data set: same seed and options → the same users, shifts and ids, byte for byte.
 *
 * Layout (roster.ts): time clock 7701 "Main Street store" and 7702 "Field crew", both in the
 * configured zone (default America/Chicago). Users 4815001… (FIRST_USER_ID + index). Users 0–3
 * and even users from 4 on punch on 7701; odd users from 4 on punch on 7702, and of those, users
 * 5, 9, 13… punch in America/New_York (the punch zone differs from the clock's).
 * Ordinary shifts: one per user per date, 09:00 ±15 min → 17:00 −15/+30 min local to the punch
 * zone, ~4 % ending by auto clock-out. With `shifts: N`, exactly N shifts in total, spread evenly
 * over the free (user, date) slots, several short shifts per slot when N is large.
 *
 * Scenarios (scenarios: true, the default). Exact ids for seed 1 and the default options
 * (from 2026-11-02, 14 days, 12 users, America/Chicago); `describeScenarios(seed, options)`
 * gives them for any other seed, `SCENARIO` holds these:
 *   1. Split day: user 4815001, clock 7701, 2026-11-02 (CST, UTC−6)
 *        08:00–12:00 shift 6ae8976141dec8be2e69e2ca   14:00–18:00 shift 6ae8ebc1350e5ba061b612bf
 *      and the first CDT date too when the range covers one (e.g. from 2026-03-02).
 *   2. Overnight: user 4815002, clock 7701, 22:00 → 06:00 next day on every date;
 *        2026-11-02 shift 6ae95c41aeeba8a410f898be … 2026-11-15 shift 6afa7fc131f0d259e585eb36
 *   3. DST: user 4815003, clock 7701, 00:30–04:30 local on each DST change from the day before
 *      `from` on: 2026-11-01 fall-back, shift 6ae6ce59b3a2885d0f2b0512,
 *      start 1793511000 (05:30Z, CDT) end 1793529000 (10:30Z, CST): 5 hours.
 *      (With from 2026-03-02: 2026-03-08 spring-forward, 00:30 CST → 04:30 CDT, 3 hours.)
 *   4. Open shift: user 4815004, clock 7701, 2026-11-15 09:00 local, no `end`:
 *        shift 6af9c8f13ee6957bec60939a
 *   5. Zone edge: user 4815006, clock 7702, punches in America/New_York: 2026-11-04 00:15–08:15
 *      New York = 2026-11-03 23:15 Chicago, so it belongs to 2026-11-03: shift 6aeabf559282c8e918012663
 *   6. Ids: 24 hex characters; the first 8 are createdAt (= start + 1) in hex, the rest a hash of
 *      seed, user, date and role. Time clock and user ids do not depend on the seed.
 */
import { addDays } from '../../../time/business-day.ts';
import { resolveGenerateOptions, type GenerateOptions, type ResolvedGenerateOptions } from './generate-options.ts';
import { seededRandom, randomInt } from './ids.ts';
import { zonedCalendar, secondsOf, type ZonedCalendar } from './local-time.ts';
import { buildRoster, buildTimeClocks, buildUsers } from './roster.ts';
import { buildScenarios, type ScenarioCases, type ScenarioContext } from './scenarios.ts';
import { buildShift } from './shift-factory.ts';
import type { ConnecteamDataset, DatasetShift } from './types.ts';

export const DEFAULT_SEED = 1;

/** Ordinary shifts packed several to a slot live between 06:00 and 22:00 local. */
const PACKED_DAY_START = secondsOf('06:00');
const PACKED_DAY_LENGTH = secondsOf('16:00');

function scenarioContext(seed: number, options: ResolvedGenerateOptions): ScenarioContext {
  const calendars = new Map<string, ZonedCalendar>();
  return {
    seed,
    options,
    dates: Array.from({ length: options.days }, (_, index) => addDays(options.from, index)),
    roster: buildRoster(options),
    calendar(zone) {
      let calendar = calendars.get(zone);
      if (calendar === undefined) {
        calendar = zonedCalendar(zone);
        calendars.set(zone, calendar);
      }
      return calendar;
    },
  };
}

/** The scenario users, dates and shift ids for `seed` and `options` (scenarios forced on). */
export function describeScenarios(seed = DEFAULT_SEED, options: Partial<GenerateOptions> = {}): ScenarioCases {
  return buildScenarios(scenarioContext(seed, resolveGenerateOptions({ ...options, scenarios: true }))).cases;
}

/** The scenario ids and dates of the default data set (seed 1, default options), as listed above. */
export const SCENARIO: ScenarioCases = describeScenarios();

export function generateDataset(seed: number = DEFAULT_SEED, options: Partial<GenerateOptions> = {}): ConnecteamDataset {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed is ${seed}; use a whole number`);
  const resolved = resolveGenerateOptions(options);
  const context = scenarioContext(seed, resolved);
  const scenario = resolved.scenarios ? buildScenarios(context) : undefined;
  const shifts: DatasetShift[] = scenario ? [...scenario.shifts] : [];

  const users = resolved.users;
  const slotCount = resolved.days * users;
  const freeSlots = slotCount - (scenario?.reserved.size ?? 0);
  let ordinary = freeSlots;
  if (resolved.shifts !== undefined) {
    ordinary = resolved.shifts - shifts.length;
    if (ordinary < 0) {
      throw new RangeError(
        `generate.shifts is ${resolved.shifts} but the scenarios alone make ${shifts.length} shifts; ` +
          'ask for more shifts or set scenarios: false',
      );
    }
    if (ordinary > 0 && freeSlots === 0) throw new RangeError('generate.shifts needs at least one free user-day; add users or days');
  }

  let freeIndex = 0;
  for (let slot = 0; slot < slotCount; slot++) {
    if (scenario?.reserved.has(slot)) continue;
    // Even spread: slot i gets floor((i+1)·M/S) − floor(i·M/S) shifts, so the total is exactly M.
    const count = Math.floor(((freeIndex + 1) * ordinary) / freeSlots) - Math.floor((freeIndex * ordinary) / freeSlots);
    freeIndex++;
    if (count === 0) continue;
    const entry = context.roster[slot % users];
    const date = context.dates[Math.floor(slot / users)];
    if (entry === undefined || date === undefined) throw new RangeError(`slot ${slot} is outside the roster`);
    const calendar = context.calendar(entry.punchZone);
    const random = seededRandom(`${seed}|slot|${entry.userId}|${date}`);
    if (count === 1) {
      const start = calendar.unixAt(date, secondsOf('09:00') + randomInt(random, -900, 900));
      const end = calendar.unixAt(date, secondsOf('17:00') + randomInt(random, -900, 1800));
      shifts.push(buildShift({ key: `${seed}|o|${entry.userId}|${date}|0`, entry, start, end }));
      continue;
    }
    const segment = Math.floor(PACKED_DAY_LENGTH / count);
    if (segment < 2) throw new RangeError(`generate.shifts puts ${count} shifts in one user-day; add users or days`);
    for (let part = 0; part < count; part++) {
      const startSecond = PACKED_DAY_START + part * segment + randomInt(random, 0, Math.floor(segment / 10));
      const start = calendar.unixAt(date, startSecond);
      const end = calendar.unixAt(date, startSecond + Math.max(1, Math.floor(segment * 0.8)));
      shifts.push(buildShift({ key: `${seed}|o|${entry.userId}|${date}|${part}`, entry, start, end }));
    }
  }

  return { timeClocks: buildTimeClocks(resolved), users: buildUsers(seed, resolved, context.roster), shifts };
}
