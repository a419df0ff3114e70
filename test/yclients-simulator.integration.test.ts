/**
 * The YClients simulator as a client sees it: real HTTP on 127.0.0.1, status codes and bodies in
 * YClients' envelope, the per-IP rate limit and its violation count, faults and store changes.
 */
import { test, after } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import {
  generateDataset,
  startYclientsSimulator,
  staffIdOf,
  type YclientsSimulator,
  type YclientsSimulatorOptions,
} from '../src/connectors/yclients/simulator/index.ts';
import { startCli } from './helpers/cli.ts';

interface Envelope {
  success: boolean;
  data: unknown;
  meta: unknown;
}

const simulators: YclientsSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((simulator) => simulator.close()));
});

async function simulator(options: YclientsSimulatorOptions = {}): Promise<YclientsSimulator> {
  const started = await startYclientsSimulator({ rateLimit: false, ...options });
  simulators.push(started);
  return started;
}

const MOSCOW_COMPANY = 501101;
const auth = (sim: YclientsSimulator) => ({ Authorization: `Bearer ${sim.partnerToken}, User ${sim.userToken}`, Accept: 'application/vnd.yclients.v2+json' });

async function call(sim: YclientsSimulator, path: string, headers: Record<string, string> = auth(sim)) {
  const response = await fetch(`${sim.url}${path}`, { headers });
  const text = await response.text();
  return { status: response.status, text, body: JSON.parse(text) as Envelope };
}

function schedulePath(from: string, to: string, staffIds: readonly number[] = [], company = MOSCOW_COMPANY): string {
  const ids = staffIds.map((id) => `&staff_ids[]=${id}`).join('');
  return `/api/v1/company/${company}/staff/schedule?start_date=${from}&end_date=${to}${ids}`;
}

test('tokens: partner and user required on company paths, partner alone on the staff list, 401 in the envelope otherwise', async () => {
  const sim = await simulator();
  const none = await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`, {});
  assert.equal(none.status, 401);
  assert.deepEqual([none.body.success, none.body.data], [false, null]);
  assert.match((none.body.meta as { message: string }).message, /Authorization/);
  const badPartner = await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`, { Authorization: `Bearer wrong, User ${sim.userToken}` });
  assert.equal(badPartner.status, 401);
  const badUser = await call(sim, schedulePath('2026-12-07', '2026-12-07'), { Authorization: `Bearer ${sim.partnerToken}, User wrong` });
  assert.equal(badUser.status, 401);
  const partnerOnly = { Authorization: `Bearer ${sim.partnerToken}` };
  assert.equal((await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`, partnerOnly)).status, 200);
  assert.equal((await call(sim, schedulePath('2026-12-07', '2026-12-07'), partnerOnly)).status, 401, 'the schedule needs the user token');
  assert.equal(sim.stats.served401, 4);
  const unknownCompany = await call(sim, '/api/v1/staff/42');
  assert.equal(unknownCompany.status, 404);
  assert.equal(unknownCompany.body.success, false);
});

test('staff, services and schedule in the documented shapes: flags, string numbers, meta [] and {}, days off absent', async () => {
  const sim = await simulator();
  const staff = await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`);
  assert.equal(staff.status, 200);
  assert.equal(staff.body.success, true);
  const members = staff.body.data as Record<string, unknown>[];
  assert.deepEqual(staff.body.meta, { total_count: 8 });
  assert.equal(members.length, 8);
  assert.equal(members[2]!.id, String(staffIdOf(0, 2)), 'staff 2 sends its id as a string');
  assert.deepEqual([members[3]!.hidden, members[3]!.position], [1, []]);
  assert.deepEqual([members[4]!.fired, members[4]!.is_fired, members[4]!.dismissal_date], [1, true, '2026-06-30']);
  assert.equal(members[5]!.is_deleted, true);

  const services = await call(sim, `/api/v1/services/${MOSCOW_COMPANY}`);
  assert.deepEqual(services.body.meta, [], 'services answer meta as an empty array, as documented');
  assert.equal((services.body.data as unknown[]).length, 6);

  // 2026-12-07 is a Monday; 2026-12-13 a Sunday.
  const week = await call(sim, schedulePath('2026-12-07', '2026-12-13'));
  assert.equal(week.status, 200);
  const days = week.body.data as { staff_id: number | string; date: string; slots: { from: string; to: string }[] }[];
  assert.deepEqual(week.body.meta, { count: days.length });
  const of = (index: number) => days.filter((day) => String(day.staff_id) === String(staffIdOf(0, index)));
  assert.deepEqual(of(0).map((day) => day.date), ['2026-12-07', '2026-12-08', '2026-12-09', '2026-12-10', '2026-12-11'], 'Mon–Fri; the weekend is absent');
  assert.deepEqual(of(0)[0]!.slots, [{ from: '10:00', to: '14:00' }, { from: '15:00', to: '19:00' }]);
  assert.equal(of(3).length, 7, 'hidden staff still work');
  assert.deepEqual([of(4).length, of(5).length], [0, 0], 'fired and deleted staff never work');
  // The 2-on/2-off rota from 2026-01-01: day 340 (2026-12-07) is day 0 of a cycle.
  assert.deepEqual(of(1).map((day) => day.date), ['2026-12-07', '2026-12-08', '2026-12-11', '2026-12-12']);

  const bookDates = await call(sim, `/api/v1/book_dates/${MOSCOW_COMPANY}?staff_id=${staffIdOf(0, 0)}&date=2026-12-07`, { Authorization: `Bearer ${sim.partnerToken}` });
  const booking = bookDates.body.data as { working_dates: string[]; working_days: Record<string, string[]> };
  assert.equal(booking.working_dates.length, 23, 'Mon–Fri of December 2026');
  assert.deepEqual(booking.working_days['12']!.slice(0, 3), ['1', '2', '3']);

  const one = await call(sim, schedulePath('2026-12-07', '2026-12-13', [staffIdOf(0, 0)]));
  assert.equal((one.body.data as unknown[]).length, 5, 'staff_ids[] filters');
  const tooLong = await call(sim, schedulePath('2026-01-01', '2026-03-31'));
  assert.equal(tooLong.status, 400);
  const missing = await call(sim, `/api/v1/company/${MOSCOW_COMPANY}/staff/schedule?start_date=2026-12-07`);
  assert.equal(missing.status, 400);
  assert.match((missing.body.meta as { message: string }).message, /end_date/);
});

test('a store change is the next answer: a day off disappears from the schedule', async () => {
  const sim = await simulator();
  const staffId = staffIdOf(0, 0);
  sim.store.setDayOff(MOSCOW_COMPANY, staffId, '2026-12-08');
  sim.store.setDay(MOSCOW_COMPANY, staffId, '2026-12-12', [{ from: '12:00', to: '16:00' }]);
  const days = (await call(sim, schedulePath('2026-12-07', '2026-12-13', [staffId]))).body.data as { date: string; slots: unknown[] }[];
  assert.deepEqual(days.map((day) => day.date), ['2026-12-07', '2026-12-09', '2026-12-10', '2026-12-11', '2026-12-12']);
  assert.deepEqual(days.at(-1)!.slots, [{ from: '12:00', to: '16:00' }]);
  sim.store.reset();
  assert.equal(((await call(sim, schedulePath('2026-12-07', '2026-12-13', [staffId]))).body.data as unknown[]).length, 5);
});

test('5 requests a second per IP: the sixth in a burst is a 429 in the envelope and counted as a violation', async () => {
  const sim = await simulator({ rateLimit: { perSecond: 5, perMinute: 200 } });
  const statuses: number[] = [];
  for (let i = 0; i < 6; i++) statuses.push((await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`)).status);
  assert.deepEqual(statuses, [200, 200, 200, 200, 200, 429]);
  const refused = await call(sim, `/api/v1/services/${MOSCOW_COMPANY}`);
  assert.equal(refused.status, 429);
  assert.deepEqual([refused.body.success, refused.body.data], [false, null]);
  assert.match((refused.body.meta as { message: string }).message, /200 requests per minute or 5 requests per second/);
  assert.deepEqual(sim.stats.violations, { perSecond: 2, perMinute: 0 });
  const stats = (await (await fetch(`${sim.url}/__sim/stats`)).json()) as { stats: { violations: unknown; requests: number } };
  assert.deepEqual(stats.stats.violations, { perSecond: 2, perMinute: 0 });
  assert.equal(stats.stats.requests, 7, 'control calls are not counted');
});

test('200 a minute per IP, counted apart from the per-second budget', async () => {
  const sim = await simulator({ rateLimit: { perSecond: 100, perMinute: 3 } });
  const statuses: number[] = [];
  for (let i = 0; i < 4; i++) statuses.push((await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`)).status);
  assert.deepEqual(statuses, [200, 200, 200, 429]);
  assert.deepEqual(sim.stats.violations, { perSecond: 0, perMinute: 1 });
  sim.resetStats();
  assert.equal((await call(sim, `/api/v1/staff/${MOSCOW_COMPANY}`)).status, 200, 'resetStats empties the windows too');
});

test('faults: 429 storm, 5xx burst, truncated body, malformed records, numbers as strings, meta shapes', async () => {
  const sim = await simulator();
  const patch = async (body: unknown) => fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await patch({ status429: 2, status5xx: 1 })).status, 200);
  const path = `/api/v1/staff/${MOSCOW_COMPANY}`;
  const seen = [];
  for (let i = 0; i < 4; i++) seen.push((await call(sim, path)).status);
  assert.deepEqual(seen, [429, 429, 503, 200]);
  assert.deepEqual(sim.stats.violations, { perSecond: 0, perMinute: 0 }, 'injected 429s are not violations');

  sim.faults.truncateNext = 1;
  const cut = await fetch(`${sim.url}${path}`, { headers: auth(sim) });
  assert.equal(cut.status, 200);
  await assert.rejects(async () => JSON.parse(await cut.text()) as unknown);

  await patch({ malformedRecord: true, stringNumbers: true, metaShape: 'object' });
  const staff = await call(sim, path);
  const members = staff.body.data as Record<string, unknown>[];
  assert.equal(members.length, 9);
  assert.equal(members.at(-1)!.fired, 'maybe');
  assert.equal(members[0]!.id, String(staffIdOf(0, 0)), 'every number is a string');
  assert.deepEqual(staff.body.meta, { count: 9 });
  await patch({ metaShape: 'array' });
  assert.deepEqual((await call(sim, schedulePath('2026-12-07', '2026-12-07'))).body.meta, []);

  const bad = await patch({ status429: -1, colour: 'red' });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /status429.*Accepted: status429/);
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
  assert.deepEqual([sim.faults.malformedRecord, sim.faults.stringNumbers, sim.faults.metaShape, sim.stats.requests], [false, false, 'documented', 0]);
});

test('the same seed gives the same bytes; another seed other names', async () => {
  assert.deepEqual(generateDataset(7), generateDataset(7));
  const names = (seed: number) => generateDataset(seed).companies[0]!.staff.map((member) => member.name);
  assert.notDeepEqual(names(1), names(2));
  assert.throws(() => generateDataset(1, { staffPerCompany: 3 }), /staffPerCompany is 3; use a whole number from 7/);
});

test('tidemark simulate yclients serves the API on a port of its own until stopped', async (t) => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-yc-'));
  const fixture = join(dir, 'salon.json');
  writeFileSync(
    fixture,
    JSON.stringify({
      companies: [{ id: 77, title: 'Fixture salon', timezone: 'Europe/Moscow', staff: [{ id: 5, name: 'Olga' }], services: [], patterns: { '5': { kind: 'weekly', weekdays: [1], slots: [{ from: '10:00', to: '18:00' }] } } }],
    }),
  );
  const { child, done } = startCli(['simulate', 'yclients', '--port', '0', '--fixture', fixture, '--api-key', 'partner-k']);
  // A failed assertion must not leave the simulator running (the test file would never end).
  t.after(() => child.kill('SIGKILL'));
  const line = await new Promise<string>((resolve, reject) => {
    let text = '';
    child.stdout!.on('data', (chunk: Buffer) => {
      text += chunk.toString();
      if (text.includes('\n')) resolve(text.split('\n')[0]!);
    });
    child.on('close', () => reject(new Error(`simulate exited early: ${text}`)));
  });
  const match = /^yclients simulator on (http:\/\/127\.0\.0\.1:\d+) .*partner token partner-k, user token sim-yclients-user.*1 companies \(77 Europe\/Moscow\), 1 staff, 0 services$/.exec(line);
  assert.ok(match, line);
  const days = await fetch(`${match[1]}${schedulePath('2026-12-07', '2026-12-13', [], 77)}`, { headers: { Authorization: 'Bearer partner-k, User sim-yclients-user' } });
  assert.deepEqual(((await days.json()) as Envelope).data, [{ staff_id: 5, date: '2026-12-07', slots: [{ from: '10:00', to: '18:00' }] }]);
  child.kill('SIGTERM');
  assert.equal((await done).code, 0);

  writeFileSync(fixture, JSON.stringify({ companies: [{ id: 77, title: 'x', timezone: 'Moscow', staff: [], services: [] }] }));
  const bad = await startCli(['simulate', 'yclients', '--port', '0', '--fixture', fixture]).done;
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /companies\.0\.timezone/);
});
