/**
 * YClients records → rows, without a network: the documented quirks (numbers as strings, flags as
 * 0/1 or "0"/"1", `position: []`, `meta` as [] or {}), local slots → UTC instants in the company's
 * own zone (DST included), and bad records reported as values, never thrown.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { yclients } from '../src/connectors/yclients/connector.ts';
import { listData } from '../src/connectors/yclients/answer.ts';
import { yclientsOptionsSchema } from '../src/connectors/yclients/options.ts';
import { dateRanges, staffGroups, startOf } from '../src/connectors/yclients/schedule-plan.ts';
import type { NormalizeResult } from '../src/engine/stream.ts';

const stream = (name: string) => yclients.streams.find((s) => s.name === name)!;
const staff = stream('yclients.staff');
const services = stream('yclients.services');
const schedules = stream('yclients.staff_schedules');
const MOSCOW = { tenantId: 'tverskaya', timezone: 'Europe/Moscow' };
const YEKATERINBURG = { tenantId: 'vainera', timezone: 'Asia/Yekaterinburg' };

function ok(result: NormalizeResult) {
  assert.ok(result.ok, result.ok ? '' : result.reason);
  return result.record;
}

function withoutRaw(values: Readonly<Record<string, unknown>>): Record<string, unknown> {
  const { raw: _raw, ...rest } = values;
  return rest;
}

const iso = (value: unknown) => (value as Date).toISOString();

test('a staff member sent with numbers as strings is the same row as one sent with numbers', () => {
  // The documented example (upstream-apis.md §2.4) and the same member with real numbers.
  const asStrings = { id: '17969', api_id: 42, name: 'Basil', company_id: '41120', weight: '10', hidden: '0', fired: '0', status: '0', rating: '4.93', user_id: '777' };
  const asNumbers = { id: 17969, api_id: '42', name: 'Basil', company_id: 41120, weight: 10, hidden: 0, fired: 0, status: 0, rating: 4.93, user_id: 777 };
  const left = ok(staff.normalize(asStrings, MOSCOW));
  const right = ok(staff.normalize(asNumbers, MOSCOW));
  assert.equal(left.key, '17969');
  assert.deepEqual(withoutRaw(left.values), withoutRaw(right.values));
  assert.equal(left.values.weight, 10);
  assert.equal(left.values.rating, '4.93');
  assert.equal(left.values.staff_id, '17969', 'bigint ids travel as strings');
});

test('fired, deleted and hidden staff are kept with their flags, whatever spelling YClients uses', () => {
  const fired = ok(staff.normalize({ id: 1, name: 'A', fired: 0, is_fired: true, dismissal_date: '2026-06-30' }, MOSCOW));
  assert.equal(fired.values.fired, true, 'is_fired alone says dismissed');
  assert.equal(fired.values.dismissal_date, '2026-06-30');
  const firedString = ok(staff.normalize({ id: 2, name: 'B', fired: '1', hidden: 'true', is_deleted: 1 }, MOSCOW));
  assert.deepEqual([firedString.values.fired, firedString.values.hidden, firedString.values.is_deleted], [true, true, true]);
  const plain = ok(staff.normalize({ id: 3, name: 'C', dismissal_date: '0000-00-00', schedule_till: '' }, MOSCOW));
  assert.deepEqual([plain.values.fired, plain.values.hidden, plain.values.is_deleted, plain.values.dismissal_date, plain.values.schedule_till], [false, false, false, null, null]);
});

test('position is an object, an empty array or null', () => {
  assert.deepEqual([ok(staff.normalize({ id: 1, name: 'A', position: [] }, MOSCOW)).values.position_id, ok(staff.normalize({ id: 1, name: 'A', position: null }, MOSCOW)).values.position_title], [null, null]);
  const withPosition = ok(staff.normalize({ id: 1, name: 'A', position: { id: '7', title: 'Top stylist' } }, MOSCOW));
  assert.deepEqual([withPosition.values.position_id, withPosition.values.position_title], ['7', 'Top stylist']);
});

test('a 64-bit id is kept exactly, and "0016" and 16 are one key', () => {
  assert.equal(ok(staff.normalize({ id: '9007199254740993', name: 'Big' }, MOSCOW)).key, '9007199254740993');
  assert.equal(ok(staff.normalize({ id: '0016', name: 'Z' }, MOSCOW)).key, '16');
  const tooBig = staff.normalize({ id: '99999999999999999999', name: 'Z' }, MOSCOW);
  assert.equal(tooBig.ok, false);
});

test('a service with string prices and its staff links', () => {
  const service = ok(services.normalize({ id: '1896208', title: "Men's haircut", category_id: 83167, price_min: '1300', price_max: 1300.5, discount: 0, active: '1', api_id: 42, duration: '3600', staff: [{ id: '5905', seance_length: '2700' }] }, MOSCOW));
  assert.equal(service.key, '1896208');
  assert.deepEqual(withoutRaw(service.values), {
    service_id: '1896208',
    title: "Men's haircut",
    category_id: '83167',
    price_min: '1300',
    price_max: '1300.5',
    discount: '0',
    duration_seconds: 3600,
    active: true,
    weight: null,
    prepaid: null,
    comment: null,
    api_id: '42',
    staff: [{ staff_id: '5905', seance_length: 2700 }],
  });
  assert.equal(ok(services.normalize({ id: 1, title: 'x', seance_length: 900 }, MOSCOW)).values.duration_seconds, 900);
});

test('schedule slots become UTC instants in each company own zone (Moscow +3, Yekaterinburg +5)', () => {
  const day = { staff_id: 2717722, date: '2026-12-07', slots: [{ from: '15:00', to: '21:00' }, { from: '10:00', to: '14:00' }] };
  const moscow = ok(schedules.normalize(day, MOSCOW));
  assert.equal(moscow.key, '2717722:2026-12-07');
  assert.equal(moscow.values.schedule_key, '2717722:2026-12-07');
  assert.equal(moscow.values.work_date, '2026-12-07');
  assert.equal(iso(moscow.values.day_start), '2026-12-06T21:00:00.000Z');
  assert.equal(iso(moscow.values.start_at), '2026-12-07T07:00:00.000Z');
  assert.equal(iso(moscow.values.end_at), '2026-12-07T18:00:00.000Z');
  assert.equal(moscow.values.working_minutes, 600);
  assert.equal(moscow.values.slot_count, 2);
  assert.deepEqual(moscow.values.slots, [
    { from: '10:00', to: '14:00', start_at: '2026-12-07T07:00:00.000Z', end_at: '2026-12-07T11:00:00.000Z' },
    { from: '15:00', to: '21:00', start_at: '2026-12-07T12:00:00.000Z', end_at: '2026-12-07T18:00:00.000Z' },
  ]);
  const yekaterinburg = ok(schedules.normalize(day, YEKATERINBURG));
  assert.equal(iso(yekaterinburg.values.day_start), '2026-12-06T19:00:00.000Z');
  assert.equal(iso(yekaterinburg.values.start_at), '2026-12-07T05:00:00.000Z');
  assert.equal(iso(yekaterinburg.values.end_at), '2026-12-07T16:00:00.000Z');
});

test('slots on a DST change day use that day offset, not a fixed one', () => {
  const berlin = { tenantId: 'b', timezone: 'Europe/Berlin' };
  // 2026-03-29: 02:00 CET → 03:00 CEST. 01:00 CET is 00:00Z, 05:00 CEST is 03:00Z: three real hours.
  const spring = ok(schedules.normalize({ staff_id: 1, date: '2026-03-29', slots: [{ from: '01:00', to: '05:00' }] }, berlin));
  assert.deepEqual([iso(spring.values.start_at), iso(spring.values.end_at), spring.values.working_minutes], ['2026-03-29T00:00:00.000Z', '2026-03-29T03:00:00.000Z', 180]);
  // The day before and after the change: the same wall times an hour apart in UTC.
  const before = ok(schedules.normalize({ staff_id: 1, date: '2026-03-28', slots: [{ from: '10:00', to: '18:00' }] }, berlin));
  const after = ok(schedules.normalize({ staff_id: 1, date: '2026-03-30', slots: [{ from: '10:00', to: '18:00' }] }, berlin));
  assert.equal(iso(before.values.start_at), '2026-03-28T09:00:00.000Z');
  assert.equal(iso(after.values.start_at), '2026-03-30T08:00:00.000Z');
  // 2026-10-25: 03:00 CEST → 02:00 CET, a 25-hour day; a wall time that occurs twice is taken at its later occurrence.
  const autumn = ok(schedules.normalize({ staff_id: 1, date: '2026-10-25', slots: [{ from: '00:00', to: '24:00' }] }, berlin));
  assert.deepEqual([iso(autumn.values.day_start), iso(autumn.values.end_at), autumn.values.working_minutes], ['2026-10-24T22:00:00.000Z', '2026-10-25T23:00:00.000Z', 25 * 60]);
});

test('a slot past midnight ends the next day; numbers as strings in a schedule day are read', () => {
  const night = ok(schedules.normalize({ staff_id: '2717722', date: '2026-12-07', slots: [{ from: '22:00', to: '02:00' }] }, MOSCOW));
  assert.deepEqual([iso(night.values.start_at), iso(night.values.end_at), night.values.working_minutes], ['2026-12-07T19:00:00.000Z', '2026-12-07T23:00:00.000Z', 240]);
  assert.equal(night.key, '2717722:2026-12-07');
});

test('bad records are values with a reason (and the key when readable), never a throw', () => {
  const junk: unknown[] = [null, 42, 'text', [], {}, { id: {} }, { id: -1, name: 'x' }, { id: 1 }, { id: 1, name: 5 }, { id: 1, name: 'x', fired: 'maybe' }, { id: 1, name: 'x', dismissal_date: '31.12.2026' }, { id: 1, name: 'x', position: 'boss' }];
  for (const raw of junk) {
    for (const s of [staff, services]) {
      const result = s.normalize(raw, MOSCOW);
      if (!result.ok) assert.match(result.reason, /^invalid YClients (staff member|service): /);
    }
  }
  const fired = staff.normalize({ id: '17', name: 'x', fired: 'maybe' }, MOSCOW);
  assert.deepEqual(fired.ok ? null : [fired.key, /fired/.test(fired.reason)], ['17', true]);

  const days: unknown[] = [
    null,
    { staff_id: 1 },
    { staff_id: 1, date: '2026-02-30', slots: [] },
    { staff_id: 1, date: '2026-12-07', slots: [{ from: '25:99', to: '26:00' }] },
    { staff_id: 1, date: '2026-12-07', slots: [{ from: '10:00', to: '10:00' }] },
    { staff_id: 1, date: '2026-12-07', slots: [{ from: '24:00', to: '10:00' }] },
    { staff_id: 1, date: '2026-12-07', slots: 'all day' },
  ];
  for (const raw of days) {
    const result = schedules.normalize(raw, MOSCOW);
    assert.equal(result.ok, false, JSON.stringify(raw));
  }
  const badSlot = schedules.normalize(days[3], MOSCOW);
  assert.deepEqual(badSlot.ok ? null : badSlot.key, '1:2026-12-07', 'the key is kept so the stored day is not deleted for being unseen');
  const unknownZone = schedules.normalize({ staff_id: 1, date: '2026-12-07', slots: [{ from: '10:00', to: '14:00' }] }, { tenantId: 'x', timezone: 'Mars/Olympus' });
  assert.equal(unknownZone.ok, false);
  assert.match(unknownZone.ok ? '' : unknownZone.reason, /Mars\/Olympus/);
});

test('meta as [] or {} is accepted; success:false and a missing list fail with the reason', () => {
  assert.deepEqual(listData({ success: true, data: [1], meta: [] }, 'x'), [1]);
  assert.deepEqual(listData({ success: true, data: [1], meta: { count: 1 } }, 'x'), [1]);
  assert.deepEqual(listData({ success: '1', data: [], meta: null }, 'x'), []);
  assert.deepEqual(listData({ data: [2] }, 'x'), [2]);
  assert.throws(() => listData({ success: false, data: null, meta: { message: 'Нет доступа к филиалу' } }, 'the staff list'), /YClients refused the staff list: Нет доступа к филиалу/);
  assert.throws(() => listData({ success: true, data: [], errors: { code: 403 } }, 'x'), /refused x/);
  assert.throws(() => listData({ success: true, data: null, meta: [] }, 'the staff list'), /without a list/);
  assert.throws(() => listData('<html>', 'x'), /unexpected shape/);
});

test('connection options: companyId as a number or numeric string', () => {
  assert.equal(yclientsOptionsSchema.parse({ companyId: 501101 }).companyId, '501101');
  assert.equal(yclientsOptionsSchema.parse({ companyId: ' 501101 ' }).companyId, '501101');
  for (const bad of [{}, { companyId: 'abc' }, { companyId: -3 }, { companyId: 1.5 }]) {
    const parsed = yclientsOptionsSchema.safeParse(bad);
    assert.equal(parsed.success, false);
    assert.deepEqual(parsed.error?.issues[0]?.path, ['companyId']);
  }
});

test('schedule requests: at most 60 dates and 50 staff per request, resumable by range and first staff id', () => {
  // `full` is 31 days, asked through the day after: 32 dates, one request.
  assert.deepEqual(dateRanges('2026-12-01', '2027-01-01'), [{ startDate: '2026-12-01', endDate: '2027-01-01' }]);
  assert.deepEqual(dateRanges('2026-01-01', '2026-04-10'), [
    { startDate: '2026-01-01', endDate: '2026-03-01' },
    { startDate: '2026-03-02', endDate: '2026-04-10' },
  ]);
  const ids = Array.from({ length: 120 }, (_, i) => String(1000 + i));
  const groups = staffGroups(ids);
  assert.deepEqual(groups.map((g) => g.length), [50, 50, 20]);
  const ranges = dateRanges('2026-01-01', '2026-04-10');
  assert.deepEqual(startOf({ startDate: '2026-03-02', firstStaffId: '1050' }, ranges, groups), { range: 1, group: 1 });
  assert.deepEqual(startOf({ startDate: '2026-03-02', firstStaffId: '999' }, ranges, groups), { range: 0, group: 0 }, 'a group that no longer exists starts over');
  assert.deepEqual(startOf(null, ranges, groups), { range: 0, group: 0 });
});

test('the connector refuses a client without a company id, naming the connection and the fix', () => {
  assert.throws(
    () => yclients.createClient({ tenantId: 'tverskaya', connectionId: 'tv-yc', baseUrl: undefined, credentials: { partnerToken: 'p', userToken: 'u' }, credentialEnv: {}, limits: undefined, maxAttempts: 5, timeoutMs: 1000, options: {} }),
    /YClients connection "tv-yc" of tenant "tverskaya": options\.companyId .*"companyId": 123456/,
  );
});
