/**
 * Two YClients companies, Europe/Moscow (UTC+3) and Asia/Yekaterinburg (UTC+5), in one
 * configuration writing the same tables: every row carries its tenant, no tenant sees the other's
 * rows, each company's schedule instants are computed in its own zone, named windows and
 * `tidemark reconcile` work from the configuration, and the per-IP budget is shared.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startYclientsSimulator, staffIdOf } from '../src/connectors/yclients/simulator/index.ts';
import { addDays, todayIn } from '../src/time/business-day.ts';
import { PG_URL, freshSchema, pgRows } from './helpers/postgres.ts';
import { runCli, writeConfig } from './helpers/cli.ts';
import { MOSCOW, YEKATERINBURG, yclientsHarness } from './helpers/yclients-harness.ts';

const TENANTS = [MOSCOW, YEKATERINBURG];

/** The configuration docs/connectors/yclients.md shows, pointed at the simulator. */
function salonConfig(baseUrl: string, controlSchema: string, destinationSchema: string) {
  return {
    controlPlane: { url: PG_URL, schema: controlSchema },
    tenants: [
      { id: MOSCOW.id, name: 'Barbershop on Tverskaya', timezone: MOSCOW.timezone },
      { id: YEKATERINBURG.id, name: 'Barbershop on Vainera', timezone: YEKATERINBURG.timezone },
    ],
    connections: TENANTS.map((tenant, index) => ({
      id: `${tenant.id}-yclients`,
      tenant: tenant.id,
      connector: 'yclients',
      baseUrl,
      credentials: { partnerToken: { env: 'YCLIENTS_PARTNER_TOKEN' }, userToken: { env: `${tenant.id.toUpperCase()}_YCLIENTS_USER_TOKEN` } },
      // A number or a numeric string, as people write it.
      options: { companyId: index === 0 ? tenant.companyId : String(tenant.companyId) },
    })),
    destinations: [{ id: 'warehouse', url: PG_URL, schema: destinationSchema }],
    syncs: TENANTS.flatMap((tenant) => [
      { id: `${tenant.id}-staff`, tenant: tenant.id, connection: `${tenant.id}-yclients`, stream: 'yclients.staff', destination: 'warehouse' },
      { id: `${tenant.id}-services`, tenant: tenant.id, connection: `${tenant.id}-yclients`, stream: 'yclients.services', destination: 'warehouse' },
      {
        id: `${tenant.id}-schedules`,
        tenant: tenant.id,
        connection: `${tenant.id}-yclients`,
        stream: 'yclients.staff_schedules',
        destination: 'warehouse',
        windows: { full: { futureDays: 30 }, today: { futureDays: 1 } },
        retentionDays: 7,
      },
    ]),
  };
}

interface Summary {
  status: string;
  error: string | null;
  counts: Record<string, number>;
  window: { from: string; to: string; timezone: string } | null;
}

test('two companies in one configuration: same tables, rows carry their tenant, instants in each company zone', async () => {
  const simulator = await startYclientsSimulator();
  const control = await freshSchema('ycctl');
  const dest = await freshSchema('ycdst');
  try {
    // The same wall-clock day in both companies: 10:00–14:00 and 15:00–21:00, three weeks ahead
    // (ahead of today, so the 7-day retention keeps it whenever the test runs). Neither zone has
    // DST: Moscow is UTC+3 and Yekaterinburg UTC+5 all year.
    const date = addDays(todayIn('UTC'), 21);
    const eve = addDays(date, -1);
    const slots = [{ from: '10:00', to: '14:00' }, { from: '15:00', to: '21:00' }];
    simulator.store.setDay(MOSCOW.companyId, staffIdOf(0, 0), date, slots);
    simulator.store.setDay(YEKATERINBURG.companyId, staffIdOf(1, 0), date, slots);
    const config = writeConfig(salonConfig(simulator.url, control.schema, dest.schema));
    const env = {
      YCLIENTS_PARTNER_TOKEN: simulator.partnerToken,
      TVERSKAYA_YCLIENTS_USER_TOKEN: simulator.userToken,
      VAINERA_YCLIENTS_USER_TOKEN: simulator.userToken,
    };
    const migrated = await runCli(['migrate', '--config', config], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    const sync = async (...args: string[]): Promise<Summary> => {
      const result = await runCli(['sync', ...args, '--json', '--config', config], env);
      assert.equal(result.code, 0, `${args.join(' ')}: ${result.stderr}${result.stdout}`);
      return JSON.parse(result.stdout) as Summary;
    };

    for (const tenant of TENANTS) {
      assert.equal((await sync(`${tenant.id}-staff`)).counts.created, 8);
      const day = await sync(`${tenant.id}-schedules`, '--from', date, '--to', addDays(date, 1));
      assert.equal(day.window?.timezone, tenant.timezone);
    }

    const table = (name: string) => `"${dest.schema}".${name}`;
    const instants = await pgRows<{ tenant_id: string; staff_id: string; day_start: Date; start_at: Date; end_at: Date; slots: unknown }>(
      `SELECT tenant_id, staff_id::text, day_start, start_at, end_at, slots FROM ${table('yclients_staff_schedules')} WHERE staff_id IN ($1, $2) AND work_date = $3 ORDER BY tenant_id`,
      [staffIdOf(0, 0), staffIdOf(1, 0), date],
    );
    assert.deepEqual(
      instants.map((row) => [row.tenant_id, row.staff_id, row.day_start.toISOString(), row.start_at.toISOString(), row.end_at.toISOString()]),
      [
        [MOSCOW.id, String(staffIdOf(0, 0)), `${eve}T21:00:00.000Z`, `${date}T07:00:00.000Z`, `${date}T18:00:00.000Z`],
        [YEKATERINBURG.id, String(staffIdOf(1, 0)), `${eve}T19:00:00.000Z`, `${date}T05:00:00.000Z`, `${date}T16:00:00.000Z`],
      ],
    );
    assert.deepEqual(instants[1]!.slots, [
      { from: '10:00', to: '14:00', start_at: `${date}T05:00:00.000Z`, end_at: `${date}T09:00:00.000Z` },
      { from: '15:00', to: '21:00', start_at: `${date}T10:00:00.000Z`, end_at: `${date}T16:00:00.000Z` },
    ]);

    // A named window from the configuration: "today" is today and tomorrow in Yekaterinburg.
    const today = await sync(`${YEKATERINBURG.id}-schedules`, '--window', 'today');
    assert.equal(today.window!.timezone, YEKATERINBURG.timezone);
    assert.equal(today.window!.to, addDays(today.window!.from, 2));
    assert.ok([todayIn(YEKATERINBURG.timezone), addDays(todayIn(YEKATERINBURG.timezone), -1)].includes(today.window!.from));
    assert.ok((today.counts.created ?? 0) > 0);

    // `tidemark reconcile` totals working days per staff member: a day off upstream shows as a difference.
    simulator.store.setDayOff(YEKATERINBURG.companyId, staffIdOf(1, 0), date);
    const reconcile = await runCli(['reconcile', `${YEKATERINBURG.id}-schedules`, '--from', date, '--to', addDays(date, 1), '--config', config], env);
    assert.equal(reconcile.code, 1, reconcile.stderr);
    assert.match(reconcile.stdout, new RegExp(`✗ ${date}: .*\\(stored − upstream: \\+1 working days / \\+600 min\\)\\n.*\\n\\s+${staffIdOf(1, 0)}\\s+0 / 0 min\\s+1 / 600 min`));

    const perTenant = await pgRows<{ tenant_id: string; company_id: string; n: number }>(
      `SELECT tenant_id, company_id::text, count(*)::int AS n FROM ${table('yclients_staff')} GROUP BY tenant_id, company_id ORDER BY tenant_id`,
    );
    assert.deepEqual(perTenant, [
      { tenant_id: MOSCOW.id, company_id: String(MOSCOW.companyId), n: 8 },
      { tenant_id: YEKATERINBURG.id, company_id: String(YEKATERINBURG.companyId), n: 8 },
    ]);
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('two companies synced at once from one process share the per-IP budget; one tenant never deletes the other rows', async () => {
  const h = await yclientsHarness({ tenants: TENANTS });
  try {
    const both = await Promise.all(TENANTS.flatMap((tenant) => [h.run('staff', { tenant }), h.run('services', { tenant }), h.run('staff_schedules', { tenant, window: 'full' })]));
    for (const summary of both) assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(h.simulator.stats.requests, 8);
    assert.deepEqual(h.simulator.stats.violations, { perSecond: 0, perMinute: 0 }, 'six runs, eight requests, one IP: paced together');

    // No cross-tenant rows: each tenant's staff, services and schedule days are its company's.
    for (const tenant of TENANTS) {
      const staffIds = new Set(h.simulator.store.listStaff(tenant.companyId).map((member) => String(member.id)));
      const serviceIds = new Set(h.simulator.store.listServices(tenant.companyId).map((service) => String(service.id)));
      const staff = await h.rows('staff', `tenant_id = '${tenant.id}'`);
      assert.deepEqual(new Set(staff.map((row) => String(row.staff_id))), staffIds);
      assert.ok(staff.every((row) => row.company_id === String(tenant.companyId)));
      const services = await h.rows('services', `tenant_id = '${tenant.id}'`);
      assert.deepEqual(new Set(services.map((row) => String(row.service_id))), serviceIds);
      const days = await h.rows('staff_schedules', `tenant_id = '${tenant.id}'`);
      const window = h.windowOf(tenant, 'full');
      const expected = h.simulator.store.scheduleDays(tenant.companyId, window.from, addDays(window.to, -1)).map((day) => `${String(day.staff_id)}:${day.date}`);
      assert.deepEqual(days.map((row) => String(row.schedule_key)).sort(), expected.sort());
    }

    const live = async (tenantId: string) => (await h.rows('staff_schedules', `tenant_id = '${tenantId}' AND deleted_at IS NULL`)).length;
    const yekaterinburgBefore = await live(YEKATERINBURG.id);
    // Moscow's staff 3 takes tomorrow off; Yekaterinburg's schedule does not change.
    h.simulator.store.setDayOff(MOSCOW.companyId, staffIdOf(0, 3), addDays(todayIn(MOSCOW.timezone), 1));
    const moscow = await h.run('staff_schedules', { tenant: MOSCOW, window: 'today' });
    assert.equal(moscow.counts.deleted, 1);
    assert.equal(await live(YEKATERINBURG.id), yekaterinburgBefore);
  } finally {
    await h.close();
  }
});

test('a YClients connection without a company id is refused at load, naming the setting', async () => {
  const config = salonConfig('http://127.0.0.1:9', 'ctl', 'dst');
  delete (config.connections[1]!.options as { companyId?: unknown }).companyId;
  const result = await runCli(['sync', 'vainera-staff', '--config', writeConfig(config)]);
  assert.equal(result.code, 2);
  assert.match(result.stderr, /connections\[1\]\.options\.companyId: the YClients company \(branch\) id/);
});
