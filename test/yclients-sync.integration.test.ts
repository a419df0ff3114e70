/**
 * YClients staff, services and staff schedules into the real Postgres through the simulator, end
 * to end: rows a user would find, counts the ledger reports, what the simulator counted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { staffIdOf } from '../src/connectors/yclients/simulator/index.ts';
import { addDays, todayIn } from '../src/time/business-day.ts';
import type { RunSummary } from '../src/engine/run-sync.ts';
import { MOSCOW, yclientsHarness, type YclientsHarness } from './helpers/yclients-harness.ts';

const COMPANY = MOSCOW.companyId;

function assertSucceeded(summary: RunSummary): void {
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  const c = summary.counts;
  assert.equal(c.fetched, c.created + c.updated + c.unchanged + c.dead, `conservation: ${JSON.stringify(c)}`);
}

/** Schedule keys the upstream holds for the window's days (what the table must equal). */
function upstreamScheduleKeys(h: YclientsHarness, window: Parameters<YclientsHarness['windowOf']>[1]): string[] {
  const w = h.windowOf(MOSCOW, window);
  return h.simulator.store
    .scheduleDays(COMPANY, w.from, addDays(w.to, -1))
    .map((day) => `${String(day.staff_id)}:${day.date}`)
    .sort();
}

async function liveKeys(h: YclientsHarness, stream: 'staff' | 'services' | 'staff_schedules', column: string): Promise<string[]> {
  const rows = await h.rows(stream, 'deleted_at IS NULL', column);
  return rows.map((row) => String(row[column])).sort();
}

test('staff, services and 30 days of schedules land in Postgres; a second run writes nothing; no rate-limit violation', async () => {
  const h = await yclientsHarness();
  try {
    const staff = await h.run('staff');
    assertSucceeded(staff);
    assert.deepEqual(staff.counts, { fetched: 8, created: 8, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
    const rows = await h.rows('staff', 'true', 'staff_id');
    const byIndex = (index: number) => rows.find((row) => row.staff_id === String(staffIdOf(0, index)))!;
    assert.deepEqual([byIndex(3).hidden, byIndex(3).fired, byIndex(3).is_deleted, byIndex(3).position_id], [true, false, false, null]);
    assert.deepEqual([byIndex(4).fired, byIndex(4).dismissal_date], [true, '2026-06-30']);
    assert.equal(byIndex(5).is_deleted, true);
    assert.ok(byIndex(2), 'the staff member whose id came as a string');
    assert.ok(rows.every((row) => row.tenant_id === MOSCOW.id && row.company_id === String(COMPANY)));

    const services = await h.run('services');
    assertSucceeded(services);
    assert.equal(services.counts.created, 6);
    const inactive = await h.rows('services', 'active = false');
    assert.equal(inactive.length, 1);

    const full = await h.run('staff_schedules', { window: 'full' });
    assertSucceeded(full);
    const expected = upstreamScheduleKeys(h, 'full');
    assert.ok(expected.length > 60, `a month of working days (${expected.length})`);
    assert.deepEqual(await liveKeys(h, 'staff_schedules', 'schedule_key'), expected);
    assert.equal(full.counts.created, expected.length);
    assert.equal(h.simulator.stats.byRoute['GET /api/v1/company/{company_id}/staff/schedule'], 1, '31 days (+1 checked) in one request');
    const fired = await h.rows('staff_schedules', `staff_id IN (${staffIdOf(0, 4)}, ${staffIdOf(0, 5)})`);
    assert.equal(fired.length, 0, 'fired and deleted staff have no working days');

    const again = await h.run('staff_schedules', { window: 'full' });
    assert.deepEqual(again.counts, { fetched: expected.length, created: 0, updated: 0, unchanged: expected.length, deleted: 0, dead: 0 });
    assert.deepEqual(h.simulator.stats.violations, { perSecond: 0, perMinute: 0 });
  } finally {
    await h.close();
  }
});

test('the today window is today and tomorrow in the company zone', async () => {
  const h = await yclientsHarness();
  try {
    const before = todayIn(MOSCOW.timezone);
    const summary = await h.run('staff_schedules', { window: 'today' });
    assertSucceeded(summary);
    const after = todayIn(MOSCOW.timezone);
    const allowed = new Set([before, addDays(before, 1), after, addDays(after, 1)]);
    const rows = await h.rows('staff_schedules');
    assert.ok(rows.length > 0);
    assert.ok(rows.every((row) => allowed.has(String(row.work_date))), JSON.stringify(rows.map((row) => row.work_date)));
    assert.deepEqual(summary.window && [summary.window.from, summary.window.to], [after, addDays(after, 2)]);
  } finally {
    await h.close();
  }
});

test("a staff member's day off removes that day's row; a new working day brings one back", async () => {
  const h = await yclientsHarness();
  try {
    assertSucceeded(await h.run('staff_schedules', { window: 'full' }));
    // Staff 3 works every day: tomorrow is a working day in any week.
    const staffId = staffIdOf(0, 3);
    const tomorrow = addDays(todayIn(MOSCOW.timezone), 1);
    const key = `${staffId}:${tomorrow}`;
    assert.equal((await h.rows('staff_schedules', `schedule_key = '${key}' AND deleted_at IS NULL`)).length, 1);
    const liveBefore = (await h.rows('staff_schedules', 'deleted_at IS NULL')).length;

    h.simulator.store.setDayOff(COMPANY, staffId, tomorrow);
    const off = await h.run('staff_schedules', { window: 'today' });
    assertSucceeded(off);
    assert.equal(off.counts.deleted, 1);
    const [row] = await h.rows('staff_schedules', `schedule_key = '${key}'`);
    assert.notEqual(row!.deleted_at, null, 'the day off is marked deleted');
    assert.equal((await h.rows('staff_schedules', 'deleted_at IS NULL')).length, liveBefore - 1, 'nothing else is touched');
    const changes = await h.ledger.changes(off.runId);
    assert.deepEqual(changes.map((change) => [change.key, change.op]), [[key, 'deleted']]);

    h.simulator.store.setDay(COMPANY, staffId, tomorrow, [{ from: '14:00', to: '18:00' }]);
    const back = await h.run('staff_schedules', { window: 'today' });
    assertSucceeded(back);
    const [returned] = await h.rows('staff_schedules', `schedule_key = '${key}'`);
    assert.equal(returned!.deleted_at, null);
    assert.equal(returned!.working_minutes, 240);
  } finally {
    await h.close();
  }
});

test('a normal sync paces itself under 5/s and 200/min: zero violations, where an unpaced client causes some', async () => {
  // 99 staff (2 groups of 50) over a year (7 ranges of ≤ 60 days): 1 + 14 requests per schedule
  // run. Staff 7+ get no working days, so answers are small and requests follow each other fast.
  const h = await yclientsHarness({ simulator: { generate: { staffPerCompany: 99 } } });
  try {
    for (let index = 7; index < 99; index++) h.simulator.store.setPattern(COMPANY, staffIdOf(0, index), undefined);
    const today = todayIn(MOSCOW.timezone);
    const window = { from: today, to: addDays(today, 365) };
    const client = h.client();
    for (const stream of ['staff', 'services', 'staff_schedules'] as const) assertSucceeded(await h.run(stream, { client, window }));
    assert.equal(h.simulator.stats.requests, 17);
    assert.deepEqual(h.simulator.stats.violations, { perSecond: 0, perMinute: 0 });
    assert.equal(h.simulator.stats.served429, 0);

    // The same read without the client's budget: the simulator sees the burst and refuses it.
    h.simulator.resetStats();
    const unpaced = h.client(MOSCOW, { limits: { perSecond: 1000, perMinute: 100_000 }, maxAttempts: 10 });
    await h.run('staff_schedules', { client: unpaced, window });
    assert.ok(h.simulator.stats.violations.perSecond > 0, JSON.stringify(h.simulator.stats));
  } finally {
    await h.close();
  }
});

test('a 429 storm, 5xx bursts and a truncated body still end with the table equal to the upstream', async () => {
  const h = await yclientsHarness();
  try {
    h.simulator.faults.status429 = 3;
    const staff = await h.run('staff');
    assertSucceeded(staff);
    assert.equal(staff.upstream.rateLimited, 3);
    h.simulator.faults.status5xx = 2;
    h.simulator.faults.truncateNext = 1;
    const services = await h.run('services');
    assertSucceeded(services);
    assert.equal(services.upstream.serverErrors, 2);
    h.simulator.faults.status5xx = 1;
    h.simulator.faults.status429 = 1;
    const schedules = await h.run('staff_schedules', { window: 'full' });
    assertSucceeded(schedules);
    // At least the two injected faults were retried; a loaded machine can add a timeout's retry.
    assert.ok((schedules.upstream.retries ?? 0) >= 2, JSON.stringify(schedules.upstream));

    const store = h.simulator.store;
    assert.deepEqual(await liveKeys(h, 'staff', 'staff_id'), store.listStaff(COMPANY).map((member) => String(member.id)).sort());
    assert.deepEqual(await liveKeys(h, 'services', 'service_id'), store.listServices(COMPANY).map((service) => String(service.id)).sort());
    assert.deepEqual(await liveKeys(h, 'staff_schedules', 'schedule_key'), upstreamScheduleKeys(h, 'full'));
  } finally {
    await h.close();
  }
});

test('a bad token fails the run at once, naming tenant, connection and the variables, never the token', async () => {
  const h = await yclientsHarness();
  try {
    const secret = 'user-token-that-is-wrong-42';
    const summary = await h.run('staff_schedules', { window: 'full', userToken: secret });
    assert.equal(summary.status, 'failed');
    const error = summary.error ?? '';
    assert.match(error, /tenant "tverskaya"/);
    assert.match(error, /connection "tverskaya-yclients"/);
    assert.match(error, /refused \(401\)/);
    assert.match(error, /YCLIENTS_PARTNER_TOKEN.*TVERSKAYA_YCLIENTS_USER_TOKEN/);
    assert.ok(!error.includes(secret), 'the token is not in the message');
    assert.equal(h.simulator.stats.requests, 1, 'no retry on 401');
    assert.equal(summary.upstream.requests, 1);
    assert.equal((await h.rows('staff_schedules')).length, 0);
    const [run] = await h.ledger.listRuns({ syncId: 'tverskaya-staff_schedules' });
    assert.equal(run!.status, 'failed');
    assert.ok(!JSON.stringify(run).includes(secret));
  } finally {
    await h.close();
  }
});

test('a company id the token cannot open fails the run naming options.companyId', async () => {
  const h = await yclientsHarness();
  try {
    const summary = await h.run('staff', { tenant: { ...MOSCOW, companyId: 424242 } });
    assert.equal(summary.status, 'failed');
    assert.match(summary.error ?? '', /rejected \(404\).*Check the connection's options\.companyId \(424242\)/);
    assert.equal(h.simulator.stats.requests, 1, 'a 404 is not retried');
  } finally {
    await h.close();
  }
});

test('one malformed record per list goes to the dead letters while the rest land', async () => {
  const h = await yclientsHarness();
  try {
    h.simulator.faults.malformedRecord = true;
    const expectedReason = { staff: /fired/, services: /title/, staff_schedules: /slots\.0\.from/ } as const;
    for (const stream of ['staff', 'services', 'staff_schedules'] as const) {
      const summary = await h.run(stream, { window: 'full' });
      assertSucceeded(summary);
      assert.equal(summary.counts.dead, 1, stream);
      assert.ok(summary.warnings.some((warning) => warning.code === 'dead_letters'));
      const [dead] = await h.ledger.deadLetters({ runId: summary.runId });
      assert.match(dead!.reason, expectedReason[stream]);
      assert.match(dead!.key ?? '', /^999\d+/);
    }
    assert.equal((await h.rows('staff')).length, 8);
    assert.equal((await h.rows('services')).length, 6);
    assert.deepEqual(await liveKeys(h, 'staff_schedules', 'schedule_key'), upstreamScheduleKeys(h, 'full'));
  } finally {
    await h.close();
  }
});

test('numbers as strings and meta as [] or {} give the same typed rows', async () => {
  const h = await yclientsHarness();
  try {
    const typed = async () => {
      const result: Record<string, unknown[]> = {};
      for (const stream of ['staff', 'services', 'staff_schedules'] as const) {
        const rows = await h.rows(stream, 'true', '1');
        result[stream] = rows.map(({ raw: _raw, row_hash: _hash, synced_at: _synced, ...values }) => values);
      }
      return result;
    };
    Object.assign(h.simulator.faults, { stringNumbers: true, metaShape: 'array' });
    for (const stream of ['staff', 'services', 'staff_schedules'] as const) assertSucceeded(await h.run(stream, { window: 'full' }));
    const fromStrings = await typed();
    assert.equal((await h.rows('staff', `raw->>'id' = '${staffIdOf(0, 0)}'`)).length, 1, 'ids came as strings');

    Object.assign(h.simulator.faults, { stringNumbers: false, metaShape: 'object' });
    for (const stream of ['staff', 'services', 'staff_schedules'] as const) {
      const summary = await h.run(stream, { window: 'full' });
      assertSucceeded(summary);
      assert.equal(summary.counts.dead, 0);
      assert.equal(summary.counts.deleted, 0);
    }
    assert.deepEqual(await typed(), fromStrings);
  } finally {
    await h.close();
  }
});

test('schedules older than 7 days are purged after a run; staff changes and removals follow upstream', async () => {
  const h = await yclientsHarness();
  try {
    const today = todayIn(MOSCOW.timezone);
    const summary = await h.run('staff_schedules', { window: { from: addDays(today, -9), to: addDays(today, 1) } });
    assertSucceeded(summary);
    const old = h.simulator.store.scheduleDays(COMPANY, addDays(today, -9), addDays(today, -8)).length;
    assert.ok(old > 0);
    assert.equal(summary.purged, old);
    const dates = (await h.rows('staff_schedules', 'true', 'work_date')).map((row) => String(row.work_date));
    assert.equal(dates[0], addDays(today, -7), 'the 7 days before today are kept');

    assertSucceeded(await h.run('staff'));
    h.simulator.store.updateStaff(COMPANY, staffIdOf(0, 0), { fired: '1', is_fired: true, dismissal_date: today });
    h.simulator.store.removeStaff(COMPANY, staffIdOf(0, 6));
    const next = await h.run('staff');
    assertSucceeded(next);
    assert.deepEqual([next.counts.updated, next.counts.deleted], [1, 1]);
    const [fired] = await h.rows('staff', `staff_id = ${staffIdOf(0, 0)}`);
    assert.deepEqual([fired!.fired, fired!.dismissal_date, fired!.deleted_at], [true, today, null]);
    const [removed] = await h.rows('staff', `staff_id = ${staffIdOf(0, 6)}`);
    assert.notEqual(removed!.deleted_at, null);
  } finally {
    await h.close();
  }
});
