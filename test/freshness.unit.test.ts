/** Freshness: the expected cadence comes from the schedules and is judged in business hours only. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/config/load.ts';
import { expectedStaleAfterMinutes, freshnessOf } from '../src/monitor/freshness.ts';

const config = parseConfig({
  tenants: [{ id: 'salon', name: 'Salon', timezone: 'America/Chicago', businessHours: { start: '08:00', end: '23:00' } }],
  connections: [{ id: 'yc', tenant: 'salon', connector: 'yclients', credentials: { partnerToken: { env: 'P' }, userToken: { env: 'U' } }, options: { companyId: 1 } }],
  destinations: [{ id: 'db', url: 'postgres://app@127.0.0.1:5432/app' }],
  syncs: [
    { id: 'today', tenant: 'salon', connection: 'yc', stream: 'yclients.staff_schedules', destination: 'db', schedules: [{ cron: '0 8-23 * * *', window: 'today' }] },
    { id: 'daily', tenant: 'salon', connection: 'yc', stream: 'yclients.staff', destination: 'db', schedules: [{ cron: '0 5 * * *' }] },
    { id: 'manual', tenant: 'salon', connection: 'yc', stream: 'yclients.services', destination: 'db' },
    { id: 'fixed', tenant: 'salon', connection: 'yc', stream: 'yclients.services', destination: 'db', table: 'services2', freshness: { staleAfterMinutes: 30, businessHoursOnly: false } },
  ],
});
const tenant = config.tenants[0]!;
const sync = (id: string) => config.syncs.find((s) => s.id === id)!;
// 2026-11-25 is a Wednesday; Chicago is UTC-6 (CST).
const at = (local: string) => new Date(`${local}-06:00`);

test('"today" hourly 08–23 local: stale after 2 h inside business hours', () => {
  assert.equal(expectedStaleAfterMinutes(sync('today'), tenant, at('2026-11-25T12:00:00')), 120);
  const f = freshnessOf(sync('today'), tenant, at('2026-11-25T12:00:00'), at('2026-11-25T13:59:00'));
  assert.equal(f.state, 'fresh');
  assert.equal(freshnessOf(sync('today'), tenant, at('2026-11-25T12:00:00'), at('2026-11-25T14:30:00')).state, 'stale');
});

test('never stale at night, and the night does not age the data', () => {
  const lastNight = at('2026-11-25T23:00:00');
  assert.equal(freshnessOf(sync('today'), tenant, lastNight, at('2026-11-26T03:00:00')).state, 'fresh', '03:00 is outside business hours');
  assert.equal(freshnessOf(sync('today'), tenant, lastNight, at('2026-11-26T08:30:00')).state, 'fresh', '08:30: about half an hour of business time since 23:00');
  assert.equal(freshnessOf(sync('today'), tenant, lastNight, at('2026-11-26T10:30:00')).state, 'stale', '10:30: the 08:00, 09:00 and 10:00 runs are missing');
  assert.equal(freshnessOf(sync('today'), tenant, lastNight, at('2026-11-26T03:00:00')).inBusinessHours, false);
});

test('a daily 05:00 sync is stale after 48 h; a sync without schedule has no expectation; a fixed one is judged around the clock', () => {
  assert.equal(expectedStaleAfterMinutes(sync('daily'), tenant, at('2026-11-25T12:00:00')), 48 * 60);
  const manual = freshnessOf(sync('manual'), tenant, null, at('2026-11-25T12:00:00'));
  assert.deepEqual([manual.state, manual.staleAfterMinutes], ['unknown', null]);
  assert.equal(freshnessOf(sync('fixed'), tenant, at('2026-11-26T02:00:00'), at('2026-11-26T02:31:00')).state, 'stale', 'businessHoursOnly: false');
  assert.equal(freshnessOf(sync('daily'), tenant, null, at('2026-11-25T12:00:00')).state, 'stale', 'never succeeded, inside business hours');
});
