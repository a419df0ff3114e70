/**
 * `tidemark doctor` on the job engine's side, through the real CLI: configured schedules against
 * the ones registered in pg-boss (missing, extra, changed; `schedules apply` clears them), ledger
 * migrations pending or newer than the build, one authenticated call per connection against the
 * three simulators (a refused key named by its variable, never printed), and an embedded control
 * plane that does not exist yet or is held by another process. Doctor never changes anything.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import pg from 'pg';
import { startConnecteamSimulator, DEFAULT_API_KEY as CONNECTEAM_KEY, type ConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { startYclientsSimulator, DEFAULT_PARTNER_TOKEN, DEFAULT_USER_TOKEN, type YclientsSimulator } from '../src/connectors/yclients/simulator/index.ts';
import { startClinikoSimulator, DEFAULT_API_KEY as CLINIKO_KEY, type ClinikoSimulator } from '../src/connectors/cliniko/simulator/index.ts';
import { lockDirectory } from '../src/db/directory-lock.ts';
import { LEDGER_MIGRATIONS } from '../src/ledger/sql/migrations.ts';
import { acmeConfig, runCli, writeConfig, type CliResult } from './helpers/cli.ts';
import { PG_URL, pgRows, uniqueName } from './helpers/postgres.ts';

let connecteam: ConnecteamSimulator;
let yclients: YclientsSimulator;
let cliniko: ClinikoSimulator;

before(async () => {
  [connecteam, yclients, cliniko] = await Promise.all([startConnecteamSimulator(), startYclientsSimulator(), startClinikoSimulator()]);
});
after(() => Promise.all([connecteam.close(), yclients.close(), cliniko.close()]));

const ENV = { ACME_CT_KEY: CONNECTEAM_KEY, SALON_PARTNER: DEFAULT_PARTNER_TOKEN, SALON_USER: DEFAULT_USER_TOKEN, HARBOUR_KEY: CLINIKO_KEY };

interface Report {
  readonly ok: boolean;
  readonly findings: readonly { level: string; subject: string; message: string; fix?: string }[];
  readonly fixes: readonly string[];
}

/** Control and destination schemas of one test; `drop()` removes them and the job engine's `<control>_jobs`. */
function testSchemas() {
  const control = uniqueName('ctl');
  const destination = uniqueName('dst');
  return {
    control,
    destination,
    async drop() {
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of [control, `${control}_jobs`, destination]) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
}

type Schedule = { name: string; cron: string; window?: string; missed?: 'skip' | 'once' };

/** acmeConfig with schedules: acme-shifts every 15 minutes and nightly, acme-users hourly (unless overridden). */
function scheduledConfig(control: string, destination: string, schedules: { shifts?: Schedule[]; users?: Schedule[] } = {}) {
  const base = acmeConfig(connecteam.url, control, destination);
  const shifts = schedules.shifts ?? [{ name: 'quarter', cron: '*/15 * * * *' }, { name: 'nightly', cron: '0 2 * * *' }];
  const users = schedules.users ?? [{ name: 'hourly', cron: '0 * * * *' }];
  return {
    ...base,
    syncs: base.syncs.map((sync) => ({ ...sync, schedules: sync.id === 'acme-shifts' ? shifts : users })),
  };
}

async function cli(args: readonly string[], config: unknown, env: NodeJS.ProcessEnv = ENV): Promise<CliResult> {
  return runCli([...args, '--config', writeConfig(config)], env);
}

async function doctorJson(config: unknown, env: NodeJS.ProcessEnv = ENV): Promise<{ code: number | null; report: Report; errors: Report['findings'] }> {
  const result = await cli(['doctor', '--json'], config, env);
  const report = JSON.parse(result.stdout) as Report;
  return { code: result.code, report, errors: report.findings.filter((f) => f.level === 'error') };
}

function explain(result: CliResult): string {
  return `exit ${result.code}\n${result.stdout}\n${result.stderr}`;
}

const APPLY_FIX = 'run `tidemark schedules apply` (or restart `tidemark start`)';

test('schedules: never registered, extra, missing and changed are each reported with the fix; after apply doctor passes', async () => {
  const schemas = testSchemas();
  try {
    const configA = scheduledConfig(schemas.control, schemas.destination);
    assert.equal((await cli(['migrate'], configA)).code, 0);

    // pg-boss was never installed: the cron jobs were never registered.
    const unregistered = await cli(['doctor'], configA);
    assert.equal(unregistered.code, 1, explain(unregistered));
    assert.match(unregistered.stdout, /✗ job engine "ctl_\w+_jobs": pg-boss is not installed in the control plane: the 3 configured schedule\(s\) \(acme-shifts\/quarter, acme-shifts\/nightly, acme-users\/hourly\) were never registered/);
    assert.match(unregistered.stdout, /fix: run `tidemark start` or `tidemark schedules apply`/);

    const applied = await cli(['schedules', 'apply'], configA);
    assert.equal(applied.code, 0, explain(applied));
    const ok = await cli(['doctor'], configA);
    assert.equal(ok.code, 0, explain(ok));
    assert.match(ok.stdout, /✓ job engine "ctl_\w+_jobs": 3 schedule\(s\) configured, all registered as configured/);
    assert.match(ok.stdout, /✓ ledger "ctl_\w+": at version \d+ \(migrations [\d, ]+ applied\), none pending/);
    assert.match(ok.stdout, /✓ control plane postgres:\/\/.*: answers in [\d.]+ ms/);
    assert.match(ok.stdout, /✓ destination warehouse postgres:\/\/.*: answers in [\d.]+ ms/);
    assert.match(ok.stdout, /✓ sync acme-shifts: table .* and the unique key \(tenant_id, shift_id\) as needed/);
    assert.match(ok.stdout, /Everything is in place\./);

    // A schedule removed from the configuration still fires: extra.
    const configB = scheduledConfig(schemas.control, schemas.destination, { shifts: [{ name: 'quarter', cron: '*/15 * * * *' }] });
    const extra = await cli(['doctor'], configB);
    assert.equal(extra.code, 1, explain(extra));
    assert.match(extra.stdout, /✗ schedule acme-shifts\/nightly: registered \("0 2 \* \* \*" America\/Chicago\) but no longer configured: it still fires\n {4}fix: run `tidemark schedules apply` \(or restart `tidemark start`\)/);
    assert.match(extra.stdout, /1 problem\(s\)\. To fix:\n {2}- run `tidemark schedules apply` \(or restart `tidemark start`\)\n$/);

    // A schedule added to the configuration but never registered: missing.
    const configC = scheduledConfig(schemas.control, schemas.destination, { users: [{ name: 'hourly', cron: '0 * * * *' }, { name: 'evening', cron: '0 18 * * 1-5' }] });
    const missing = await doctorJson(configC);
    assert.equal(missing.code, 1);
    assert.deepEqual(missing.errors.map((f) => f.subject), ['schedule acme-users/evening']);
    assert.match(missing.errors[0]!.message, /configured \("0 18 \* \* 1-5" America\/Chicago, missed: skip\) but not registered in the job engine: it never runs/);
    assert.deepEqual(missing.report.fixes, [APPLY_FIX]);

    // Cron and missed-run policy changed in the configuration: changed, naming both sides.
    const configD = scheduledConfig(schemas.control, schemas.destination, {
      shifts: [{ name: 'quarter', cron: '*/10 * * * *', missed: 'once' }, { name: 'nightly', cron: '0 2 * * *' }],
    });
    const changed = await doctorJson(configD);
    assert.equal(changed.code, 1);
    assert.deepEqual(changed.errors.map((f) => f.subject), ['schedule acme-shifts/quarter']);
    assert.match(changed.errors[0]!.message, /cron "\*\/15 \* \* \* \*" → "\*\/10 \* \* \* \*", missed "skip" → "once"/);
    assert.equal(changed.errors[0]!.fix, APPLY_FIX);

    // Doctor registered nothing: the engine still holds configuration A exactly.
    const listed = await cli(['schedules', 'list'], configA);
    assert.equal(listed.code, 0, explain(listed));

    assert.equal((await cli(['schedules', 'apply'], configD)).code, 0);
    const fixed = await cli(['doctor'], configD);
    assert.equal(fixed.code, 0, explain(fixed));
  } finally {
    await schemas.drop();
  }
});

test('connections: one authenticated call each; a refused key names tenant, connection and variable, never the key', async () => {
  const schemas = testSchemas();
  const base = acmeConfig(connecteam.url, schemas.control, schemas.destination);
  const config = {
    ...base,
    tenants: [...base.tenants, { id: 'salon', name: 'Salon', timezone: 'Europe/Moscow' }, { id: 'harbour', name: 'Harbour', timezone: 'Australia/Sydney' }],
    connections: [
      ...base.connections,
      {
        id: 'salon-yclients',
        tenant: 'salon',
        connector: 'yclients',
        baseUrl: yclients.url,
        credentials: { partnerToken: { env: 'SALON_PARTNER' }, userToken: { env: 'SALON_USER' } },
        options: { companyId: 501101 },
      },
      { id: 'harbour-cliniko', tenant: 'harbour', connector: 'cliniko', baseUrl: cliniko.apiUrl, credentials: { apiKey: { env: 'HARBOUR_KEY' } }, options: { contactEmail: 'it@harbour.example' } },
    ],
  };
  try {
    assert.equal((await cli(['migrate'], config)).code, 0);
    const ok = await cli(['doctor'], config);
    assert.equal(ok.code, 0, explain(ok));
    assert.match(ok.stdout, /✓ connection acme-connecteam \(tenant acme, Connecteam\): GET \/users\/v1\/users\?limit=1 accepted the credentials in [\d.]+ ms/);
    assert.match(ok.stdout, /✓ connection salon-yclients \(tenant salon, YClients\): GET \/api\/v1\/staff\/501101 accepted the credentials/);
    assert.match(ok.stdout, /✓ connection harbour-cliniko \(tenant harbour, Cliniko\): GET \/practitioners\?per_page=1 accepted the credentials/);

    const wrong = { ACME_CT_KEY: 'wrong-connecteam-key-5d1f', SALON_PARTNER: DEFAULT_PARTNER_TOKEN, SALON_USER: 'wrong-user-token-77e2', HARBOUR_KEY: 'wrong-cliniko-key-9a7c-au1' };
    const refused = await cli(['doctor'], config, wrong);
    assert.equal(refused.code, 1, explain(refused));
    assert.match(refused.stdout, /✗ connection acme-connecteam \(tenant acme, Connecteam\): Connecteam refused the credentials of tenant "acme", connection "acme-connecteam" \(HTTP 401 on GET \/users\/v1\/users\?limit=1\)\n {4}fix: check the key in \$ACME_CT_KEY/);
    assert.match(refused.stdout, /✗ connection salon-yclients \(tenant salon, YClients\): YClients refused the credentials of tenant "salon", connection "salon-yclients" \(HTTP 401[^)]*\)\n {4}fix: check the keys in \$SALON_PARTNER and \$SALON_USER/);
    assert.match(refused.stdout, /✗ connection harbour-cliniko \(tenant harbour, Cliniko\): Cliniko refused the credentials of tenant "harbour", connection "harbour-cliniko" \(HTTP 401[^)]*\)\n {4}fix: check the key in \$HARBOUR_KEY/);
    assert.match(refused.stdout, /3 problem\(s\)\. To fix:\n {2}- check the key in \$ACME_CT_KEY\n {2}- check the keys in \$SALON_PARTNER and \$SALON_USER\n {2}- check the key in \$HARBOUR_KEY\n$/);
    for (const secret of [...Object.values(wrong), ...Object.values(ENV)]) {
      assert.ok(!refused.stdout.includes(secret) && !refused.stderr.includes(secret), `a credential leaked into the output:\n${explain(refused)}`);
      assert.ok(!ok.stdout.includes(secret) && !ok.stderr.includes(secret), 'a credential leaked into the output of the passing run');
    }

    // An upstream that never answers costs the probe's few seconds, not the connection's 30 s timeout.
    const slow = await startConnecteamSimulator({ faults: { latencyMs: 8_000 } });
    try {
      const started = Date.now();
      const silent = await doctorJson({ ...config, connections: config.connections.map((c) => (c.id === 'acme-connecteam' ? { ...c, baseUrl: slow.url } : c)) });
      assert.ok(Date.now() - started < 15_000, `doctor took ${Date.now() - started} ms`);
      assert.equal(silent.code, 1);
      assert.deepEqual(silent.errors.map((f) => [f.subject, f.message]), [['connection acme-connecteam (tenant acme, Connecteam)', 'no answer to GET /users/v1/users?limit=1 within 5 s']]);
    } finally {
      await slow.close();
    }

    const unset = await doctorJson(config, { ...ENV, HARBOUR_KEY: '' });
    assert.equal(unset.code, 1);
    assert.deepEqual(unset.errors.map((f) => [f.subject, f.message]), [['connection harbour-cliniko (tenant harbour, Cliniko)', 'environment variable(s) HARBOUR_KEY not set for tenant "harbour", connection "harbour-cliniko"']]);
  } finally {
    await schemas.drop();
  }
});

test('ledger migrations: pending ones are listed and left pending; one newer than this build asks for an upgrade', async () => {
  const schemas = testSchemas();
  const config = acmeConfig(connecteam.url, schemas.control, schemas.destination);
  const latest = LEDGER_MIGRATIONS.at(-1)!;
  try {
    assert.equal((await cli(['migrate'], config)).code, 0);
    await pgRows(`DELETE FROM "${schemas.control}".migrations WHERE version = $1`, [latest.version]);

    const pending = await cli(['doctor'], config);
    assert.equal(pending.code, 1, explain(pending));
    assert.match(pending.stdout, new RegExp(`✗ ledger "${schemas.control}": 1 migration\\(s\\) pending: ${latest.version} "[^"]+" \\(applied: [\\d, ]+\\)\\n {4}fix: tidemark migrate`));
    const recorded = await pgRows<{ version: number }>(`SELECT version FROM "${schemas.control}".migrations ORDER BY version`);
    assert.ok(!recorded.some((r) => r.version === latest.version), 'doctor must not migrate the ledger');

    await pgRows(`INSERT INTO "${schemas.control}".migrations (version, name) VALUES ($1, $2), ($3, 'from a newer Tidemark')`, [latest.version, latest.name, latest.version + 90]);
    const newer = await doctorJson(config);
    assert.equal(newer.code, 1);
    assert.equal(newer.errors.length, 1, JSON.stringify(newer.errors));
    assert.match(newer.errors[0]!.message, new RegExp(`migration\\(s\\) ${latest.version + 90} "from a newer Tidemark" were applied by a newer Tidemark: this build knows versions up to ${latest.version}`));
    assert.match(newer.errors[0]!.fix ?? '', /^upgrade Tidemark/);
  } finally {
    await schemas.drop();
  }
});

test('embedded PGlite control plane: absent is reported (not created), applied schedules pass, held by another process is reported', async () => {
  const schemas = testSchemas();
  const directory = join(mkdtempSync(join(tmpdir(), 'tidemark-doctor-pglite-')), 'control');
  const config = { ...scheduledConfig(schemas.control, schemas.destination), controlPlane: { url: `pglite:${directory}`, schema: 'tidemark' } };
  try {
    const absent = await cli(['doctor'], config);
    assert.equal(absent.code, 1, explain(absent));
    assert.match(absent.stdout, /✗ control plane pglite:.*: the embedded data directory .* does not exist yet.*\n {4}fix: tidemark migrate/);
    assert.ok(!existsSync(directory), 'doctor must not create the embedded directory');

    assert.equal((await cli(['migrate'], config)).code, 0);
    assert.equal((await cli(['schedules', 'apply'], config)).code, 0);
    const ok = await cli(['doctor'], config);
    assert.equal(ok.code, 0, explain(ok));
    assert.match(ok.stdout, /✓ job engine "tidemark_jobs": 3 schedule\(s\) configured, all registered as configured/);

    const release = lockDirectory(directory); // as a running `tidemark start` holds it
    try {
      const held = await cli(['doctor'], config);
      assert.equal(held.code, 1, explain(held));
      assert.match(held.stdout, /✗ control plane pglite:.*: cannot be checked while another process holds it: .*in use by another Tidemark process/);
      assert.match(held.stdout, /fix: stop that process \(e\.g\. `tidemark start`\) and run `tidemark doctor` again/);
      assert.equal(held.stderr, '');
      // The rest is still checked.
      assert.match(held.stdout, /✓ connection acme-connecteam/);
      assert.match(held.stdout, /✓ sync acme-users: table/);
    } finally {
      release();
    }
  } finally {
    await schemas.drop();
  }
});
