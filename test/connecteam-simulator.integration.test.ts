/**
 * The Connecteam simulator as a client sees it: real HTTP on 127.0.0.1, status codes, bodies and
 * headers. Expected instants are computed here with Date.UTC, independently of the simulator.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { Writable } from 'node:stream';
import {
  SCENARIO,
  describeScenarios,
  generateDataset,
  loadDatasetFile,
  startConnecteamSimulator,
  type ConnecteamDataset,
  type ConnecteamSimulator,
  type ConnecteamSimulatorOptions,
  type ConnecteamUser,
  type ShiftActivity,
} from '../src/connectors/connecteam/simulator/index.ts';
import { simulateCommand } from '../src/cli/commands/simulate.ts';
import { UsageError } from '../src/cli/command.ts';

interface UserTimeActivity {
  userId: number;
  shifts: ShiftActivity[];
  manualBreaks: unknown[];
  timeOffs: unknown[];
}
interface TimeActivitiesBody {
  requestId: string;
  data: { timeActivitiesByUsers: UserTimeActivity[] };
}
interface UsersBody {
  requestId: string;
  data: { users: ConnecteamUser[] };
  paging: { offset: number };
}

const simulators: ConnecteamSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((simulator) => simulator.close()));
});

async function simulator(options: ConnecteamSimulatorOptions = {}): Promise<ConnecteamSimulator> {
  const started = await startConnecteamSimulator({ rateLimit: false, ...options });
  simulators.push(started);
  return started;
}

const unix = (year: number, month: number, day: number, hour = 0, minute = 0): number => Date.UTC(year, month - 1, day, hour, minute) / 1000;

async function call(sim: ConnecteamSimulator, path: string, headers: Record<string, string> = { 'X-API-KEY': sim.apiKey }) {
  const response = await fetch(`${sim.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as unknown };
}

async function activities(sim: ConnecteamSimulator, timeClockId: number, startDate: string, endDate: string): Promise<UserTimeActivity[]> {
  const answer = await call(sim, `/time-clock/v1/time-clocks/${timeClockId}/time-activities?startDate=${startDate}&endDate=${endDate}`);
  assert.equal(answer.status, 200, answer.text);
  return (answer.body as TimeActivitiesBody).data.timeActivitiesByUsers;
}

function findShift(groups: readonly UserTimeActivity[], id: string): { userId: number; shift: ShiftActivity } | undefined {
  for (const group of groups) {
    const shift = group.shifts.find((candidate) => candidate.id === id);
    if (shift) return { userId: group.userId, shift };
  }
  return undefined;
}

const defaultSim = simulator();

test('the API key is required: missing or wrong → 401 JSON, X-API-KEY accepted in any case', async () => {
  const sim = await defaultSim;
  const missing = await call(sim, '/users/v1/users', {});
  assert.equal(missing.status, 401);
  assert.match(String((missing.body as { error: string }).error), /X-API-KEY/);
  assert.equal((await call(sim, '/users/v1/users', { 'X-API-KEY': 'wrong' })).status, 401);
  assert.equal((await call(sim, '/users/v1/users', { 'x-api-key': sim.apiKey })).status, 200);
  assert.equal((await call(sim, '/users/v1/users', { 'X-API-Key': sim.apiKey })).status, 200);
});

test('time clocks are listed as {id, name, isArchived} in the envelope', async () => {
  const sim = await defaultSim;
  const answer = await call(sim, '/time-clock/v1/time-clocks');
  const body = answer.body as { requestId: string; data: { timeClocks: unknown[] } };
  assert.match(body.requestId, /^[0-9a-f-]{36}$/);
  assert.deepEqual(body.data.timeClocks, [
    { id: 7701, name: 'Main Street store', isArchived: false },
    { id: 7702, name: 'Field crew', isArchived: false },
  ]);
});

test('users come in limit/offset pages sorted by userId; a short page is the end; limit is 1..500', async () => {
  const sim = await simulator({ generate: { users: 23 } });
  assert.equal(((await call(sim, '/users/v1/users')).body as UsersBody).data.users.length, 10, 'default limit 10');
  const seen: number[] = [];
  const offsets: number[] = [];
  for (let offset = 0; ; ) {
    const page = (await call(sim, `/users/v1/users?limit=10&offset=${offset}`)).body as UsersBody;
    seen.push(...page.data.users.map((user) => user.userId));
    offsets.push(page.paging.offset);
    if (page.data.users.length < 10) break;
    offset = page.paging.offset;
  }
  assert.deepEqual(offsets, [10, 20, 23]);
  assert.deepEqual(seen, Array.from({ length: 23 }, (_, index) => 4815001 + index));
  assert.equal(((await call(sim, '/users/v1/users?limit=500')).body as UsersBody).data.users.length, 23);
  const tooMany = await call(sim, '/users/v1/users?limit=501');
  assert.equal(tooMany.status, 400);
  assert.deepEqual((tooMany.body as { detail: { loc: string[] }[] }).detail[0]?.loc, ['query', 'limit']);
  assert.equal((await call(sim, '/users/v1/users?limit=0')).status, 400);
  const user = ((await call(sim, '/users/v1/users?limit=1')).body as UsersBody).data.users[0];
  assert.deepEqual(Object.keys(user ?? {}).sort(), [
    'createdAt', 'customFields', 'email', 'firstName', 'isArchived', 'kioskCode', 'lastLogin', 'lastName',
    'modifiedAt', 'phoneNumber', 'smartGroupsIds', 'userId', 'userType',
  ]);
});

test('time-activities: both dates required, endDate inclusive, at most 92 dates, unknown clock 404', async () => {
  const sim = await defaultSim;
  const base = '/time-clock/v1/time-clocks/7701/time-activities';
  const tooLong = await call(sim, `${base}?startDate=2026-01-01&endDate=2026-04-03`);
  assert.equal(tooLong.status, 400);
  assert.deepEqual(tooLong.body, {
    detail: [{ loc: ['query', 'endDate'], msg: 'The date range cannot exceed 92 days', type: 'value_error' }],
  });
  assert.equal((await call(sim, `${base}?startDate=2026-01-01&endDate=2026-04-02`)).status, 200, '92 dates are allowed');
  const missing = await call(sim, `${base}?endDate=2026-11-05`);
  assert.equal(missing.status, 400);
  assert.deepEqual((missing.body as { detail: { loc: string[] }[] }).detail[0]?.loc, ['query', 'startDate']);
  assert.equal((await call(sim, `${base}?startDate=2026-11-05&endDate=2026-11-04`)).status, 400);
  assert.equal((await call(sim, `${base}?startDate=2026-11-31&endDate=2026-12-01`)).status, 400);
  assert.equal((await call(sim, '/time-clock/v1/time-clocks/999/time-activities?startDate=2026-11-02&endDate=2026-11-03')).status, 404);
  const unknown = await call(sim, '/time-clock/v2/nothing');
  assert.equal(unknown.status, 404);
  assert.match((unknown.body as { error: string }).error, /Not Found/);
});

test('time-activities are grouped by user, users and shifts sorted, in the real shape', async () => {
  const sim = await defaultSim;
  const groups = await activities(sim, 7701, '2026-11-01', '2026-11-15');
  const userIds = groups.map((group) => group.userId);
  assert.deepEqual(userIds, [...new Set(userIds)].sort((left, right) => left - right));
  let count = 0;
  for (const group of groups) {
    assert.deepEqual(group.manualBreaks, []);
    assert.deepEqual(group.timeOffs, []);
    const starts = group.shifts.map((shift) => shift.start.timestamp);
    assert.deepEqual(starts, [...starts].sort((left, right) => left - right));
    for (const shift of group.shifts) {
      assert.match(shift.id, /^[0-9a-f]{24}$/);
      assert.equal('userId' in shift || 'timeClockId' in shift, false, 'no simulator-only fields');
      assert.equal(typeof shift.createdAt, 'number');
      assert.equal(typeof shift.isAutoClockOut, 'boolean');
      count++;
    }
  }
  // 2026-11-01 00:00 CDT = 05:00Z to 2026-11-16 00:00 CST = 06:00Z, on the main clock.
  const expected = sim.store
    .listShifts({ timeClockId: 7701 })
    .filter((shift) => shift.start.timestamp >= unix(2026, 11, 1, 5) && shift.start.timestamp < unix(2026, 11, 16, 6));
  assert.equal(count, expected.length);
  assert.ok(count > 100);
});

test('scenarios: open shift without end, split day, overnight, DST instants, the zone edge', async () => {
  const sim = await defaultSim;
  const groups = await activities(sim, 7701, '2026-11-01', '2026-11-15');

  const open = findShift(groups, SCENARIO.openShift.shiftId);
  assert.equal(open?.userId, 4815004);
  assert.equal(open?.shift.end, undefined);
  assert.equal(open?.shift.start.timestamp, unix(2026, 11, 15, 15), '09:00 CST');

  const splitDay = groups.find((group) => group.userId === 4815001)?.shifts.filter((shift) => shift.start.timestamp >= unix(2026, 11, 2, 6) && shift.start.timestamp < unix(2026, 11, 3, 6));
  assert.deepEqual(
    splitDay?.map((shift) => [shift.id, shift.start.timestamp, shift.end?.timestamp]),
    [
      [SCENARIO.splitDays[0]?.morningShiftId, unix(2026, 11, 2, 14), unix(2026, 11, 2, 18)],
      [SCENARIO.splitDays[0]?.afternoonShiftId, unix(2026, 11, 2, 20), unix(2026, 11, 3, 0)],
    ],
  );

  const overnight = findShift(groups, SCENARIO.overnight.find((entry) => entry.date === '2026-11-05')?.shiftId ?? '');
  assert.deepEqual([overnight?.shift.start.timestamp, overnight?.shift.end?.timestamp], [unix(2026, 11, 6, 4), unix(2026, 11, 6, 12)]);

  const fallBack = findShift(groups, SCENARIO.dst[0]?.shiftId ?? '');
  assert.equal(fallBack?.userId, 4815003);
  assert.deepEqual(
    [fallBack?.shift.start.timestamp, fallBack?.shift.end?.timestamp, fallBack?.shift.start.timezone],
    [unix(2026, 11, 1, 5, 30), unix(2026, 11, 1, 10, 30), 'America/Chicago'],
    '00:30 CDT → 04:30 CST is five hours',
  );

  // 00:15 in New York on the 4th is 23:15 on the 3rd in Chicago, the clock's zone.
  const edgeDay = await activities(sim, 7702, '2026-11-03', '2026-11-03');
  const edge = findShift(edgeDay, SCENARIO.zoneEdge.shiftId);
  assert.deepEqual([edge?.userId, edge?.shift.start.timestamp, edge?.shift.start.timezone], [4815006, unix(2026, 11, 4, 5, 15), 'America/New_York']);
  assert.equal(findShift(await activities(sim, 7702, '2026-11-04', '2026-11-04'), SCENARIO.zoneEdge.shiftId), undefined);
});

test('spring forward and the CDT split day when the range covers March', async () => {
  const sim = await simulator({ generate: { from: '2026-03-02', days: 14 } });
  const cases = describeScenarios(1, { from: '2026-03-02', days: 14 });
  const groups = await activities(sim, 7701, '2026-03-02', '2026-03-15');
  const springForward = findShift(groups, cases.dst.find((entry) => entry.date === '2026-03-08')?.shiftId ?? '');
  assert.deepEqual([springForward?.shift.start.timestamp, springForward?.shift.end?.timestamp], [unix(2026, 3, 8, 6, 30), unix(2026, 3, 8, 9, 30)], '00:30 CST → 04:30 CDT is three hours');
  const cdt = cases.splitDays.find((entry) => entry.utcOffsetMinutes === -300);
  assert.equal(cdt?.date, '2026-03-09');
  assert.equal(findShift(groups, cdt?.morningShiftId ?? '')?.shift.start.timestamp, unix(2026, 3, 9, 13), '08:00 CDT');
});

test('the same seed gives identical answers apart from requestId; another seed does not', async () => {
  const [first, second, other] = await Promise.all([simulator({ seed: 7 }), simulator({ seed: 7 }), simulator({ seed: 8 })]);
  const withoutRequestId = (text: string) => text.replace(/"requestId":"[^"]+"/, '');
  for (const path of ['/users/v1/users?limit=500', '/time-clock/v1/time-clocks/7701/time-activities?startDate=2026-11-01&endDate=2026-11-15']) {
    const [a, b, c] = await Promise.all([call(first, path), call(second, path), call(other, path)]);
    assert.equal(withoutRequestId(a.text), withoutRequestId(b.text));
    assert.notEqual(a.text, b.text, 'each answer has its own requestId');
    assert.notEqual(withoutRequestId(a.text), withoutRequestId(c.text));
  }
});

test('rate limit: the 6th request in a minute of 5 is 429 with x-ratelimit headers and no Retry-After', async () => {
  let now = new Date('2026-11-20T10:00:30Z');
  const sim = await simulator({ rateLimit: { perMinute: 5, perDay: 100 }, now: () => now });
  for (let request = 1; request <= 5; request++) {
    const answer = await call(sim, '/time-clock/v1/time-clocks');
    assert.equal(answer.status, 200);
    assert.equal(answer.headers.get('x-ratelimit-minute-remaining'), String(5 - request));
  }
  const refused = await call(sim, '/time-clock/v1/time-clocks');
  assert.equal(refused.status, 429);
  assert.equal(refused.headers.get('x-ratelimit-minute-limit'), '5');
  assert.equal(refused.headers.get('x-ratelimit-minute-remaining'), '0');
  assert.equal(refused.headers.get('x-ratelimit-minute-reset'), String(unix(2026, 11, 20, 10, 1)));
  assert.equal(refused.headers.get('x-ratelimit-day-limit'), '100');
  assert.equal(refused.headers.get('x-ratelimit-day-remaining'), '95');
  assert.equal(refused.headers.get('x-ratelimit-day-reset'), String(unix(2026, 11, 21)));
  assert.equal(refused.headers.get('retry-after'), null);
  assert.equal(sim.stats.served429, 1);
  now = new Date('2026-11-20T10:01:00Z');
  assert.equal((await call(sim, '/time-clock/v1/time-clocks')).status, 200, 'a new minute has a new budget');
});

test('faults: 429s and 503s count down, a truncated body does not parse, a malformed shift is added', async () => {
  const now = new Date('2026-11-20T10:00:00Z');
  const sim = await simulator({ rateLimit: { perMinute: 200, perDay: 20_000 }, now: () => now, faults: { status429: 2 } });
  const path = '/time-clock/v1/time-clocks';
  const first = await call(sim, path);
  assert.equal(first.status, 429);
  assert.equal(first.headers.get('x-ratelimit-minute-remaining'), '0');
  assert.equal(first.headers.get('x-ratelimit-minute-reset'), String(unix(2026, 11, 20, 10) + 2));
  assert.equal((await call(sim, path)).status, 429);
  assert.equal((await call(sim, path)).status, 200);

  sim.faults.status5xx = 1;
  const unavailable = await call(sim, path);
  assert.equal(unavailable.status, 503);
  assert.match((unavailable.body as { error: string }).error, /Service Unavailable/);
  assert.equal((await call(sim, path)).status, 200);
  assert.deepEqual([sim.stats.served429, sim.stats.served5xx], [2, 1]);

  sim.faults.truncateNext = 1;
  const truncated = await fetch(`${sim.url}/users/v1/users?limit=500`, { headers: { 'X-API-KEY': sim.apiKey } });
  assert.equal(truncated.status, 200);
  const text = await truncated.text();
  assert.ok(text.startsWith('{"requestId":'));
  assert.throws(() => JSON.parse(text), SyntaxError);
  assert.equal((await call(sim, '/users/v1/users')).status, 200, 'only the next answer is cut');

  sim.faults.malformedShift = true;
  const groups = await activities(sim, 7701, '2026-11-02', '2026-11-03');
  const malformed = groups.flatMap((group) => group.shifts).filter((shift) => typeof shift.start.timestamp !== 'number');
  assert.equal(malformed.length, 1);
  assert.equal(malformed[0]?.start.timestamp, 'not-a-time');
  assert.match(malformed[0]?.id ?? '', /^[0-9a-f]{24}$/);
});

test('faults and stats over HTTP: /__sim/faults merges, names bad fields; /__sim/reset restores', async () => {
  const sim = await simulator();
  const post = (path: string, body: unknown) => fetch(`${sim.url}${path}`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post('/__sim/faults', { status5xx: 1 })).status, 200);
  assert.equal((await call(sim, '/time-clock/v1/time-clocks')).status, 503);
  const bad = await post('/__sim/faults', { status5xx: -1, bogus: true });
  assert.equal(bad.status, 400);
  const message = ((await bad.json()) as { error: string }).error;
  assert.match(message, /status5xx/);
  assert.match(message, /bogus/);
  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { stats: { requests: number; served5xx: number; byRoute: Record<string, number> } };
  assert.equal(stats.stats.requests, 1);
  assert.equal(stats.stats.served5xx, 1);
  assert.deepEqual(stats.stats.byRoute, { 'GET /time-clock/v1/time-clocks': 1 });

  sim.store.clear();
  assert.equal(sim.store.counts().shifts, 0);
  assert.equal((await post('/__sim/reset', {})).status, 200);
  assert.equal(sim.store.counts().shifts, 170);
  assert.equal(sim.stats.requests, 0);
});

test('store changes show in the next answer with modifiedAt bumped to the clock', async () => {
  const now = new Date('2026-11-20T12:00:00Z');
  const nowSeconds = now.getTime() / 1000;
  const sim = await simulator({ now: () => now });
  const read = () => activities(sim, 7701, '2026-11-01', '2026-11-15');
  const ordinary = sim.store.listShifts({ userId: 4815005 })[0];
  assert.ok(ordinary);

  sim.store.updateShift(ordinary.id, { start: { ...ordinary.start, timestamp: ordinary.start.timestamp + 3600 } });
  let moved = findShift(await read(), ordinary.id)?.shift;
  assert.deepEqual([moved?.start.timestamp, moved?.modifiedAt, moved?.createdAt], [ordinary.start.timestamp + 3600, nowSeconds, ordinary.createdAt]);

  const openId = SCENARIO.openShift.shiftId;
  sim.store.closeShift(openId, unix(2026, 11, 15, 23));
  moved = findShift(await read(), openId)?.shift;
  assert.deepEqual([moved?.end?.timestamp, moved?.end?.timezone, moved?.modifiedAt], [unix(2026, 11, 15, 23), 'America/Chicago', nowSeconds]);

  const newId = sim.store.changeShiftId(openId);
  assert.match(newId, /^[0-9a-f]{24}$/);
  let groups = await read();
  assert.equal(findShift(groups, openId), undefined, 'the approved shift lost its old id');
  assert.deepEqual([findShift(groups, newId)?.userId, findShift(groups, newId)?.shift.createdAt], [4815004, nowSeconds]);

  sim.store.deleteShift(newId);
  assert.equal(findShift(await read(), newId), undefined);

  sim.store.addUser({ userId: 4816000, firstName: 'New', lastName: 'Hire' });
  sim.store.archiveUser(4815002);
  const active = ((await call(sim, '/users/v1/users?limit=500')).body as UsersBody).data.users;
  assert.equal(active.find((user) => user.userId === 4816000)?.modifiedAt, nowSeconds);
  assert.equal(active.some((user) => user.userId === 4815002), false, 'archived users are excluded by default');
  const archived = ((await call(sim, '/users/v1/users?userStatus=archived')).body as UsersBody).data.users;
  assert.deepEqual(archived.map((user) => [user.userId, user.archivedAt]), [[4815002, nowSeconds]]);
  const changed = ((await call(sim, `/users/v1/users?userStatus=all&modifiedAt=${nowSeconds - 1}`)).body as UsersBody).data.users;
  assert.deepEqual(changed.map((user) => user.userId), [4815002, 4816000]);
  sim.store.deleteUser(4815002);
  const everyone = ((await call(sim, '/users/v1/users?userStatus=all&limit=500')).body as UsersBody).data.users;
  assert.equal(everyone.some((user) => user.userId === 4815002), false, 'a deleted user is in no list');

  sim.store.clear();
  groups = await read();
  assert.deepEqual(groups, [], 'an empty upstream answers an empty list');
});

test('a JSON fixture is served as given; a bad one is refused naming the field', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-connecteam-fixture-'));
  const fixture: ConnecteamDataset = {
    timeClocks: [{ id: 1, name: 'Only clock', isArchived: false, timezone: 'Europe/Moscow' }],
    users: [
      { userId: 5, firstName: 'A', lastName: 'B', phoneNumber: '+70000000000', userType: 'user', email: '', customFields: [], isArchived: false, kioskCode: '', createdAt: 1, modifiedAt: 2, lastLogin: 0, smartGroupsIds: [] },
    ],
    shifts: [
      { id: '666edfbac1ed5f748fabd3d2', timeClockId: 1, userId: 5, start: { timestamp: unix(2026, 11, 2, 21, 30), timezone: 'Europe/Moscow', source: { type: 'kiosk' } }, createdAt: 10, modifiedAt: 10, shiftAttachments: [], isAutoClockOut: false },
    ],
  };
  const good = join(dir, 'good.json');
  writeFileSync(good, JSON.stringify(fixture));
  const sim = await simulator({ dataset: loadDatasetFile(good) });
  // 21:30Z on the 2nd is 00:30 on the 3rd in Moscow (UTC+3), the clock's zone.
  const groups = await activities(sim, 1, '2026-11-03', '2026-11-03');
  assert.deepEqual(groups, [
    {
      userId: 5,
      shifts: [{ id: '666edfbac1ed5f748fabd3d2', start: { timestamp: unix(2026, 11, 2, 21, 30), timezone: 'Europe/Moscow', source: { type: 'kiosk' } }, shiftAttachments: [], createdAt: 10, modifiedAt: 10, isAutoClockOut: false }],
      manualBreaks: [],
      timeOffs: [],
    },
  ]);

  const bad = join(dir, 'bad.json');
  const [shift] = fixture.shifts;
  writeFileSync(bad, JSON.stringify({ ...fixture, shifts: [{ ...shift, userId: 6, start: { ...shift?.start, timestamp: '2026-11-02T21:30:00Z' } }] }));
  assert.throws(() => loadDatasetFile(bad), (error: Error) => {
    assert.match(error.message, /bad\.json/);
    assert.match(error.message, /shifts\[0\]\.start\.timestamp: .*number/);
    return true;
  });
  writeFileSync(bad, JSON.stringify({ ...fixture, shifts: [{ ...shift, userId: 6 }] }));
  assert.throws(() => loadDatasetFile(bad), /shifts\[0\]\.userId: user 6 is not in users/);
  writeFileSync(bad, '{"timeClocks": [');
  assert.throws(() => loadDatasetFile(bad), /is not JSON/);
});

test('generate.shifts gives exactly N shifts, and 100,000 are served in one answer', async () => {
  assert.equal(generateDataset(1, { shifts: 500 }).shifts.length, 500);
  assert.equal(generateDataset(1, { shifts: 10_000, scenarios: false }).shifts.length, 10_000);
  assert.equal(generateDataset(1).shifts.length, 170, '12 users × 14 dates, plus the scenarios');
  assert.throws(() => generateDataset(1, { shifts: 5 }), /scenarios alone make/);
  const sim = await simulator({ generate: { shifts: 100_000 } });
  let served = 0;
  for (const clock of [7701, 7702]) {
    for (const group of await activities(sim, clock, '2026-11-01', '2026-11-15')) served += group.shifts.length;
  }
  assert.equal(served, 100_000);
});

test('the default data set carries the documented scenario ids', () => {
  assert.deepEqual(SCENARIO.userIds, { splitDay: 4815001, overnight: 4815002, dst: 4815003, openShift: 4815004, zoneEdge: 4815006 });
  assert.deepEqual(SCENARIO.splitDays, [
    { date: '2026-11-02', utcOffsetMinutes: -360, morningShiftId: '6ae8976141dec8be2e69e2ca', afternoonShiftId: '6ae8ebc1350e5ba061b612bf' },
  ]);
  assert.deepEqual(SCENARIO.dst, [{ date: '2026-11-01', kind: 'fallBack', start: 1793511000, end: 1793529000, shiftId: '6ae6ce59b3a2885d0f2b0512' }]);
  assert.deepEqual(SCENARIO.openShift, { date: '2026-11-15', shiftId: '6af9c8f13ee6957bec60939a' });
  assert.deepEqual(SCENARIO.zoneEdge, { punchDate: '2026-11-04', clockDate: '2026-11-03', punchZone: 'America/New_York', shiftId: '6aeabf559282c8e918012663' });
  assert.equal(SCENARIO.overnight.length, 14);
});

function capture(): { stream: Writable; text: () => string; line: Promise<string> } {
  let text = '';
  let resolveLine: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => (resolveLine = resolve));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += String(chunk);
      if (text.includes('\n')) resolveLine(text.slice(0, text.indexOf('\n')));
      done();
    },
  });
  return { stream, text: () => text, line };
}

test('tidemark simulate connecteam serves until aborted and prints its URL and key', async () => {
  const controller = new AbortController();
  const stdout = capture();
  const stderr = capture();
  const context = { stdout: stdout.stream, stderr: stderr.stream, env: {}, interactive: false, signal: controller.signal };
  const running = simulateCommand.run({ ...context, argv: ['connecteam', '--port', '0', '--users', '6', '--days', '3', '--api-key', 'k1', '--no-rate-limit'] });
  const line = await stdout.line;
  const match = /^connecteam simulator on (http:\/\/127\.0\.0\.1:\d+) \(accepts X-API-KEY k1\); 6 users, (\d+) shifts$/.exec(line);
  assert.ok(match, line);
  const response = await fetch(`${match[1]}/users/v1/users`, { headers: { 'X-API-KEY': 'k1' } });
  assert.equal(response.status, 200);
  assert.equal(response.headers.get('x-ratelimit-minute-limit'), null, '--no-rate-limit sends no rate-limit headers');
  controller.abort();
  assert.equal(await running, 0);

  await assert.rejects(simulateCommand.run({ ...context, argv: ['clinko'] }), (error: Error) => error instanceof UsageError && /accepted: connecteam/.test(error.message));
  await assert.rejects(simulateCommand.run({ ...context, argv: ['connecteam', '--rate-limit', 'lots'] }), UsageError);
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-simulate-'));
  writeFileSync(join(dir, 'bad.json'), JSON.stringify({ timeClocks: [{ id: 'one', name: 'x' }], users: [], shifts: [] }));
  assert.equal(await simulateCommand.run({ ...context, argv: ['connecteam', '--port', '0', '--fixture', join(dir, 'bad.json')] }), 2);
  assert.match(stderr.text(), /timeClocks\[0\]\.id/);
});
