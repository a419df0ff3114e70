/**
 * `tidemark repair dedupe` against real databases (a fresh schema on Postgres, a PGlite data
 * directory, a fresh database on MariaDB): a tracker's clock_times full of copies of the same
 * shifts. The dry run changes nothing; --apply keeps the right copy, backs up every row of the
 * groups, adds the unique constraint, and a second --apply has nothing to do.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import mysql from 'mysql2/promise';
import pg from 'pg';
import { openPostgres } from '../src/db/open.ts';
import { freshSchema, PG_URL, uniqueName } from './helpers/postgres.ts';
import { MYSQL_URL } from './helpers/destinations.ts';
import { runCli, writeConfig } from './helpers/cli.ts';

const DIALECTS = (['postgres', 'pglite', 'mysql'] as const).filter((d) => !process.env.DIALECTS || process.env.DIALECTS.split(',').includes(d));
type Dialect = (typeof DIALECTS)[number];

interface Fixture {
  /** Arguments that point the command at this database. */
  readonly target: string[];
  exec(sql: string): Promise<void>;
  ids(table: string): Promise<number[]>;
  cleanup(): Promise<void>;
}

/** `tidemark repair …` as a user runs it: the real binary in a child process. */
async function repair(argv: string[]): Promise<{ code: number; stdout: string; stderr: string }> {
  const result = await runCli(['repair', ...argv]);
  return { code: result.code ?? -1, stdout: result.stdout, stderr: result.stderr };
}

function tableSql(dialect: Dialect, name: string): string {
  const instant = dialect === 'mysql' ? 'DATETIME(6)' : 'timestamptz';
  return `CREATE TABLE ${name} (id integer PRIMARY KEY, employee_id integer, clock_in ${instant} NOT NULL, clock_out ${instant},
    total_minutes integer, is_active boolean NOT NULL, source varchar(20), updated_at ${instant})`;
}

// [id, employee_id, clock_in, clock_out, total_minutes, is_active, source, updated_at]
type Row = [number, number | null, string, string | null, number | null, boolean, string, string];
const ROWS: Row[] = [
  // one shift stored open and then closed: the closed copy wins although the open one was touched later
  [1, 7, '2026-03-02 14:00:00', null, null, true, 'app', '2026-03-03 09:00:00'],
  [2, 7, '2026-03-02 14:00:00', '2026-03-02 22:00:00', 480, false, 'app', '2026-03-02 22:05:00'],
  // three equally complete copies: the latest update wins (not the highest id)
  [3, 8, '2026-03-02 08:00:00', '2026-03-02 16:00:00', 480, false, 'import', '2026-03-02 16:10:00'],
  [4, 8, '2026-03-02 08:00:00', '2026-03-02 16:00:00', 480, false, 'import', '2026-03-02 18:00:00'],
  [5, 8, '2026-03-02 08:00:00', '2026-03-02 16:00:00', 480, false, 'import', '2026-03-02 17:00:00'],
  // a NULL in the key: never a duplicate
  [6, null, '2026-03-02 09:00:00', '2026-03-02 17:00:00', 480, false, 'manual', '2026-03-02 17:00:00'],
  [7, null, '2026-03-02 09:00:00', '2026-03-02 17:00:00', 480, false, 'manual', '2026-03-02 17:00:00'],
  [8, 9, '2026-03-02 08:00:00', '2026-03-02 12:00:00', 240, false, 'app', '2026-03-02 12:00:00'],
];

function literal(value: string | number | boolean | null, dialect: Dialect): string {
  if (value === null) return 'NULL';
  if (typeof value === 'boolean') return dialect === 'mysql' ? (value ? '1' : '0') : String(value);
  if (typeof value === 'number') return String(value);
  return /^\d{4}-/.test(value) && dialect !== 'mysql' ? `'${value}+00'` : `'${value}'`;
}

function insertSql(dialect: Dialect, table: string, rows: readonly Row[]): string {
  return `INSERT INTO ${table} VALUES ${rows.map((r) => `(${r.map((v) => literal(v, dialect)).join(', ')})`).join(', ')}`;
}

async function postgresFixture(): Promise<Fixture> {
  const { schema, drop } = await freshSchema('dedupe');
  const client = new pg.Client({ connectionString: PG_URL });
  await client.connect();
  await client.query(`SET search_path = "${schema}"`);
  // Through the configuration, as an operator would name a destination.
  const config = writeConfig({ tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }], destinations: [{ id: 'tracker', url: PG_URL, schema }] });
  return {
    target: ['--destination', 'tracker', '--config', config],
    exec: async (sql) => void (await client.query(sql)),
    ids: async (table) => (await client.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id),
    async cleanup() {
      await client.end();
      await drop();
    },
  };
}

async function pgliteFixture(): Promise<Fixture> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-dedupe-'));
  const url = `pglite:${join(dir, 'data')}`;
  // One process at a time owns a PGlite directory: open, work, close, so the command can open it.
  const withClient = async <T>(work: (client: Awaited<ReturnType<typeof openPostgres>>) => Promise<T>): Promise<T> => {
    const client = await openPostgres(url);
    try {
      return await work(client);
    } finally {
      await client.close();
    }
  };
  return {
    target: ['--url', url],
    exec: (sql) => withClient((c) => c.exec(sql)),
    ids: (table) => withClient(async (c) => (await c.query<{ id: number }>(`SELECT id FROM ${table} ORDER BY id`)).rows.map((r) => r.id)),
    cleanup: async () => rmSync(dir, { recursive: true, force: true }),
  };
}

async function mysqlFixture(): Promise<Fixture> {
  const database = uniqueName('dedupe');
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const client = await mysql.createConnection({ uri: `${MYSQL_URL}/${database}` });
  return {
    target: ['--url', `${MYSQL_URL}/${database}`],
    exec: async (sql) => void (await client.query(sql)),
    ids: async (table) => ((await client.query<mysql.RowDataPacket[]>(`SELECT id FROM ${table} ORDER BY id`))[0]).map((r) => Number(r.id)),
    async cleanup() {
      await client.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

const FIXTURES: Record<Dialect, () => Promise<Fixture>> = { postgres: postgresFixture, pglite: pgliteFixture, mysql: mysqlFixture };

interface JsonReport {
  groups: number;
  duplicateRows: number;
  rowsToDelete: number;
  listed: { key: Record<string, string | null>; rows: number; keep: string; reason: string }[];
  existingConstraint: string | null;
  applied: { groups: number; rowsDeleted: number; backupTable: string | null; backupRows: number; constraintAdded: string | null } | null;
}

for (const dialect of DIALECTS) {
  test(`${dialect}: dry run lists the groups and changes nothing; --apply keeps the right rows, backs up, adds the key; again: nothing to do`, async () => {
    const db = await FIXTURES[dialect]();
    try {
      await db.exec(tableSql(dialect, 'clock_times'));
      await db.exec(insertSql(dialect, 'clock_times', ROWS));
      const args = (...more: string[]) => ['dedupe', ...db.target, '--table', 'clock_times', '--key', 'employee_id,clock_in', ...more];

      const dry = await repair(args());
      assert.equal(dry.code, 0, dry.stderr);
      assert.match(dry.stdout, /2 duplicate groups, 5 rows: 3 rows would be deleted/);
      assert.match(dry.stdout, /employee_id=7, clock_in=2026-03-02.14:00:00[^:]*: 2 rows, keep id=2 \(most complete: 8 of 8 columns set, has clock_out, total_minutes\)/);
      assert.match(dry.stdout, /employee_id=8, clock_in=2026-03-02.08:00:00[^:]*: 3 rows, keep id=4 \(latest updated_at: 2026-03-02.18:00:00/);
      assert.match(dry.stdout, /unique constraint clock_times_employee_id_clock_in_key on \(employee_id, clock_in\) would be added/);
      assert.deepEqual(await db.ids('clock_times'), [1, 2, 3, 4, 5, 6, 7, 8], 'a dry run changes nothing');

      const capped = await repair(args('--limit', '1', '--json'));
      const cappedReport = JSON.parse(capped.stdout) as JsonReport;
      assert.equal(cappedReport.listed.length, 1);
      assert.equal(cappedReport.applied, null);
      const cappedText = await repair(args('--limit', '1'));
      assert.match(cappedText.stdout, /… and 1 more/);

      const applied = await repair(args('--apply', '--json'));
      assert.equal(applied.code, 0, applied.stderr);
      const report = JSON.parse(applied.stdout) as JsonReport;
      assert.equal(report.applied?.groups, 2);
      assert.equal(report.applied?.rowsDeleted, 3);
      assert.equal(report.applied?.backupRows, 5);
      assert.equal(report.applied?.constraintAdded, 'clock_times_employee_id_clock_in_key');
      const backup = report.applied?.backupTable ?? '';
      assert.match(backup, /^clock_times_dedupe_backup_\d{14}$/);
      assert.deepEqual(await db.ids('clock_times'), [2, 4, 6, 7, 8], 'closed beats open, latest update wins, NULL keys stay');
      assert.deepEqual(await db.ids(backup), [1, 2, 3, 4, 5], 'every row of the groups, kept and deleted');
      await assert.rejects(db.exec(insertSql(dialect, 'clock_times', [[9, 7, '2026-03-02 14:00:00', null, null, true, 'app', '2026-03-04 00:00:00']])), /duplicate|unique/i);

      const again = await repair(args('--apply'));
      assert.equal(again.code, 0, again.stderr);
      assert.match(again.stdout, /no duplicate groups and unique key clock_times_employee_id_clock_in_key on \(employee_id, clock_in\) exists already: nothing to do/);
      assert.deepEqual(await db.ids('clock_times'), [2, 4, 6, 7, 8]);
    } finally {
      await db.cleanup();
    }
  });

  test(`${dialect}: --prefer and --latest override the ranking; a missing table or column exits 2`, async () => {
    const db = await FIXTURES[dialect]();
    try {
      await db.exec(tableSql(dialect, 'clock_times'));
      await db.exec(insertSql(dialect, 'clock_times', ROWS));
      // --latest id: the highest id wins among equally complete copies (5, not 4).
      const latest = await repair(['dedupe', ...db.target, '--table', 'clock_times', '--key', 'employee_id,clock_in', '--latest', 'id', '--json']);
      const report = JSON.parse(latest.stdout) as JsonReport;
      assert.deepEqual(report.listed.map((g) => g.keep), ['id=2', 'id=5']);

      const table = await repair(['dedupe', ...db.target, '--table', 'no_such_table', '--key', 'employee_id']);
      assert.equal(table.code, 2);
      assert.match(table.stderr, /table no_such_table not found/);
      const column = await repair(['dedupe', ...db.target, '--table', 'clock_times', '--key', 'employee_id,shift_start']);
      assert.equal(column.code, 2);
      assert.match(column.stderr, /--key: column "shift_start" is not in table \S*clock_times \(its columns: id, employee_id, clock_in/);
      const prefer = await repair(['dedupe', ...db.target, '--table', 'clock_times', '--key', 'employee_id', '--prefer', 'ended_at']);
      assert.equal(prefer.code, 2);
      assert.match(prefer.stderr, /--prefer: column "ended_at" is not in table/);
      const bad = await repair(['dedupe', ...db.target, '--table', 'clock_times; drop table x', '--key', 'id']);
      assert.equal(bad.code, 2);
      assert.match(bad.stderr, /is not a plain SQL identifier/);
      assert.deepEqual(await db.ids('clock_times'), [1, 2, 3, 4, 5, 6, 7, 8]);
    } finally {
      await db.cleanup();
    }
  });
}

test('usage: repair alone, tz-shift without a sync, and no database named exit 2', async () => {
  const none = await repair([]);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name what to repair: dedupe/);
  const tz = await repair(['tz-shift']);
  assert.equal(tz.code, 2);
  assert.match(tz.stderr, /name exactly one sync: tidemark repair tz-shift/);
  const nowhere = await repair(['dedupe', '--table', 't', '--key', 'id']);
  assert.equal(nowhere.code, 2);
  assert.match(nowhere.stderr, /--destination ID .* or --url URL/);
});

for (const dialect of DIALECTS) {
  test(`${dialect}: a table without a primary key: ${dialect === 'mysql' ? 'refused with the fix' : 'identical copies told apart by ctid'}`, async () => {
    const db = await FIXTURES[dialect]();
    try {
      await db.exec('CREATE TABLE punches (id integer, employee_id integer, note varchar(20))');
      await db.exec(`INSERT INTO punches VALUES (1, 7, NULL), (1, 7, NULL), (1, 7, 'late'), (2, 7, NULL)`);
      const result = await repair(['dedupe', ...db.target, '--table', 'punches', '--key', 'id', '--prefer', 'note', '--apply']);
      if (dialect === 'mysql') {
        assert.equal(result.code, 2);
        assert.match(result.stderr, /has no primary key, which MySQL needs to tell copies apart; add one first: ALTER TABLE punches ADD COLUMN row_id/);
        assert.deepEqual(await db.ids('punches'), [1, 1, 1, 2]);
        return;
      }
      assert.equal(result.code, 0, result.stderr);
      assert.match(result.stdout, /1 duplicate group: deleted 2 rows/);
      assert.deepEqual(await db.ids('punches'), [1, 2]);
      await assert.rejects(db.exec(`INSERT INTO punches VALUES (2, 8, NULL)`), /duplicate|unique/i);
    } finally {
      await db.cleanup();
    }
  });
}
