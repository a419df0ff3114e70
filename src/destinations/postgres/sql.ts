/**
 * Postgres SQL for a destination table, generated from its TableSpec. Only validated identifiers
 * reach the text; every value is a bind parameter.
 */
import type { ColumnType, TableSpec } from '../table-spec.ts';
import { instantColumn } from '../table-spec.ts';
import type { DailyTotalsColumns, TargetTable } from '../destination.ts';
import { createHash } from 'node:crypto';
import { quoteIdent } from '../../db/identifiers.ts';

export const PG_TYPES: Record<ColumnType, string> = {
  text: 'text',
  bigint: 'bigint',
  integer: 'integer',
  boolean: 'boolean',
  instant: 'timestamptz',
  date: 'date',
  json: 'jsonb',
  numeric: 'numeric',
};

export function qualifiedName(table: TargetTable): string {
  return table.schema ? `${quoteIdent(table.schema)}.${quoteIdent(table.name)}` : quoteIdent(table.name);
}

function keyType(spec: TableSpec): string {
  const column = spec.columns.find((c) => c.name === spec.keyColumn);
  if (!column) throw new Error(`table spec ${spec.name}: key column ${spec.keyColumn} is not a column`);
  return PG_TYPES[column.type];
}

export function createTableSql(table: TargetTable): string[] {
  const { spec } = table;
  const name = qualifiedName(table);
  const columns = spec.columns.map((c) => `  ${quoteIdent(c.name)} ${PG_TYPES[c.type]}${c.nullable ? '' : ' NOT NULL'}`);
  const statements = [
    ...(table.schema ? [`CREATE SCHEMA IF NOT EXISTS ${quoteIdent(table.schema)}`] : []),
    `CREATE TABLE IF NOT EXISTS ${name} (
${columns.join(',\n')},
  tenant_id text NOT NULL,
  row_hash text NOT NULL,
  synced_at timestamptz NOT NULL,
  deleted_at timestamptz,
  CONSTRAINT ${quoteIdent(`${table.name}_identity`)} PRIMARY KEY (tenant_id, ${quoteIdent(spec.keyColumn)})
)`,
  ];
  if (spec.windowColumn) {
    statements.push(
      `CREATE INDEX IF NOT EXISTS ${quoteIdent(`${table.name}_window`)} ON ${name} (tenant_id, ${quoteIdent(spec.windowColumn)})`,
    );
  }
  return statements;
}

/** Before-image of a row's data columns, as jsonb. */
function beforeImage(spec: TableSpec, alias: string): string {
  // bigint and numeric as text: a JSON number would lose 64-bit ids past 2^53.
  const pairs = spec.columns
    .filter((c) => c.audited !== false)
    .map((c) => `'${c.name}', ${alias}.${quoteIdent(c.name)}${c.type === 'bigint' || c.type === 'numeric' ? '::text' : ''}`);
  // jsonb_build_object takes at most 100 arguments: build in chunks and concatenate.
  const chunks: string[] = [];
  for (let i = 0; i < pairs.length; i += 40) chunks.push(`jsonb_build_object(${pairs.slice(i, i + 40).join(', ')})`);
  return chunks.join(' || ');
}

/**
 * One statement per batch: take the batch (bound arrays, or a staging table filled by COPY), upsert
 * on the identity, and only write rows whose content hash differs (or that come back from
 * deletion). The before-image of an updated row comes from a subquery in RETURNING: it runs under
 * the statement's snapshot, which does not see the statement's own writes, so it reads the row as
 * it was, and only for rows that changed.
 * Parameters: $1 tenant, $2 synced_at; for `unnest`, $3 hashes then one array per data column.
 */
function mergeFrom(table: TargetTable, source: string): string {
  const { spec } = table;
  const name = qualifiedName(table);
  const key = quoteIdent(spec.keyColumn);
  const cols = spec.columns.map((c) => quoteIdent(c.name));
  const updates = [...cols.map((c) => `${c} = excluded.${c}`), 'row_hash = excluded.row_hash', 'synced_at = excluded.synced_at', 'deleted_at = NULL'];
  return `INSERT INTO ${name} AS t (${cols.join(', ')}, tenant_id, row_hash, synced_at, deleted_at)
SELECT ${cols.map((c) => `i.${c}`).join(', ')}, $1, i.row_hash, $2, NULL
FROM ${source}
ON CONFLICT (tenant_id, ${key}) DO UPDATE SET ${updates.join(', ')}
WHERE t.row_hash IS DISTINCT FROM excluded.row_hash OR t.deleted_at IS NOT NULL
RETURNING t.${key}::text AS key, (xmax = 0) AS inserted,
  CASE WHEN xmax = 0 THEN NULL ELSE (SELECT ${beforeImage(spec, 'o')} FROM ${name} AS o WHERE o.tenant_id = $1 AND o.${key} = t.${key}) END AS before`;
}

/** The merge reading the batch from bound arrays: one round trip. */
export function mergeSql(table: TargetTable): string {
  const cols = table.spec.columns.map((c) => quoteIdent(c.name));
  const arrays = table.spec.columns.map((c, i) => `$${i + 4}::${PG_TYPES[c.type]}[]`);
  return mergeFrom(table, `unnest($3::text[], ${arrays.join(', ')}) AS i(row_hash, ${cols.join(', ')})`);
}

/** A per-connection temp table shaped like the batch: `row_hash`, then the data columns. */
export function stagingName(table: TargetTable): string {
  const digest = createHash('sha1').update(`${table.schema ?? ''}.${table.name}`).digest('hex').slice(0, 16);
  return `tidemark_stage_${digest}`;
}

export function createStagingSql(table: TargetTable): string {
  const columns = table.spec.columns.map((c) => `${quoteIdent(c.name)} ${PG_TYPES[c.type]}`);
  return `CREATE TEMP TABLE IF NOT EXISTS ${quoteIdent(stagingName(table))} (row_hash text, ${columns.join(', ')})`;
}

export function copyIntoStagingSql(table: TargetTable): string {
  const columns = table.spec.columns.map((c) => quoteIdent(c.name));
  return `COPY ${quoteIdent(stagingName(table))} (row_hash, ${columns.join(', ')}) FROM STDIN`;
}

/** The merge reading the batch from the staging table (after COPY): same statement, other source. */
export function mergeFromStagingSql(table: TargetTable): string {
  return mergeFrom(table, `${quoteIdent(stagingName(table))} AS i`);
}

function rangePredicate(spec: TableSpec, withRange: boolean): string {
  if (!withRange) return '';
  if (!spec.windowColumn) throw new Error(`table ${spec.name} has no window column: it cannot be reconciled by window`);
  return ` AND ${quoteIdent(spec.windowColumn)} >= $3 AND ${quoteIdent(spec.windowColumn)} < $4`;
}

// `<> ALL($2)` on a bound array is hashed by Postgres (100,000 rows against 100,000 keys: ~70 ms).
// NOT EXISTS over unnest($2) is not: the planner guesses a small array and nests loops (minutes).
function unseenPredicate(table: TargetTable, alias: string): string {
  return `${alias}.${quoteIdent(table.spec.keyColumn)} <> ALL($2::${keyType(table.spec)}[])`;
}

/** $1 tenant, $2 seen keys, [$3 start, $4 end]. */
export function countUnseenSql(table: TargetTable, withRange: boolean): string {
  return `SELECT (SELECT count(*)::int FROM ${qualifiedName(table)} AS t WHERE tenant_id = $1 AND deleted_at IS NULL${rangePredicate(table.spec, withRange)}) AS live,
  (SELECT count(*)::int FROM ${qualifiedName(table)} AS t WHERE tenant_id = $1 AND deleted_at IS NULL${rangePredicate(table.spec, withRange)} AND ${unseenPredicate(table, 't')}) AS unseen`;
}

/** $1 tenant, $2 seen keys, [$3 start, $4 end], then deleted_at. */
export function markUnseenDeletedSql(table: TargetTable, withRange: boolean): string {
  const key = quoteIdent(table.spec.keyColumn);
  const at = withRange ? '$5' : '$3';
  return `UPDATE ${qualifiedName(table)} AS t SET deleted_at = ${at}, synced_at = ${at}
WHERE tenant_id = $1 AND deleted_at IS NULL AND ${unseenPredicate(table, 't')}${rangePredicate(table.spec, withRange)}
RETURNING t.${key}::text AS key, ${beforeImage(table.spec, 't')} AS before`;
}

/**
 * Live rows per stored business date and group, selected by an indexed range on the window column.
 * Date and group come back as text (a date as Date would shift with the process's zone), the sum as
 * exact numeric text. $1 tenant, $2 start, $3 end.
 */
export function dailyTotalsSql(table: TargetTable, columns: DailyTotalsColumns): string {
  if (!table.spec.windowColumn) throw new Error(`table ${table.spec.name} has no window column: it cannot be totalled by window`);
  const window = quoteIdent(table.spec.windowColumn);
  const date = quoteIdent(columns.dateColumn);
  const group = quoteIdent(columns.groupColumn);
  return `SELECT ${date}::text AS business_date, ${group}::text AS group_key, count(*)::int AS count, COALESCE(sum(${quoteIdent(columns.sumColumn)}), 0)::text AS sum
FROM ${qualifiedName(table)}
WHERE tenant_id = $1 AND deleted_at IS NULL AND ${window} >= $2 AND ${window} < $3
GROUP BY ${date}, ${group}
ORDER BY 1, 2`;
}

/** Retention: $1 tenant, $2 the cutoff instant. */
export function purgeBeforeSql(table: TargetTable, column: string): string {
  return `DELETE FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND ${quoteIdent(instantColumn(table.spec, column))} < $2`;
}
