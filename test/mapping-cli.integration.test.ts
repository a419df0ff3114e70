/**
 * The tracker's story through the real binary on MariaDB: its existing `clock_times` (no unique
 * key on the Connecteam id, naive DATETIME columns) is diagnosed by `tidemark doctor` with the fix,
 * and once fixed, `tidemark sync` with a JSON `mapping` keeps it level with Connecteam.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import mysql from 'mysql2/promise';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { freshSchema, PG_URL, uniqueName } from './helpers/postgres.ts';
import { MYSQL_URL } from './helpers/destinations.ts';
import { runCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift, user } from './helpers/shifts.ts';

test('doctor explains the tracker\'s clock_times and prints the key fix; sync then fills it through the mapping', async () => {
  const morning = shift(101, '2026-11-10T08:00', '2026-11-10T12:00');
  const afternoon = shift(101, '2026-11-10T14:00', '2026-11-10T18:00');
  const simulator = await startConnecteamSimulator({ dataset: dataset([morning, afternoon], [user(101)]), rateLimit: false });
  const control = await freshSchema('ctl');
  const database = uniqueName('t');
  const admin = await mysql.createConnection({ uri: MYSQL_URL, dateStrings: true });
  try {
    await admin.query(`CREATE DATABASE \`${database}\``);
    await admin.query(`USE \`${database}\``);
    await admin.query('CREATE TABLE employees (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL, connecteam_user_id BIGINT)');
    await admin.query(`CREATE TABLE clock_times (row_id INT AUTO_INCREMENT PRIMARY KEY, id VARCHAR(32), employee_id INT NOT NULL,
      clock_in DATETIME NOT NULL, clock_out DATETIME NULL, total_minutes INT, is_active TINYINT(1) NOT NULL DEFAULT 1, source VARCHAR(20) NOT NULL)`);
    await admin.query("INSERT INTO employees (name, connecteam_user_id) VALUES ('Ana', 101)");

    const file = writeConfig({
      controlPlane: { url: PG_URL, schema: control.schema },
      tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
      connections: [{ id: 'ct', tenant: 'acme', connector: 'connecteam', baseUrl: simulator.url, credentials: { apiKey: { env: 'K' } } }],
      destinations: [{ id: 'tracker', url: `${MYSQL_URL}/${database}` }],
      syncs: [
        {
          id: 'tracker-shifts',
          tenant: 'acme',
          connection: 'ct',
          stream: 'connecteam.shifts',
          destination: 'tracker',
          mapping: {
            table: 'clock_times',
            key: 'id',
            columns: {
              employee_id: { lookup: { from: 'user_id', table: 'employees', match: 'connecteam_user_id', value: 'id' } },
              clock_in: 'start_at',
              clock_out: 'end_at',
              total_minutes: 'duration_minutes',
              source: { value: 'connecteam' },
            },
            deleted: { column: 'is_active', live: true, deleted: false },
          },
        },
      ],
    });
    const env = { K: simulator.apiKey };
    assert.equal((await runCli(['migrate', '--config', file], env)).code, 0);

    const broken = await runCli(['doctor', '--config', file], env);
    assert.equal(broken.code, 1, broken.stdout);
    assert.match(broken.stdout, /! sync tracker-shifts: clock_times\.clock_in is DATETIME, which has no zone: Tidemark writes the UTC instant into it/);
    assert.match(broken.stdout, /CONVERT_TZ\(clock_in, '\+00:00', 'America\/Chicago'\)/);
    assert.match(broken.stdout, /! sync tracker-shifts: `employees`\.connecteam_user_id has no unique key/);
    assert.match(broken.stdout, /✗ sync tracker-shifts: mapped table `clock_times` has no unique key on \(id\)/);
    const fixLine = broken.stdout.split('\n').find((l) => l.includes('fix: ALTER TABLE `clock_times` ADD UNIQUE KEY'));
    assert.ok(fixLine, broken.stdout);
    await admin.query(fixLine.trim().slice('fix:'.length).split('  (')[0]!.trim());

    const fixed = await runCli(['doctor', '--config', file], env);
    assert.equal(fixed.code, 0, fixed.stdout);
    assert.match(fixed.stdout, /✓ sync tracker-shifts: mapped table `clock_times`: 7 columns and the unique key \(id\) as needed/);

    const sync = await runCli(['sync', 'tracker-shifts', '--from', '2026-11-10', '--to', '2026-11-11', '--config', file], env);
    assert.equal(sync.code, 0, sync.stdout + sync.stderr);
    assert.match(sync.stdout, /→ clock_times: inserted 2, updated 0, removed 0/);
    const [rows] = await admin.query<mysql.RowDataPacket[]>('SELECT id, employee_id, clock_in, clock_out, total_minutes, source FROM clock_times ORDER BY clock_in');
    assert.deepEqual(
      rows.map((r) => ({ ...r })),
      [
        { id: morning.id, employee_id: 1, clock_in: '2026-11-10 14:00:00', clock_out: '2026-11-10 18:00:00', total_minutes: 240, source: 'connecteam' },
        { id: afternoon.id, employee_id: 1, clock_in: '2026-11-10 20:00:00', clock_out: '2026-11-11 00:00:00', total_minutes: 240, source: 'connecteam' },
      ],
    );
  } finally {
    await simulator.close();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
    await control.drop();
  }
});
