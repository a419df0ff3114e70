/**
 * SQLite SQL for a destination table, generated from its TableSpec. Only validated identifiers
 * reach the text; every value is bound. Tables are STRICT (SQLite 3.37+): a value of the wrong type
 * fails its batch instead of being stored as whatever it looked like.
 */
import type { ColumnSpec, ColumnType, TableSpec } from '../table-spec.ts';
import { instantColumn } from '../table-spec.ts';
import type { DailyTotalsColumns, TargetTable } from '../destination.ts';
import { quoteIdent } from '../../db/identifiers.ts';

/**
 * Instants are ISO-8601 UTC text with milliseconds and `Z` (Date#toISOString: fixed width, so text
 * order is time order and a window is an indexed range). 64-bit ids are INTEGER, bound as BigInt
 * and read as BigInt (readBigInts), so they stay exact and compare as numbers in users' own SQL.
 * NUMERIC is text: SQLite's REAL would round "0.1"; text keeps the exact decimal.
 */
export const SQLITE_TYPES: Record<ColumnType, string> = {
  text: 'TEXT',
  bigint: 'INTEGER',
  integer: 'INTEGER',
  boolean: 'INTEGER',
  instant: 'TEXT',
  date: 'TEXT',
  json: 'TEXT',
  numeric: 'TEXT',
};

/** SQLite has one schema per database file (`main`): a destination schema cannot be honoured. */
export function qualifiedName(table: TargetTable): string {
  if (table.schema !== undefined && table.schema !== 'main') {
    throw new Error(`SQLite has no schemas, so schema "${table.schema}" cannot be used: remove "schema" from this destination, or use one SQLite file per schema`);
  }
  return quoteIdent(table.name);
}

function keyColumn(spec: TableSpec): ColumnSpec {
  const column = spec.columns.find((c) => c.name === spec.keyColumn);
  if (!column) throw new Error(`table spec ${spec.name}: key column ${spec.keyColumn} is not a column`);
  return column;
}

/** The seen/batch keys, bound as one JSON array of strings, typed like the key column. */
function keyList(spec: TableSpec, parameter: string): string {
  const type = keyColumn(spec).type;
  const value = type === 'bigint' || type === 'integer' ? 'CAST(value AS INTEGER)' : 'value';
  return `SELECT ${value} FROM json_each(${parameter})`;
}

export const TABLE_EXISTS_SQL = `SELECT 1 AS found FROM sqlite_schema WHERE type = 'table' AND name = ?`;

export function createTableSql(table: TargetTable): string[] {
  const { spec } = table;
  const name = qualifiedName(table);
  const columns = spec.columns.map((c) => `  ${quoteIdent(c.name)} ${SQLITE_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  const statements = [
    `CREATE TABLE IF NOT EXISTS ${name} (
${columns.join(',\n')},
  tenant_id TEXT NOT NULL,
  row_hash TEXT NOT NULL,
  synced_at TEXT NOT NULL,
  deleted_at TEXT,
  CONSTRAINT ${quoteIdent(`${table.name}_identity`)} PRIMARY KEY (tenant_id, ${quoteIdent(spec.keyColumn)})
) STRICT`,
  ];
  if (spec.windowColumn) {
    statements.push(`CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table.name}_window`)} ON ${name} (tenant_id, ${quoteIdent(spec.windowColumn)})`);
  }
  return statements;
}

export function auditedColumns(spec: TableSpec): ColumnSpec[] {
  return spec.columns.filter((c) => c.audited !== false);
}

function imageSelect(spec: TableSpec): string {
  return auditedColumns(spec)
    .map((c) => `, ${quoteIdent(c.name)}`)
    .join('');
}

/** The batch's existing rows: hash, deleted_at and before-image. Named: :tenant, :keys (JSON). */
export function selectExistingSql(table: TargetTable): string {
  const { spec } = table;
  return `SELECT ${quoteIdent(spec.keyColumn)} AS tidemark_key, row_hash AS tidemark_hash, deleted_at AS tidemark_deleted_at${imageSelect(spec)}
FROM ${qualifiedName(table)}
WHERE tenant_id = :tenant AND ${quoteIdent(spec.keyColumn)} IN (${keyList(spec, ':keys')})`;
}

/**
 * One row's upsert, prepared once and run for each row of the batch inside one transaction. The
 * WHERE skips a row whose content hash is unchanged (and that is not deleted): no write at all,
 * and no RETURNING row, which is how an unchanged row is told from a written one.
 * Positional: the data columns, then tenant_id, row_hash, synced_at.
 */
export function upsertSql(table: TargetTable): string {
  const { spec } = table;
  const cols = spec.columns.map((c) => quoteIdent(c.name));
  const updates = [...cols.map((c) => `${c} = excluded.${c}`), 'row_hash = excluded.row_hash', 'synced_at = excluded.synced_at', 'deleted_at = NULL'];
  return `INSERT INTO ${qualifiedName(table)} (${cols.join(', ')}, tenant_id, row_hash, synced_at, deleted_at)
VALUES (${cols.map(() => '?').join(', ')}, ?, ?, ?, NULL)
ON CONFLICT (tenant_id, ${quoteIdent(spec.keyColumn)}) DO UPDATE SET ${updates.join(', ')}
WHERE row_hash IS NOT excluded.row_hash OR deleted_at IS NOT NULL
RETURNING 1 AS written`;
}

/**
 * Live rows of the tenant (in the window when asked: an indexed range on the window column) whose
 * key is not among :seen. SQLite runs the uncorrelated NOT IN subquery once into an indexed
 * ephemeral table, so 100,000 seen keys cost O(n log n), not n².
 */
function unseenWhere(table: TargetTable, withRange: boolean): { live: string; unseen: string } {
  const { spec } = table;
  let live = 'tenant_id = :tenant AND deleted_at IS NULL';
  if (withRange) {
    if (!spec.windowColumn) throw new Error(`table ${spec.name} has no window column: it cannot be reconciled by window`);
    live += ` AND ${quoteIdent(spec.windowColumn)} >= :start AND ${quoteIdent(spec.windowColumn)} < :end`;
  }
  return { live, unseen: `${quoteIdent(spec.keyColumn)} NOT IN (${keyList(spec, ':seen')})` };
}

/** Named: :tenant, :seen (JSON array of keys)[, :start, :end]. */
export function countUnseenSql(table: TargetTable, withRange: boolean): string {
  const { live, unseen } = unseenWhere(table, withRange);
  return `SELECT COUNT(*) AS live, COALESCE(SUM(${unseen}), 0) AS unseen FROM ${qualifiedName(table)} WHERE ${live}`;
}

/**
 * Only deleted_at and synced_at change, so the data columns RETURNING gives are the rows' before
 * images. Named: :tenant, :seen[, :start, :end], :at.
 */
export function markUnseenDeletedSql(table: TargetTable, withRange: boolean): string {
  const { live, unseen } = unseenWhere(table, withRange);
  return `UPDATE ${qualifiedName(table)} SET deleted_at = :at, synced_at = :at
WHERE ${live} AND ${unseen}
RETURNING ${quoteIdent(table.spec.keyColumn)} AS tidemark_key${imageSelect(table.spec)}`;
}

/**
 * Live rows per stored business date and group, selected by an indexed range on the window column.
 * NUMERIC is stored as text: summed as REAL (TOTAL ignores NULLs and never returns NULL).
 * Named: :tenant, :start, :end.
 */
export function dailyTotalsSql(table: TargetTable, columns: DailyTotalsColumns): string {
  const { live } = unseenWhere(table, true);
  const date = quoteIdent(columns.dateColumn);
  const group = quoteIdent(columns.groupColumn);
  return `SELECT CAST(${date} AS TEXT) AS business_date, CAST(${group} AS TEXT) AS group_key, COUNT(*) AS count, TOTAL(CAST(${quoteIdent(columns.sumColumn)} AS REAL)) AS sum
FROM ${qualifiedName(table)}
WHERE ${live}
GROUP BY ${date}, ${group}
ORDER BY 1, 2`;
}

/** Retention: :tenant, :before (ISO-8601 UTC text, which orders like the instants it names). */
export function purgeBeforeSql(table: TargetTable, column: string): string {
  return `DELETE FROM ${qualifiedName(table)} WHERE tenant_id = :tenant AND ${quoteIdent(instantColumn(table.spec, column))} < :before`;
}
