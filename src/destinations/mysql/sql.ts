/**
 * MySQL/MariaDB SQL for a destination table, generated from its TableSpec. Only validated
 * identifiers reach the text; every value is a `?` the driver fills with an escaped literal.
 */
import type { ColumnSpec, ColumnType, TableSpec } from '../table-spec.ts';
import { instantColumn } from '../table-spec.ts';
import type { DailyTotalsColumns, TargetTable } from '../destination.ts';
import { assertIdentifier } from '../../db/identifiers.ts';

/** Backtick-quoted identifier, after validation (so it can hold no backtick). */
export function quoteMysqlIdent(name: string): string {
  return `\`${assertIdentifier(name)}\``;
}

/**
 * MEDIUMTEXT rather than TEXT: TEXT stops at 65,535 bytes (16,383 emoji), and one long note would
 * fail its batch on every run in strict mode; InnoDB stores both off-page, so the bigger type costs
 * nothing. DECIMAL(20,6): 14 integer digits, 6 decimals (durations, money); finer values round.
 * JSON on MariaDB is LONGTEXT with a JSON_VALID check, which is all we need.
 */
export const MYSQL_TYPES: Record<ColumnType, string> = {
  text: 'MEDIUMTEXT',
  bigint: 'BIGINT',
  integer: 'INT',
  boolean: 'TINYINT(1)',
  instant: 'DATETIME(6)',
  date: 'DATE',
  json: 'JSON',
  numeric: 'DECIMAL(20,6)',
};

/**
 * Identity columns are compared byte for byte (`utf8mb4_bin`): under the server's default
 * case-insensitive collation the ids "abc" and "ABC" would be one row. VARCHAR(191) because a TEXT
 * cannot be in a key without a prefix, and 191 × 4 bytes stays under the 767-byte index limit of
 * the older row formats that managed MySQL 5.7 servers still use.
 */
const BINARY_TEXT = 'CHARACTER SET utf8mb4 COLLATE utf8mb4_bin';
export const TENANT_TYPE = `VARCHAR(64) ${BINARY_TEXT}`; // tenant ids are at most 63 characters

export function keyColumn(spec: TableSpec): ColumnSpec {
  const column = spec.columns.find((c) => c.name === spec.keyColumn);
  if (!column) throw new Error(`table spec ${spec.name}: key column ${spec.keyColumn} is not a column`);
  return column;
}

/** The key column's type, in the table and in the temporary table of seen keys. */
export function keyType(spec: TableSpec): string {
  const column = keyColumn(spec);
  if (column.type === 'text') return `VARCHAR(191) ${BINARY_TEXT}`;
  if (column.type === 'json' || column.type === 'boolean') {
    throw new Error(`table spec ${spec.name}: a ${column.type} column (${column.name}) cannot be the identity key`);
  }
  return MYSQL_TYPES[column.type];
}

/**
 * A key as a bound value. A BIGINT compared with a string parameter is compared as a DOUBLE, where
 * 9007199254740992 and 9007199254740993 are equal: cast the parameter so 64-bit ids match exactly.
 */
export function keyPlaceholder(spec: TableSpec): string {
  const type = keyColumn(spec).type;
  if (type === 'bigint' || type === 'integer') return 'CAST(? AS SIGNED)';
  if (type === 'instant') return 'CAST(? AS DATETIME(6))';
  return '?';
}

export function qualifiedName(table: TargetTable): string {
  return table.schema ? `${quoteMysqlIdent(table.schema)}.${quoteMysqlIdent(table.name)}` : quoteMysqlIdent(table.name);
}

/**
 * $1 schema (or null for the connection's database), $2 table name. Also reads, in the same round
 * trip, what the merge plans with: max_allowed_packet (chunking) and local_infile (LOAD DATA). The
 * count is a subquery because MariaDB 10.11 reads the boolean @@local_infile as 0 when it sits
 * beside an aggregate (`SELECT COUNT(*), @@local_infile FROM …` says 0 while it is ON).
 */
export const TABLE_EXISTS_SQL = `SELECT (SELECT COUNT(*) FROM information_schema.TABLES WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ?) AS found, @@max_allowed_packet AS max_packet, @@local_infile AS local_infile`;
export const SCHEMA_EXISTS_SQL = `SELECT COUNT(*) AS found FROM information_schema.SCHEMATA WHERE SCHEMA_NAME = ?`;

export function createSchemaSql(schema: string): string {
  return `CREATE DATABASE IF NOT EXISTS ${quoteMysqlIdent(schema)} CHARACTER SET utf8mb4`;
}

/** One statement: MySQL has no CREATE INDEX IF NOT EXISTS (MariaDB does), so the index is inline. */
export function createTableSql(table: TargetTable): string {
  const { spec } = table;
  const columns = spec.columns.map((c) => {
    const type = c.name === spec.keyColumn ? keyType(spec) : MYSQL_TYPES[c.type];
    return `  ${quoteMysqlIdent(c.name)} ${type}${c.nullable ? ' NULL' : ' NOT NULL'}`;
  });
  const window = spec.windowColumn
    ? `,\n  KEY ${quoteMysqlIdent(`${table.name}_window`)} (tenant_id, ${quoteMysqlIdent(spec.windowColumn)})`
    : '';
  return `CREATE TABLE IF NOT EXISTS ${qualifiedName(table)} (
${columns.join(',\n')},
  tenant_id ${TENANT_TYPE} NOT NULL,
  row_hash VARCHAR(64) CHARACTER SET ascii COLLATE ascii_bin NOT NULL,
  synced_at DATETIME(6) NOT NULL,
  deleted_at DATETIME(6) NULL,
  CONSTRAINT ${quoteMysqlIdent(`${table.name}_identity`)} PRIMARY KEY (tenant_id, ${quoteMysqlIdent(spec.keyColumn)})${window}
) ENGINE=InnoDB DEFAULT CHARSET=utf8mb4 COLLATE=utf8mb4_unicode_ci`;
}

/** Data columns that go into before-images (the raw upstream JSON does not). */
export function auditedColumns(spec: TableSpec): ColumnSpec[] {
  return spec.columns.filter((c) => c.audited !== false);
}

/** `t.col` as selected for a before-image. */
function imageSelect(spec: TableSpec, alias: string): string {
  return auditedColumns(spec)
    .map((c) => `${alias}.${quoteMysqlIdent(c.name)}`)
    .join(', ');
}

/**
 * The batch's existing rows, locked until the merge commits: what makes created/updated/unchanged
 * exact and gives the before-images. Parameters: tenant, then `keyCount` keys.
 */
export function selectExistingSql(table: TargetTable, keyCount: number): string {
  const { spec } = table;
  const images = imageSelect(spec, 't');
  return `SELECT t.${quoteMysqlIdent(spec.keyColumn)} AS tidemark_key, t.row_hash AS tidemark_hash, t.deleted_at AS tidemark_deleted_at${images ? `, ${images}` : ''}
FROM ${qualifiedName(table)} AS t
WHERE t.tenant_id = ? AND t.${quoteMysqlIdent(spec.keyColumn)} IN (${Array(keyCount).fill(keyPlaceholder(spec)).join(', ')})
FOR UPDATE`;
}

/**
 * As selectExistingSql, the keys as one JSON array parameter (JSON_TABLE: MariaDB 10.6+, MySQL
 * 8.0.4+), joined from the keys to the primary key. Measured for 1,000 keys on MariaDB 10.11:
 * ~4–5 ms against ~6–8 ms for the IN list, whose 1,000 constants the range optimizer turns into
 * 1,000 ranges. A key that does not fit the key type becomes NULL (NULL ON ERROR) or is truncated
 * (a text key past 191 characters): its row is then written with the full key, which strict mode
 * refuses, so the batch fails as it did with the IN list. Parameters: keys as JSON, tenant.
 */
export function selectExistingJsonSql(table: TargetTable): string {
  const { spec } = table;
  const images = imageSelect(spec, 't');
  return `SELECT t.${quoteMysqlIdent(spec.keyColumn)} AS tidemark_key, t.row_hash AS tidemark_hash, t.deleted_at AS tidemark_deleted_at${images ? `, ${images}` : ''}
FROM ${jsonKeys(table)}
STRAIGHT_JOIN ${qualifiedName(table)} AS t ON t.tenant_id = ? AND t.${quoteMysqlIdent(spec.keyColumn)} = s.k
FOR UPDATE`;
}

/** Bound values per row of the upsert: the data columns, then tenant_id, row_hash, synced_at. */
export function upsertParamsPerRow(spec: TableSpec): number {
  return spec.columns.length + 3;
}

/**
 * One multi-row upsert on the identity key. An unchanged row (same content hash, not deleted)
 * keeps every column, so InnoDB writes nothing and reports 0 affected rows for it (1 for an insert,
 * 2 for an update). `VALUES(col)` is the form MariaDB understands (MySQL 8.0.20+ deprecates it in
 * favour of a row alias MariaDB lacks, and still runs it).
 * Assignments run left to right and later ones see earlier results, so every condition must be
 * read before row_hash and deleted_at change: those two are assigned last, and unconditionally
 * (when the row is unchanged they already hold those values).
 */
export function upsertSql(table: TargetTable, rowCount: number): string {
  const { spec } = table;
  const cols = spec.columns.map((c) => quoteMysqlIdent(c.name));
  const changed = 'row_hash <> VALUES(row_hash) OR deleted_at IS NOT NULL';
  const assignments = [...cols, 'synced_at'].map((c) => `${c} = IF(${changed}, VALUES(${c}), ${c})`);
  assignments.push('row_hash = VALUES(row_hash)', 'deleted_at = NULL');
  const tuple = `(${Array(spec.columns.length + 3).fill('?').join(', ')}, NULL)`;
  return `INSERT INTO ${qualifiedName(table)} (${cols.join(', ')}, tenant_id, row_hash, synced_at, deleted_at)
VALUES ${Array(rowCount).fill(tuple).join(',\n')}
ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`;
}

/**
 * A per-connection temporary table of the keys a read saw, keyed like the table's identity, in
 * the table's own database (a URL may name none when every table names its schema).
 */
export function seenTable(table: TargetTable): string {
  const name = quoteMysqlIdent(`tidemark_seen_${keyColumn(table.spec).type}`);
  return table.schema ? `${quoteMysqlIdent(table.schema)}.${name}` : name;
}

/** Created outside any transaction: servers with GTID consistency refuse it inside one. */
export function createSeenTableSql(table: TargetTable): string {
  return `CREATE TEMPORARY TABLE ${seenTable(table)} (k ${keyType(table.spec)} NOT NULL PRIMARY KEY) ENGINE=InnoDB`;
}

export function dropSeenTableSql(table: TargetTable): string {
  return `DROP TEMPORARY TABLE IF EXISTS ${seenTable(table)}`;
}

/**
 * IGNORE: a dead letter's key that does not fit the key type (too long, not a number) is stored
 * truncated or as 0; at worst it protects an unrelated row from deletion, never deletes one.
 */
export function insertSeenSql(table: TargetTable, keyCount: number): string {
  return `INSERT IGNORE INTO ${seenTable(table)} (k) VALUES ${Array(keyCount).fill('(?)').join(', ')}`;
}

/** Live rows of the tenant, in the window when asked. Parameters: tenant[, start, end]. */
function liveWhere(table: TargetTable, withRange: boolean): string {
  const { spec } = table;
  let where = 't.tenant_id = ? AND t.deleted_at IS NULL';
  if (withRange) {
    if (!spec.windowColumn) throw new Error(`table ${spec.name} has no window column: it cannot be reconciled by window`);
    const column = `t.${quoteMysqlIdent(spec.windowColumn)}`;
    where += ` AND ${column} >= CAST(? AS DATETIME(6)) AND ${column} < CAST(? AS DATETIME(6))`;
  }
  return where;
}

/**
 * Live rows of the tenant, in the window when asked (an indexed range on the window column, never
 * a day computed from it), left-joined to the seen keys. Parameters: tenant[, start, end].
 */
function liveRows(table: TargetTable, withRange: boolean): { from: string; where: string } {
  const { spec } = table;
  const from = `${qualifiedName(table)} AS t
LEFT JOIN ${seenTable(table)} AS s ON s.k = t.${quoteMysqlIdent(spec.keyColumn)}`;
  return { from, where: liveWhere(table, withRange) };
}

/**
 * A JSON array parameter of keys as a table (MariaDB 10.6+, MySQL 8.0.4+), typed like the table's
 * key so 64-bit ids compare as integers and text byte for byte. A key that does not fit the type
 * (a dead letter's) becomes NULL or is truncated, as the INSERT IGNORE into the seen table did; the
 * NULLs are filtered out where it matters.
 */
function jsonKeys(table: TargetTable): string {
  return `JSON_TABLE(?, '$[*]' COLUMNS (k ${keyType(table.spec)} PATH '$' NULL ON ERROR)) AS s`;
}

/**
 * Keys of the live rows not among the seen keys. `NOT IN (subquery)` over the JSON table is run by
 * materialising the keys once with a unique index (a hash anti-join): linear in both, never a
 * scan of the keys per row.
 */
function notSeen(table: TargetTable): string {
  return `t.${quoteMysqlIdent(table.spec.keyColumn)} NOT IN (SELECT s.k FROM ${jsonKeys(table)} WHERE s.k IS NOT NULL)`;
}

/** Parameters: the seen keys as a JSON array, tenant[, start, end]. One statement, no temporary table. */
export function countUnseenJsonSql(table: TargetTable, withRange: boolean): string {
  return `SELECT COUNT(*) AS live, COALESCE(SUM(${notSeen(table)}), 0) AS unseen
FROM ${qualifiedName(table)} AS t
WHERE ${liveWhere(table, withRange)}`;
}

/** As selectUnseenSql, with the seen keys as a JSON array. Parameters: tenant[, start, end], keys. */
export function selectUnseenJsonSql(table: TargetTable, withRange: boolean): string {
  const images = imageSelect(table.spec, 't');
  return `SELECT t.${quoteMysqlIdent(table.spec.keyColumn)} AS tidemark_key${images ? `, ${images}` : ''}
FROM ${qualifiedName(table)} AS t
WHERE ${liveWhere(table, withRange)} AND ${notSeen(table)}
FOR UPDATE`;
}

/**
 * Mark deleted the rows a locking SELECT found unseen, given as a JSON array of their keys (an
 * UPDATE with a NOT IN subquery is not materialised, so the anti-join is done by that SELECT):
 * joined from the keys to the primary key, still only live rows of the tenant in the window.
 * Parameters: keys, deleted_at, synced_at, tenant[, start, end].
 */
export function markKeysDeletedJsonSql(table: TargetTable, withRange: boolean): string {
  return `UPDATE ${jsonKeys(table)}
JOIN ${qualifiedName(table)} AS t ON t.${quoteMysqlIdent(table.spec.keyColumn)} = s.k
SET t.deleted_at = CAST(? AS DATETIME(6)), t.synced_at = CAST(? AS DATETIME(6))
WHERE ${liveWhere(table, withRange)}`;
}

/** Parameters: tenant[, start, end]. An anti-join on the seen table's primary key: linear. */
export function countUnseenSql(table: TargetTable, withRange: boolean): string {
  const { from, where } = liveRows(table, withRange);
  return `SELECT COUNT(*) AS live, COALESCE(SUM(s.k IS NULL), 0) AS unseen
FROM ${from}
WHERE ${where}`;
}

/**
 * The rows about to be marked deleted, locked, with their before-images: the UPDATE after it only
 * changes deleted_at and synced_at, so the data columns read here are the rows as they were.
 * Parameters: tenant[, start, end].
 */
export function selectUnseenSql(table: TargetTable, withRange: boolean): string {
  const { from, where } = liveRows(table, withRange);
  const images = imageSelect(table.spec, 't');
  return `SELECT t.${quoteMysqlIdent(table.spec.keyColumn)} AS tidemark_key${images ? `, ${images}` : ''}
FROM ${from}
WHERE ${where} AND s.k IS NULL
FOR UPDATE`;
}

/** Parameters: deleted_at, synced_at, tenant[, start, end]. */
export function markUnseenDeletedSql(table: TargetTable, withRange: boolean): string {
  const { from, where } = liveRows(table, withRange);
  return `UPDATE ${from}
SET t.deleted_at = CAST(? AS DATETIME(6)), t.synced_at = CAST(? AS DATETIME(6))
WHERE ${where} AND s.k IS NULL`;
}

/**
 * Live rows per stored business date and group, selected by an indexed range on the window column
 * (never DATE(CONVERT_TZ(…)) of an instant). Parameters: tenant, start, end.
 */
export function dailyTotalsSql(table: TargetTable, columns: DailyTotalsColumns): string {
  if (!table.spec.windowColumn) throw new Error(`table ${table.spec.name} has no window column: it cannot be totalled by window`);
  const window = `t.${quoteMysqlIdent(table.spec.windowColumn)}`;
  const date = `t.${quoteMysqlIdent(columns.dateColumn)}`;
  const group = `t.${quoteMysqlIdent(columns.groupColumn)}`;
  return `SELECT CAST(${date} AS CHAR) AS business_date, CAST(${group} AS CHAR) AS group_key, COUNT(*) AS count, COALESCE(SUM(t.${quoteMysqlIdent(columns.sumColumn)}), 0) AS sum
FROM ${qualifiedName(table)} AS t
WHERE t.tenant_id = ? AND t.deleted_at IS NULL AND ${window} >= CAST(? AS DATETIME(6)) AND ${window} < CAST(? AS DATETIME(6))
GROUP BY ${date}, ${group}
ORDER BY business_date, group_key`;
}

/** Retention: tenant, then the cutoff instant (UTC text in the +00:00 session). */
export function purgeBeforeSql(table: TargetTable, column: string): string {
  return `DELETE FROM ${qualifiedName(table)} WHERE tenant_id = ? AND ${quoteMysqlIdent(instantColumn(table.spec, column))} < CAST(? AS DATETIME(6))`;
}
