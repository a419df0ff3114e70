/**
 * A sync keeping the tracker's own `clock_times(id, employee_id, clock_in, clock_out,
 * total_minutes, is_active, source)` level with Connecteam through a column mapping, with
 * Connecteam's userId turned into the tracker's employee_id through its own `employees` table:
 * on Postgres, PGlite and MariaDB, through the real engine and the Connecteam simulator.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator, type ConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { connecteam } from '../src/connectors/connecteam/connector.ts';
import { SHIFTS_TABLE, shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import type { TargetTable } from '../src/destinations/destination.ts';
import type { TableMapping } from '../src/destinations/table-mapping.ts';
import type { ResolvedSync } from '../src/engine/resolved-sync.ts';
import { runSync, type RunSummary } from '../src/engine/run-sync.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { businessWindow } from '../src/time/window.ts';
import { DESTINATION_DIALECTS, testDestination, type TestDestination } from './helpers/destinations.ts';
import { testDatabase, type TestDatabase } from './helpers/postgres.ts';
import { CHICAGO, dataset, localSeconds, shift, user } from './helpers/shifts.ts';

const DIALECTS = DESTINATION_DIALECTS.filter((d) => d !== 'sqlite');

const TRACKER_DDL = {
  postgres: [
    'CREATE TABLE {s}employees (id serial PRIMARY KEY, name text NOT NULL, connecteam_user_id bigint UNIQUE)',
    `CREATE TABLE {s}clock_times (id varchar(32) PRIMARY KEY, employee_id integer NOT NULL REFERENCES {s}employees (id),
      clock_in timestamptz NOT NULL, clock_out timestamptz, total_minutes integer, is_active boolean NOT NULL DEFAULT true, source text NOT NULL)`,
  ],
  mysql: [
    'CREATE TABLE employees (id INT AUTO_INCREMENT PRIMARY KEY, name VARCHAR(50) NOT NULL, connecteam_user_id BIGINT UNIQUE)',
    `CREATE TABLE clock_times (id VARCHAR(32) PRIMARY KEY, employee_id INT NOT NULL, clock_in DATETIME NOT NULL, clock_out DATETIME NULL,
      total_minutes INT, is_active TINYINT(1) NOT NULL DEFAULT 1, source VARCHAR(20) NOT NULL,
      touched_at TIMESTAMP(6) NOT NULL DEFAULT CURRENT_TIMESTAMP(6) ON UPDATE CURRENT_TIMESTAMP(6),
      FOREIGN KEY (employee_id) REFERENCES employees (id))`,
  ],
};

interface ClockTime {
  id: string;
  employee_id: number;
  clock_in: string;
  clock_out: string | null;
  total_minutes: number | null;
  is_active: boolean;
  source: string;
  version: string;
}

for (const dialect of DIALECTS) {
  describe(`a mapped table on ${dialect}`, () => {
    let t: TestDestination;
    let control: TestDatabase;
    let ledger: Ledger;
    let simulator: ConnecteamSimulator;
    let table: TargetTable;
    let mapping: TableMapping;

    const morning = shift(101, '2026-11-10T08:00', '2026-11-10T12:00');
    const afternoon = shift(101, '2026-11-10T14:00', '2026-11-10T18:00'); // 6 hours later: a different shift
    const ben = shift(102, '2026-11-10T09:00', '2026-11-10T17:00');
    const stranger = shift(103, '2026-11-10T10:00', '2026-11-10T11:00'); // no employee row yet

    beforeEach(async () => {
      t = await testDestination(dialect);
      control = await testDatabase('postgres', 'ctl');
      await migrateLedger(control.client, control.schema!);
      ledger = new Ledger(control.client, control.schema!);
      simulator = await startConnecteamSimulator({ dataset: dataset([morning, afternoon, ben, stranger], [user(101), user(102), user(103)]), rateLimit: false });
      for (const statement of TRACKER_DDL[dialect === 'mysql' ? 'mysql' : 'postgres']) await t.sql(statement);
      await t.sql("INSERT INTO {s}employees (name, connecteam_user_id) VALUES ('Ana', 101), ('Ben', 102)");
      // A row the tracker wrote before Tidemark: not Tidemark's to touch.
      await t.sql("INSERT INTO {s}clock_times (id, employee_id, clock_in, clock_out, total_minutes, is_active, source) VALUES ('legacy-1', 1, '2026-11-10 14:00:00', NULL, NULL, true, 'manual')");
      table = t.target(SHIFTS_TABLE);
      await t.destination.ensureTable(table);
      mapping = {
        table: 'clock_times',
        ...(t.schema ? { schema: t.schema } : {}),
        keyColumn: 'id',
        columns: [
          ['employee_id', { kind: 'lookup', from: 'user_id', table: 'employees', ...(t.schema ? { schema: t.schema } : {}), match: 'connecteam_user_id', value: 'id', required: true }],
          ['clock_in', { kind: 'column', column: 'start_at' }],
          ['clock_out', { kind: 'column', column: 'end_at' }],
          ['total_minutes', { kind: 'column', column: 'duration_minutes' }],
          ['source', { kind: 'value', value: 'connecteam' }],
        ],
        deleted: { kind: 'flag', column: 'is_active', live: true, deleted: false },
      };
    });
    afterEach(async () => {
      await simulator.close();
      await t.cleanup();
      await control.cleanup();
    });

    const run = (): Promise<RunSummary> => {
      const sync: ResolvedSync = {
        id: 'tracker-shifts',
        tenantId: 'acme',
        timezone: CHICAGO,
        connectionId: 'acme-connecteam',
        stream: shiftsStream,
        mode: 'window',
        table,
        batchSize: 1000,
        deleteGuard: { maxFraction: 1, minRows: 10 },
        mapping,
      };
      const client = connecteam.createClient({
        tenantId: 'acme',
        connectionId: 'acme-connecteam',
        baseUrl: simulator.url,
        credentials: { apiKey: simulator.apiKey },
        credentialEnv: { apiKey: 'TEST_KEY' },
        limits: undefined,
        maxAttempts: 3,
        timeoutMs: 10_000,
        options: {},
      });
      return runSync({ sync, window: businessWindow('2026-11-10', '2026-11-11', CHICAGO), client, destination: t.destination, ledger });
    };

    const clockTimes = async (): Promise<ClockTime[]> => {
      const version = dialect === 'mysql' ? 'CAST(touched_at AS CHAR)' : 'xmin::text';
      const instant = (c: string) => (dialect === 'mysql' ? `DATE_FORMAT(${c}, '%Y-%m-%dT%H:%i:%sZ')` : `to_char(${c} AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`);
      const rows = await t.sql(
        `SELECT id, employee_id, ${instant('clock_in')} AS clock_in, ${instant('clock_out')} AS clock_out, total_minutes, is_active, source, ${version} AS version FROM {s}clock_times ORDER BY clock_in, id`,
      );
      return rows.map((r) => ({
        id: String(r.id),
        employee_id: Number(r.employee_id),
        clock_in: String(r.clock_in),
        clock_out: r.clock_out === null ? null : String(r.clock_out),
        total_minutes: r.total_minutes === null ? null : Number(r.total_minutes),
        is_active: Boolean(Number(r.is_active === true ? 1 : r.is_active === false ? 0 : r.is_active)),
        source: String(r.source),
        version: String(r.version),
      }));
    };

    test('shifts land in clock_times by identity, in UTC, with employee_id from employees; unmatched users are reported', async () => {
      const summary = await run();
      assert.equal(summary.status, 'succeeded', summary.error ?? '');
      assert.deepEqual(summary.mapping && { ...summary.mapping, table: undefined }, { table: undefined, inserted: 3, updated: 0, removed: 0, unmatched: 1, unmatchedKeys: [stranger.id] });
      const warning = summary.warnings.find((w) => w.code === 'unmapped_rows');
      assert.ok(warning, 'the unmatched shift is reported');
      assert.match(warning.message, /1 row\(s\) of connecteam_shifts were not written to .*clock_times: no match for employee_id \(user_id in employees\.connecteam_user_id\)/);
      assert.match(warning.message, new RegExp(stranger.id));

      const rows = await clockTimes();
      const data = rows.map(({ version: _v, ...rest }) => rest);
      assert.deepEqual(data, [
        { id: morning.id, employee_id: 1, clock_in: '2026-11-10T14:00:00Z', clock_out: '2026-11-10T18:00:00Z', total_minutes: 240, is_active: true, source: 'connecteam' },
        { id: 'legacy-1', employee_id: 1, clock_in: '2026-11-10T14:00:00Z', clock_out: null, total_minutes: null, is_active: true, source: 'manual' },
        { id: ben.id, employee_id: 2, clock_in: '2026-11-10T15:00:00Z', clock_out: '2026-11-10T23:00:00Z', total_minutes: 480, is_active: true, source: 'connecteam' },
        { id: afternoon.id, employee_id: 1, clock_in: '2026-11-10T20:00:00Z', clock_out: '2026-11-11T00:00:00Z', total_minutes: 240, is_active: true, source: 'connecteam' },
      ]);
    });

    test('a re-run writes nothing; an update, a deletion and a new employee are carried over exactly', async () => {
      await run();
      const before = await clockTimes();
      const again = await run();
      assert.deepEqual(again.mapping && [again.mapping.inserted, again.mapping.updated, again.mapping.removed], [0, 0, 0]);
      assert.deepEqual(await clockTimes(), before, 'no row rewritten (row versions unchanged)');

      simulator.store.updateShift(ben.id, { end: { timestamp: localSeconds('2026-11-10T18:00'), timezone: CHICAGO, source: { type: 'mobile' } } });
      simulator.store.deleteShift(afternoon.id);
      await t.sql("INSERT INTO {s}employees (name, connecteam_user_id) VALUES ('Cy', 103)");
      const changed = await run();
      assert.equal(changed.status, 'succeeded', changed.error ?? '');
      assert.deepEqual(changed.mapping && [changed.mapping.inserted, changed.mapping.updated, changed.mapping.removed, changed.mapping.unmatched], [1, 1, 1, 0]);
      const rows = new Map((await clockTimes()).map((r) => [r.id, r]));
      assert.equal(rows.get(ben.id)!.total_minutes, 540);
      assert.equal(rows.get(ben.id)!.clock_out, '2026-11-11T00:00:00Z');
      assert.equal(rows.get(afternoon.id)!.is_active, false, 'deleted upstream: flagged inactive, not removed');
      assert.equal(rows.get(morning.id)!.is_active, true);
      assert.equal(rows.get(morning.id)!.version, before.find((r) => r.id === morning.id)!.version, 'the unchanged shift is not rewritten');
      assert.equal(rows.get(stranger.id)!.employee_id, 3);
      assert.equal(rows.get('legacy-1')!.source, 'manual');
      assert.equal(rows.size, 5);
    });
  });
}
