/**
 * Cliniko through `tidemark` as a process, from one configuration file: two clinics (Sydney and
 * London) on their own shards writing the same three tables, each row carrying its tenant; a
 * rejected key failing at once; a missing contact email refused when the configuration loads.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startClinikoSimulator, type ClinikoSimulator } from '../src/connectors/cliniko/simulator/index.ts';
import { freshSchema, pgRows, PG_URL } from './helpers/postgres.ts';
import { runCli, writeConfig } from './helpers/cli.ts';

interface Clinic {
  readonly tenant: string;
  readonly timezone: string;
  readonly simulator: ClinikoSimulator;
  readonly keyEnv: string;
}

/** One configuration: each clinic a tenant, a Cliniko connection and its three syncs, one warehouse. */
function clinicsConfig(clinics: readonly Clinic[], controlSchema: string, destinationSchema: string, options: Record<string, unknown> = { contactEmail: 'it@clinics.example' }) {
  return {
    controlPlane: { url: PG_URL, schema: controlSchema },
    tenants: clinics.map((c) => ({ id: c.tenant, name: c.tenant, timezone: c.timezone })),
    connections: clinics.map((c) => ({
      id: `${c.tenant}-cliniko`,
      tenant: c.tenant,
      connector: 'cliniko',
      baseUrl: c.simulator.apiUrl,
      credentials: { apiKey: { env: c.keyEnv } },
      options,
    })),
    destinations: [{ id: 'warehouse', url: PG_URL, schema: destinationSchema }],
    syncs: clinics.flatMap((c) =>
      ['patients', 'practitioners', 'appointments'].map((stream) => ({
        id: `${c.tenant}-${stream}`,
        tenant: c.tenant,
        connection: `${c.tenant}-cliniko`,
        stream: `cliniko.${stream}`,
        destination: 'warehouse',
      })),
    ),
  };
}

const sorted = (values: Iterable<unknown>) => [...values].map(String).sort();

test('two clinics (Sydney, London) in one configuration write the same tables; every row carries its own tenant', async () => {
  const sydney = await startClinikoSimulator({ apiKey: 'sydney-key-au1', seed: 1, generate: { businesses: [{ name: 'Harbour Physio', timeZone: 'Australia/Sydney' }], patients: 120, appointments: 150 } });
  const london = await startClinikoSimulator({ apiKey: 'london-key-uk1', seed: 2, generate: { businesses: [{ name: 'Thames Physio', timeZone: 'Europe/London' }], patients: 90, appointments: 110 } });
  const clinics: Clinic[] = [
    { tenant: 'harbour', timezone: 'Australia/Sydney', simulator: sydney, keyEnv: 'HARBOUR_CLINIKO_KEY' },
    { tenant: 'thames', timezone: 'Europe/London', simulator: london, keyEnv: 'THAMES_CLINIKO_KEY' },
  ];
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const config = writeConfig(clinicsConfig(clinics, control.schema, dest.schema));
    const env = { HARBOUR_CLINIKO_KEY: sydney.apiKey, THAMES_CLINIKO_KEY: london.apiKey };
    const migrated = await runCli(['migrate', '--config', config], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    for (const clinic of clinics) {
      for (const stream of ['patients', 'practitioners', 'appointments']) {
        const result = await runCli(['sync', `${clinic.tenant}-${stream}`, '--json', '--config', config], env);
        assert.equal(result.code, 0, result.stdout + result.stderr);
        assert.equal((JSON.parse(result.stdout) as { status: string }).status, 'succeeded');
      }
    }

    for (const clinic of clinics) {
      const store = clinic.simulator.store;
      const table = (name: string, column: string) =>
        pgRows<{ id: string }>(`SELECT ${column} AS id FROM "${dest.schema}".${name} WHERE tenant_id = $1`, [clinic.tenant]).then((rows) => sorted(rows.map((r) => r.id)));
      assert.deepEqual(await table('cliniko_patients', 'patient_id'), sorted(store.patients.sorted().map((p) => p.id)), `${clinic.tenant} patients`);
      assert.deepEqual(await table('cliniko_practitioners', 'practitioner_id'), sorted(store.practitioners.sorted().map((p) => p.id)), `${clinic.tenant} practitioners`);
      assert.deepEqual(await table('cliniko_appointments', 'appointment_id'), sorted(store.appointments.sorted().map((a) => a.id)), `${clinic.tenant} appointments`);

      // Business days in the clinic's own zone, computed here independently of Tidemark.
      const day = new Intl.DateTimeFormat('en-CA', { timeZone: clinic.timezone });
      const appointments = await pgRows<{ id: string; business_date: string }>(
        `SELECT appointment_id AS id, business_date::text FROM "${dest.schema}".cliniko_appointments WHERE tenant_id = $1`,
        [clinic.tenant],
      );
      for (const row of appointments) assert.equal(row.business_date, day.format(new Date(store.appointments.get(row.id)!.starts_at)), row.id);
      assert.equal(clinic.simulator.stats.rateLimitViolations, 0);
    }
    // No row of one clinic under the other: every appointment's patient is a patient of the same tenant.
    const crossed = await pgRows<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${dest.schema}".cliniko_appointments a
        LEFT JOIN "${dest.schema}".cliniko_patients p ON p.tenant_id = a.tenant_id AND p.patient_id = a.patient_id
        WHERE p.patient_id IS NULL`,
    );
    assert.equal(crossed[0]!.n, 0);
    const tenants = await pgRows<{ tenant_id: string; n: number }>(`SELECT tenant_id, count(*)::int AS n FROM "${dest.schema}".cliniko_patients GROUP BY 1 ORDER BY 1`);
    assert.deepEqual(tenants, [{ tenant_id: 'harbour', n: 120 }, { tenant_id: 'thames', n: 90 }]);
  } finally {
    await sydney.close();
    await london.close();
    await control.drop();
    await dest.drop();
  }
});

test('a rejected Cliniko key fails the run at once (exit 1): one request, tenant and connection named, never the key', async () => {
  const simulator = await startClinikoSimulator({ rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const clinic: Clinic = { tenant: 'harbour', timezone: 'Australia/Sydney', simulator, keyEnv: 'HARBOUR_CLINIKO_KEY' };
    const config = writeConfig(clinicsConfig([clinic], control.schema, dest.schema));
    const secret = 'wrong-key-5f3a9c77e1-au1';
    const result = await runCli(['sync', 'harbour-patients', '--config', config], { HARBOUR_CLINIKO_KEY: secret });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /tenant "harbour", connection "harbour-cliniko"/);
    assert.match(result.stdout, /refused \(401\)/);
    assert.match(result.stdout, /HARBOUR_CLINIKO_KEY/);
    assert.ok(!(result.stdout + result.stderr).includes('5f3a9c77e1'), 'the key never appears in output');
    assert.equal(simulator.stats.requests, 1, 'a 401 is not retried');
    const runs = await pgRows<{ status: string; error: string }>(`SELECT status, error FROM "${control.schema}".runs`);
    assert.equal(runs[0]!.status, 'failed');
    assert.ok(!runs[0]!.error.includes('5f3a9c77e1'));
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('a Cliniko connection without a contact email is refused when the configuration loads (exit 2)', async () => {
  const simulator = await startClinikoSimulator({ rateLimit: false });
  try {
    const clinic: Clinic = { tenant: 'harbour', timezone: 'Australia/Sydney', simulator, keyEnv: 'HARBOUR_CLINIKO_KEY' };
    const config = writeConfig(clinicsConfig([clinic], 'ctl', 'dst', {}));
    const result = await runCli(['sync', 'harbour-patients', '--config', config], { HARBOUR_CLINIKO_KEY: simulator.apiKey });
    assert.equal(result.code, 2, result.stdout + result.stderr);
    assert.match(result.stderr, /connections\[0\]\.options\.contactEmail: required: the contact email Cliniko asks for in the User-Agent/);
    assert.equal(simulator.stats.requests, 0);
  } finally {
    await simulator.close();
  }
});
