/**
 * `GET /time-clock/v1/time-clocks` and `GET /time-clock/v1/time-clocks/{id}/time-activities`.
 *
 * Which zone's calendar decides the dates of `startDate`/`endDate` is not documented upstream
 * (upstream-apis.md §1.3). The simulator uses the TIME CLOCK's zone: a shift belongs to a date
 * when its start instant falls on that date on the clock's calendar, whatever zone the punch
 * carries. So a New York punch at 00:15 on the 4th is the 3rd's shift on a Chicago clock.
 * Both dates are required and inclusive; the window may span at most `maxWindowDays` dates,
 * counted inclusively (the stricter reading of "cannot exceed 92 days", so a client that passes
 * here passes upstream under either reading). The answer is one object, not paginated: `limit`
 * and `offset` are ignored, as the spec has none.
 */
import { objectId } from './ids.ts';
import { assertIsoDate, businessDayRange, daysBetween } from '../../../time/business-day.ts';
import { envelope, errorAnswer, intListParam, QueryError, type Answer } from './answers.ts';
import type { ConnecteamStore } from './store.ts';
import type { ConnecteamTimeClock } from './types.ts';

export interface TimeActivitiesSettings {
  readonly maxWindowDays: number;
  readonly malformedShift: boolean;
}

export function listTimeClocks(store: ConnecteamStore, requestId: string): Answer {
  const timeClocks = store.timeClocks().map(({ id, name, isArchived }) => ({ id, name, isArchived }));
  return envelope(requestId, { timeClocks });
}

function dateParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || value === '') throw new QueryError(name, 'Field required', 'missing');
  try {
    assertIsoDate(value, name);
  } catch {
    throw new QueryError(name, `${name} must be a date written YYYY-MM-DD (got "${value}")`);
  }
  return value;
}

/** The extra shift of the `malformedShift` fault: a valid id, an unusable start. */
function malformedShiftJson(clock: ConnecteamTimeClock, windowStart: number): string {
  const createdAt = windowStart + 1;
  return JSON.stringify({
    id: objectId(createdAt, `malformed|${clock.id}`),
    start: { timestamp: 'not-a-time', timezone: clock.timezone, source: { type: 'mobile' } },
    shiftAttachments: [],
    createdAt,
    modifiedAt: createdAt,
    isAutoClockOut: false,
  });
}

export function listTimeActivities(
  store: ConnecteamStore,
  timeClockId: number,
  query: URLSearchParams,
  requestId: string,
  path: string,
  settings: TimeActivitiesSettings,
): Answer {
  const clock = store.timeClock(timeClockId);
  if (clock === undefined) return errorAnswer(404, "time clock id doesn't exist", path, requestId);
  const startDate = dateParam(query, 'startDate');
  const endDate = dateParam(query, 'endDate');
  const span = daysBetween(startDate, endDate) + 1;
  if (span < 1) throw new QueryError('endDate', 'endDate must be on or after startDate');
  if (span > settings.maxWindowDays) throw new QueryError('endDate', `The date range cannot exceed ${settings.maxWindowDays} days`);
  const userIds = intListParam(query, 'userIds');

  const from = businessDayRange(startDate, clock.timezone).start.getTime() / 1000;
  const to = businessDayRange(endDate, clock.timezone).end.getTime() / 1000;
  const byUser = new Map<number, string[]>();
  for (const { userId, json } of store.shiftsStartingIn(timeClockId, from, to)) {
    if (userIds !== undefined && !userIds.has(userId)) continue;
    const shifts = byUser.get(userId);
    if (shifts === undefined) byUser.set(userId, [json]);
    else shifts.push(json);
  }
  if (settings.malformedShift) {
    const userId = [...byUser.keys()].sort((left, right) => left - right)[0] ?? [...(userIds ?? [])][0] ?? store.sortedUsers()[0]?.userId ?? 1;
    const shifts = byUser.get(userId) ?? [];
    shifts.push(malformedShiftJson(clock, from));
    byUser.set(userId, shifts);
  }
  if (byUser.size === 0) return envelope(requestId, { timeActivitiesByUsers: [] });

  // Assembled as text from each shift's cached JSON: re-serializing 100,000 shifts per answer
  // would cost more than everything else the answer does.
  const groups = [...byUser.keys()]
    .sort((left, right) => left - right)
    .map((userId) => `{"userId":${userId},"shifts":[${(byUser.get(userId) ?? []).join(',')}],"manualBreaks":[],"timeOffs":[]}`);
  return { status: 200, body: `{"requestId":${JSON.stringify(requestId)},"data":{"timeActivitiesByUsers":[${groups.join(',')}]}}` };
}
