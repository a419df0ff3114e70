/**
 * One fresh, isolated destination per test on every dialect (filter with
 * DIALECTS=postgres,pglite,mysql,sqlite): a new schema on the Postgres server, in-memory PGlite, a
 * new database on MariaDB/MySQL, a temporary SQLite file. Rows are read back with each dialect's
 * own driver, outside the destination, into one representation the assertions can compare.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import mysql from 'mysql2/promise';
import type { Destination, MergeRow, TargetTable } from '../../src/destinations/destination.ts';
import type { ColumnType, TableSpec } from '../../src/destinations/table-spec.ts';
import type { ColumnValue, JsonValue, StreamDefinition } from '../../src/engine/stream.ts';
import type { SqlClient } from '../../src/db/sql-client.ts';
import { openDestination } from '../../src/destinations/open.ts';
import { PostgresDestination } from '../../src/destinations/postgres/postgres-destination.ts';
import { openPostgres } from '../../src/db/open.ts';
import { contentHash } from '../../src/engine/content-hash.ts';
import { stripNul } from '../../src/engine/strip-nul.ts';
import { CHICAGO } from './shifts.ts';
import { freshSchema, PG_URL, uniqueName } from './postgres.ts';

export const MYSQL_URL = process.env.TIDEMARK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

export const DESTINATION_DIALECTS = (['postgres', 'pglite', 'mysql', 'sqlite'] as const).filter(
  (name) => !process.env.DIALECTS || process.env.DIALECTS.split(',').includes(name),
);
export type DestinationDialect = (typeof DESTINATION_DIALECTS)[number];

/** A stored row in one representation for every dialect (instants ISO-8601 UTC with ms). */
export interface StoredRow {
  readonly tenantId: string;
  readonly key: string;
  /** Every data column, raw JSON included. */
  readonly values: Record<string, JsonValue>;
  readonly rowHash: string;
  readonly syncedAt: string;
  readonly deletedAt: string | null;
}

export interface TestDestination {
  readonly dialect: DestinationDialect;
  readonly destination: Destination;
  /** The spec's table where this test's destination keeps it (its schema on Postgres). */
  target(spec: TableSpec): TargetTable;
  /** Every row of the table, ordered by tenant then key (as text), read with the dialect's own driver. */
  rows(table: TargetTable): Promise<StoredRow[]>;
  /** A plain INSERT of `row` with the dialect's own driver (no upsert): rejects with the driver's error. */
  insertDirect(table: TargetTable, tenantId: string, row: MergeRow, syncedAt: Date): Promise<void>;
  /** The schema this test's tables live in (Postgres server), else undefined. */
  readonly schema: string | undefined;
  /** Raw SQL with the dialect's own driver, for tables of the user's own (`{s}` = `"schema".` or nothing). */
  sql(text: string): Promise<Record<string, unknown>[]>;
  cleanup(): Promise<void>;
}

/** A MergeRow exactly as the engine builds it from a raw upstream record (see run-sync.ts). */
export function mergeRowOf(stream: StreamDefinition, raw: unknown, tenantId = 'acme'): MergeRow {
  const result = stream.normalize(raw, { tenantId, timezone: CHICAGO });
  if (!result.ok) throw new Error(`test record does not normalize: ${result.reason}`);
  return rowFromValues(result.record.key, result.record.values);
}

/** A MergeRow from normalized values (after a test changed some), hashed as the engine hashes. */
export function rowFromValues(key: string, values: Readonly<Record<string, ColumnValue>>): MergeRow {
  const json = JSON.stringify(values);
  const clean = stripNul(values, json);
  return { key, values: clean, hash: contentHash(clean, clean === values ? json : undefined) };
}

// ---- reading back: raw driver values into the shared representation ----

const MYSQL_DATETIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})(?:\.(\d{1,6}))?$/;
const ISO_MS = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

function instantOf(raw: unknown, dialect: DestinationDialect): string {
  if (raw instanceof Date) return raw.toISOString();
  const text = String(raw);
  if (dialect === 'mysql') {
    const match = MYSQL_DATETIME.exec(text);
    if (!match) throw new Error(`MySQL DATETIME "${text}" is not UTC wall-clock text`);
    return new Date(`${match[1]}T${match[2]}.${(match[3] ?? '').padEnd(6, '0').slice(0, 3)}Z`).toISOString();
  }
  // SQLite: stored exactly in this form, or string order would not be time order.
  if (!ISO_MS.test(text)) throw new Error(`SQLite instant "${text}" is not ISO-8601 UTC with milliseconds and Z`);
  return text;
}

function storedValue(raw: unknown, type: ColumnType, dialect: DestinationDialect): JsonValue {
  if (raw === null || raw === undefined) return null;
  switch (type) {
    case 'instant':
      return instantOf(raw, dialect);
    case 'bigint':
      if (dialect === 'sqlite' && typeof raw !== 'bigint') throw new Error(`SQLite bigint stored as ${typeof raw}, not INTEGER`);
      return String(raw);
    case 'integer':
      return Number(raw);
    case 'numeric': {
      const text = String(raw);
      return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
    }
    case 'boolean':
      return typeof raw === 'boolean' ? raw : Number(raw) !== 0;
    case 'json':
      return typeof raw === 'string' ? (JSON.parse(raw) as JsonValue) : (raw as JsonValue);
    default:
      return String(raw);
  }
}

function storedRow(spec: TableSpec, raw: Record<string, unknown>, dialect: DestinationDialect): StoredRow {
  const values: Record<string, JsonValue> = {};
  for (const column of spec.columns) values[column.name] = storedValue(raw[column.name], column.type, dialect);
  return {
    tenantId: String(raw.tenant_id),
    key: String(values[spec.keyColumn]),
    values,
    rowHash: String(raw.row_hash),
    syncedAt: instantOf(raw.synced_at, dialect),
    deletedAt: raw.deleted_at === null ? null : instantOf(raw.deleted_at, dialect),
  };
}

// Collations differ between dialects: order in one place, by code unit.
function sorted(rows: StoredRow[]): StoredRow[] {
  const order = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
  return rows.sort((a, b) => order(a.tenantId, b.tenantId) || order(a.key, b.key));
}

// ---- writing directly: the engine's values bound the way each driver takes them ----

function bindValue(value: ColumnValue | undefined, type: ColumnType, dialect: DestinationDialect): unknown {
  if (value === null || value === undefined) return null;
  if (type === 'json') return JSON.stringify(value);
  if (type === 'instant') {
    const iso = (value instanceof Date ? value : new Date(String(value))).toISOString();
    return dialect === 'mysql' ? iso.replace('T', ' ').replace('Z', '') : iso;
  }
  if (type === 'boolean') return dialect === 'postgres' || dialect === 'pglite' ? Boolean(value) : value ? 1 : 0;
  if (type === 'bigint') return dialect === 'sqlite' ? BigInt(String(value)) : String(value);
  return value;
}

function insertParts(table: TargetTable, tenantId: string, row: MergeRow, syncedAt: Date, dialect: DestinationDialect) {
  const names = [...table.spec.columns.map((c) => c.name), 'tenant_id', 'row_hash', 'synced_at'];
  const params = [
    ...table.spec.columns.map((c) => bindValue(row.values[c.name], c.type, dialect)),
    tenantId,
    row.hash,
    bindValue(syncedAt, 'instant', dialect),
  ];
  return { names, params };
}

// ---- one fresh destination per dialect ----

async function postgresLike(dialect: 'postgres' | 'pglite'): Promise<TestDestination> {
  let reader: SqlClient;
  let destination: Destination;
  let schema: string | undefined;
  let drop = async () => undefined as void;
  if (dialect === 'pglite') {
    // An in-memory PGlite is reachable only through its one instance: the test reads through it too.
    reader = await openPostgres('pglite:memory');
    destination = new PostgresDestination(reader);
  } else {
    const fresh = await freshSchema('dst');
    schema = fresh.schema;
    drop = fresh.drop;
    destination = await openDestination(PG_URL);
    reader = await openPostgres(PG_URL);
  }
  const qualified = (table: TargetTable) => (table.schema ? `"${table.schema}"."${table.name}"` : `"${table.name}"`);
  return {
    dialect,
    destination,
    target: (spec) => ({ spec, name: spec.name, ...(schema ? { schema } : {}) }),
    async rows(table) {
      const result = await reader.query<Record<string, unknown>>(`SELECT * FROM ${qualified(table)}`);
      return sorted(result.rows.map((raw) => storedRow(table.spec, raw, dialect)));
    },
    schema,
    async sql(text) {
      return (await reader.query<Record<string, unknown>>(text.replaceAll('{s}', schema ? `"${schema}".` : ''))).rows;
    },
    async insertDirect(table, tenantId, row, syncedAt) {
      const { names, params } = insertParts(table, tenantId, row, syncedAt, dialect);
      await reader.query(`INSERT INTO ${qualified(table)} (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map((_, i) => `$${i + 1}`).join(', ')})`, params);
    },
    async cleanup() {
      await destination.close();
      if (dialect === 'postgres') await reader.close();
      await drop();
    },
  };
}

async function mysqlDestination(): Promise<TestDestination> {
  const database = uniqueName('t');
  const admin = await mysql.createConnection({ uri: MYSQL_URL });
  await admin.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
  const reader = await mysql.createConnection({
    uri: `${MYSQL_URL}/${database}`,
    supportBigNumbers: true,
    bigNumberStrings: true,
    dateStrings: true,
    jsonStrings: true,
  });
  const destination = await openDestination(`${MYSQL_URL}/${database}`);
  return {
    dialect: 'mysql',
    destination,
    target: (spec) => ({ spec, name: spec.name }),
    async rows(table) {
      const [rows] = await reader.query<mysql.RowDataPacket[]>(`SELECT * FROM \`${table.name}\``);
      return sorted(rows.map((raw) => storedRow(table.spec, raw, 'mysql')));
    },
    schema: undefined,
    async sql(text) {
      const [rows] = await reader.query(text.replaceAll('{s}', ''));
      return Array.isArray(rows) ? (rows as Record<string, unknown>[]) : [];
    },
    async insertDirect(table, tenantId, row, syncedAt) {
      const { names, params } = insertParts(table, tenantId, row, syncedAt, 'mysql');
      await reader.execute(`INSERT INTO \`${table.name}\` (${names.map((n) => `\`${n}\``).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`, params as (string | number | null)[]);
    },
    async cleanup() {
      await destination.close();
      await reader.end();
      await admin.query(`DROP DATABASE IF EXISTS \`${database}\``);
      await admin.end();
    },
  };
}

async function sqliteDestination(): Promise<TestDestination> {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-sqlite-'));
  const path = join(dir, 'destination.db');
  const destination = await openDestination(`sqlite:${path}`);
  const reader = new DatabaseSync(path, { readBigInts: true });
  return {
    dialect: 'sqlite',
    destination,
    target: (spec) => ({ spec, name: spec.name }),
    async rows(table) {
      const rows = reader.prepare(`SELECT * FROM "${table.name}"`).all();
      return sorted(rows.map((raw) => storedRow(table.spec, raw, 'sqlite')));
    },
    schema: undefined,
    async sql(text) {
      return reader.prepare(text.replaceAll('{s}', '')).all() as Record<string, unknown>[];
    },
    async insertDirect(table, tenantId, row, syncedAt) {
      const { names, params } = insertParts(table, tenantId, row, syncedAt, 'sqlite');
      reader
        .prepare(`INSERT INTO "${table.name}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
        .run(...(params as (string | number | bigint | null)[]));
    },
    async cleanup() {
      await destination.close();
      reader.close();
      rmSync(dir, { recursive: true, force: true });
    },
  };
}

export function testDestination(dialect: DestinationDialect): Promise<TestDestination> {
  switch (dialect) {
    case 'postgres':
    case 'pglite':
      return postgresLike(dialect);
    case 'mysql':
      return mysqlDestination();
    case 'sqlite':
      return sqliteDestination();
  }
}
