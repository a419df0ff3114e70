/**
 * The shifts table of `repair tz-shift`'s tests on each destination dialect: a fresh schema on the
 * Postgres server, a PGlite data directory, a fresh database on MariaDB, a SQLite file. The
 * table itself is created by `tidemark sync`; these helpers corrupt it as the old sync code did
 * and read it back, with each dialect's own driver, into one representation.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mysql from 'mysql2/promise';
import { openPostgres } from '../../src/db/open.ts';
import { instantFromMysql } from '../../src/destinations/mysql/values.ts';
import { SHIFTS_TABLE } from '../../src/connectors/connecteam/shifts-stream.ts';
import { MYSQL_URL } from './destinations.ts';
import { freshSchema, PG_URL, pgRows, uniqueName } from './postgres.ts';

export const TZ_SHIFT_DIALECTS = (['postgres', 'pglite', 'mysql', 'sqlite'] as const).filter(
  (name) => !process.env.DIALECTS || process.env.DIALECTS.split(',').includes(name),
);
export type TzShiftDialect = (typeof TZ_SHIFT_DIALECTS)[number];

/** A row of the table (or of a backup), instants as ISO-8601 UTC with milliseconds. */
export interface ShiftRow {
  readonly shiftId: string;
  readonly userId: string;
  readonly start: string;
  readonly end: string | null;
  readonly businessDate: string;
  readonly rowHash: string;
  readonly syncedAt: string;
  readonly deleted: boolean;
}

export interface ShiftTable {
  readonly dialect: TzShiftDialect;
  /** The configuration's destination: where `tidemark sync` writes and `repair` reads. */
  readonly destination: { readonly url: string; readonly schema?: string };
  /** Insert a copy of row `id` under `newId`, its start and end moved by `hours`. */
  copyMoved(id: string, newId: string, hours: number): Promise<void>;
  /** Move row `id`'s own start and end by `hours`. */
  moveInPlace(id: string, hours: number): Promise<void>;
  remove(id: string): Promise<void>;
  /** Mark row `id` deleted, as a sync's reconcile does. */
  softDelete(id: string): Promise<void>;
  /** Every row of `table` (default the shifts table), live or not, by shift id. */
  rows(table?: string): Promise<ShiftRow[]>;
  /** The names of the tables holding `tzshift_backup` beside the shifts table. */
  backupTables(): Promise<string[]>;
  cleanup(): Promise<void>;
}

type Raw = Record<string, unknown>;
/** Runs one statement with `?` (MySQL, SQLite) or `$n` (Postgres) placeholders. */
type Run = (sql: string, params?: readonly (string | number)[]) => Promise<Raw[]>;

const TABLE = SHIFTS_TABLE.name;
const COLUMNS = [...SHIFTS_TABLE.columns.map((c) => c.name), 'tenant_id', 'row_hash', 'synced_at', 'deleted_at'];

interface Dialect {
  /** `table` as the statements name it. */
  name(table: string): string;
  /** `column` moved by the hours in placeholder `p`. */
  moved(column: string, p: string): string;
  /** The n-th (1-based) placeholder. */
  p(n: number): string;
  hours(hours: number): string | number;
  instant(raw: unknown): string;
  listTables: string;
}

function epochIso(raw: unknown): string {
  return new Date(Number(raw)).toISOString();
}

function postgresDialect(schema: string | undefined): Dialect {
  return {
    name: (table) => (schema ? `"${schema}"."${table}"` : `"${table}"`),
    moved: (column, p) => `${column} + make_interval(hours => ${p}::int)`,
    p: (n) => `$${n}`,
    hours: (h) => h,
    instant: epochIso,
    listTables: `SELECT table_name AS name FROM information_schema.tables WHERE table_schema = ${schema ? `'${schema}'` : 'current_schema()'}`,
  };
}

const MYSQL: Dialect = {
  name: (table) => `\`${table}\``,
  moved: (column, p) => `${column} + INTERVAL ${p} HOUR`,
  p: () => '?',
  hours: (h) => h,
  instant: (raw) => instantFromMysql(String(raw)),
  listTables: 'SELECT table_name AS name FROM information_schema.tables WHERE table_schema = DATABASE()',
};

const SQLITE: Dialect = {
  name: (table) => `"${table}"`,
  moved: (column, p) => `strftime('%Y-%m-%dT%H:%M:%fZ', ${column}, ${p})`,
  p: () => '?',
  hours: (h) => `${h} hours`,
  instant: (raw) => String(raw),
  listTables: `SELECT name FROM sqlite_schema WHERE type = 'table'`,
};

/** The epoch milliseconds (Postgres) or the stored text (the others) of an instant column. */
function instantSelect(d: Dialect, column: string): string {
  return d === MYSQL ? `CAST(${column} AS CHAR)` : d === SQLITE ? column : `(extract(epoch FROM ${column}) * 1000)::bigint::text`;
}

function shiftTable(dialect: TzShiftDialect, d: Dialect, run: Run, destination: ShiftTable['destination'], cleanup: () => Promise<void>): ShiftTable {
  const table = d.name(TABLE);
  return {
    dialect,
    destination,
    async copyMoved(id, newId, hours) {
      const select = COLUMNS.map((c) => (c === 'shift_id' ? d.p(1) : c === 'start_at' ? d.moved(c, d.p(2)) : c === 'end_at' ? d.moved(c, d.p(3)) : c));
      await run(`INSERT INTO ${table} (${COLUMNS.join(', ')}) SELECT ${select.join(', ')} FROM ${table} WHERE shift_id = ${d.p(4)}`, [newId, d.hours(hours), d.hours(hours), id]);
    },
    async moveInPlace(id, hours) {
      await run(`UPDATE ${table} SET start_at = ${d.moved('start_at', d.p(1))}, end_at = ${d.moved('end_at', d.p(2))} WHERE shift_id = ${d.p(3)}`, [d.hours(hours), d.hours(hours), id]);
    },
    async remove(id) {
      await run(`DELETE FROM ${table} WHERE shift_id = ${d.p(1)}`, [id]);
    },
    async softDelete(id) {
      // The time of the soft delete does not matter to the repair: the sync's own value is kept.
      await run(`UPDATE ${table} SET deleted_at = synced_at WHERE shift_id = ${d.p(1)}`, [id]);
    },
    async rows(name = TABLE) {
      const raw = await run(
        `SELECT shift_id, CAST(user_id AS ${d === MYSQL ? 'CHAR' : 'TEXT'}) AS user_id, ${instantSelect(d, 'start_at')} AS start_at, ${instantSelect(d, 'end_at')} AS end_at,
           CAST(business_date AS ${d === MYSQL ? 'CHAR' : 'TEXT'}) AS business_date, row_hash, ${instantSelect(d, 'synced_at')} AS synced_at, deleted_at IS NOT NULL AS deleted
         FROM ${d.name(name)}`,
      );
      return raw
        .map((r) => ({
          shiftId: String(r.shift_id),
          userId: String(r.user_id),
          start: d.instant(r.start_at),
          end: r.end_at === null ? null : d.instant(r.end_at),
          businessDate: String(r.business_date),
          rowHash: String(r.row_hash),
          syncedAt: d.instant(r.synced_at),
          deleted: r.deleted === true || Number(r.deleted) === 1,
        }))
        .sort((a, b) => (a.shiftId < b.shiftId ? -1 : a.shiftId > b.shiftId ? 1 : 0));
    },
    async backupTables() {
      return (await run(d.listTables)).map((r) => String(r.name)).filter((n) => n.includes('tzshift_backup')).sort();
    },
    cleanup,
  };
}

async function postgresTable(): Promise<ShiftTable> {
  const { schema, drop } = await freshSchema('tzs');
  const run: Run = (sql, params = []) => pgRows<Raw>(sql, [...params]);
  return shiftTable('postgres', postgresDialect(schema), run, { url: PG_URL, schema }, drop);
}

async function pgliteTable(): Promise<ShiftTable> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-tzshift-'));
  const url = `pglite:${join(dir, 'data')}`;
  // One process at a time owns a PGlite directory: open, run, close, so the command can open it.
  const run: Run = async (sql, params = []) => {
    const client = await openPostgres(url);
    try {
      return (await client.query<Raw>(sql, params)).rows;
    } finally {
      await client.close();
    }
  };
  return shiftTable('pglite', postgresDialect(undefined), run, { url }, async () => rmSync(dir, { recursive: true, force: true }));
}

async function mysqlTable(): Promise<ShiftTable> {
  const database = uniqueName('tzs');
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const client = await mysql.createConnection({ uri: `${MYSQL_URL}/${database}`, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  const run: Run = async (sql, params = []) => {
    const [rows] = await client.query(sql, [...params]);
    return Array.isArray(rows) ? (rows as Raw[]) : [];
  };
  return shiftTable('mysql', MYSQL, run, { url: `${MYSQL_URL}/${database}` }, async () => {
    await client.end();
    await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
    await admin.end();
  });
}

async function sqliteTable(): Promise<ShiftTable> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-tzshift-'));
  const path = join(dir, 'shifts.db');
  // Opened per statement, so the command's own handle never waits for this one.
  const run: Run = async (sql, params = []) => {
    const db = new DatabaseSync(path, { timeout: 10_000 });
    try {
      return db.prepare(sql).all(...params) as Raw[];
    } finally {
      db.close();
    }
  };
  return shiftTable('sqlite', SQLITE, run, { url: `sqlite:${path}` }, async () => rmSync(dir, { recursive: true, force: true }));
}

export function shiftTableOn(dialect: TzShiftDialect): Promise<ShiftTable> {
  switch (dialect) {
    case 'postgres':
      return postgresTable();
    case 'pglite':
      return pgliteTable();
    case 'mysql':
      return mysqlTable();
    case 'sqlite':
      return sqliteTable();
  }
}
