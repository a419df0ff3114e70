/**
 * `tidemark doctor` against real tables: after migrate everything is in place; a missing identity
 * key or a naive timestamp column is reported with the fix, and running the printed fix clears it.
 * Doctor also makes one authenticated call per connection: the connection points at the
 * Connecteam simulator.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { freshSchema, PG_URL, uniqueName } from './helpers/postgres.ts';
import { MYSQL_URL } from './helpers/destinations.ts';
import { runCli, writeConfig } from './helpers/cli.ts';
import { startConnecteamSimulator, DEFAULT_API_KEY, type ConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';

let simulator: ConnecteamSimulator;
before(async () => {
  simulator = await startConnecteamSimulator();
});
after(() => simulator.close());

function config(controlSchema: string, destinationUrl: string, destinationSchema?: string) {
  return {
    controlPlane: { url: PG_URL, schema: controlSchema },
    tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
    connections: [{ id: 'ct', tenant: 'acme', connector: 'connecteam', baseUrl: simulator.url, credentials: { apiKey: { env: 'K' } } }],
    destinations: [{ id: 'w', url: destinationUrl, ...(destinationSchema ? { schema: destinationSchema } : {}) }],
    syncs: [{ id: 'acme-shifts', tenant: 'acme', connection: 'ct', stream: 'connecteam.shifts', destination: 'w' }],
  };
}

/** The SQL statement of the first `fix:` line (before the two-space note). */
function printedFix(stdout: string): string {
  const line = stdout.split('\n').find((l) => l.trim().startsWith('fix:') && !l.includes('tidemark migrate'));
  assert.ok(line, `a fix is printed:\n${stdout}`);
  return line.trim().slice('fix:'.length).split('  (')[0]!.trim();
}

test('doctor on Postgres: migrated is fine; a lost key and a naive timestamp are explained and fixed', async () => {
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  try {
    const file = writeConfig(config(control.schema, PG_URL, dest.schema));
    const unmigrated = await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY });
    assert.equal(unmigrated.code, 1);
    assert.match(unmigrated.stdout, /ledger schema .* is not set up[\s\S]*fix: tidemark migrate/);
    assert.match(unmigrated.stdout, /table .*connecteam_shifts" does not exist/);

    assert.equal((await runCli(['migrate', '--config', file], { K: DEFAULT_API_KEY })).code, 0);
    const ok = await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY });
    assert.equal(ok.code, 0, ok.stdout);
    assert.match(ok.stdout, /✓ sync acme-shifts: table .* and the unique key \(tenant_id, shift_id\) as needed/);

    await client.query(`ALTER TABLE "${dest.schema}".connecteam_shifts DROP CONSTRAINT connecteam_shifts_identity`);
    await client.query(`ALTER TABLE "${dest.schema}".connecteam_shifts ALTER COLUMN start_at TYPE timestamp`);
    const broken = await runCli(['doctor', '--config', file, '--json'], { K: DEFAULT_API_KEY });
    assert.equal(broken.code, 1);
    const report = JSON.parse(broken.stdout) as { ok: boolean; findings: { level: string; message: string; fix?: string }[] };
    assert.equal(report.ok, false);
    const messages = report.findings.filter((f) => f.level === 'error').map((f) => f.message);
    assert.equal(messages.length, 2, messages.join('\n'));
    assert.match(messages.join('\n'), /column start_at is timestamp without time zone, which cannot hold an instant: a naive timestamp/);
    assert.match(messages.join('\n'), /no unique key on \(tenant_id, shift_id\)/);

    for (const finding of report.findings.filter((f) => f.fix && f.level === 'error')) {
      await client.query(finding.fix!.split('  (')[0]!);
    }
    const fixed = await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY });
    assert.equal(fixed.code, 0, fixed.stdout);
  } finally {
    await client.end();
    await control.drop();
    await dest.drop();
  }
});

test('doctor on MariaDB and SQLite: a table without its identity key is reported, and the fix works', async () => {
  const control = await freshSchema('ctl');
  const database = uniqueName('t');
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  const sqliteFile = join(mkdtempSync(join(tmpdir(), 'tidemark-doctor-')), 'site.db');
  try {
    await admin.query(`CREATE DATABASE \`${database}\``);
    for (const url of [`${MYSQL_URL}/${database}`, `sqlite:${sqliteFile}`]) {
      const file = writeConfig(config(control.schema, url));
      assert.equal((await runCli(['migrate', '--config', file], { K: DEFAULT_API_KEY })).code, 0);
      assert.equal((await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY })).code, 0, url);
      if (url.startsWith('sqlite:')) {
        const db = new DatabaseSync(sqliteFile);
        // SQLite cannot drop a primary key: rebuild the table without it, as a hand-made table would be.
        db.exec('CREATE TABLE copy AS SELECT * FROM connecteam_shifts; DROP TABLE connecteam_shifts; ALTER TABLE copy RENAME TO connecteam_shifts;');
        db.close();
      } else {
        await admin.query(`ALTER TABLE \`${database}\`.connecteam_shifts DROP PRIMARY KEY`);
      }
      const broken = await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY });
      assert.equal(broken.code, 1, broken.stdout);
      assert.match(broken.stdout, /no unique key on \(tenant_id, shift_id\)/);
      const fix = printedFix(broken.stdout);
      if (url.startsWith('sqlite:')) {
        const db = new DatabaseSync(sqliteFile);
        db.exec(fix);
        db.close();
      } else {
        await admin.query(`USE \`${database}\``);
        await admin.query(fix);
      }
      const fixed = await runCli(['doctor', '--config', file], { K: DEFAULT_API_KEY });
      assert.equal(fixed.code, 0, fixed.stdout);
    }
  } finally {
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
    await control.drop();
  }
});
