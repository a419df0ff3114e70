/**
 * Variants of the Postgres merge statement, each dropping one part of it, to see where a merge's
 * time goes compared with COPY (profile-merge.ts). The first variant is the engine's own mergeSql;
 * the rest are built here the same way, with the same parameters: $1 tenant, $2 synced_at,
 * $3 hashes, then one array per data column.
 */
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import type { ColumnValue } from '../src/engine/stream.ts';
import type { ColumnSpec } from '../src/destinations/table-spec.ts';
import { mergeSql, PG_TYPES, qualifiedName } from '../src/destinations/postgres/sql.ts';
import { quoteIdent } from '../src/db/identifiers.ts';

export interface MergeVariant {
  readonly name: string;
  readonly what: string;
  sql(table: TargetTable): string;
  /** How the batch is bound; default: one array per column (as the engine does). */
  params?(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): unknown[];
}

function parts(table: TargetTable) {
  const cols = table.spec.columns.map((c) => quoteIdent(c.name));
  const arrays = table.spec.columns.map((c, i) => `$${i + 4}::${PG_TYPES[c.type]}[]`);
  const input = `SELECT * FROM unnest($3::text[], ${arrays.join(', ')}) AS i(row_hash, ${cols.join(', ')})`;
  const insert = `INSERT INTO ${qualifiedName(table)} AS t (${cols.join(', ')}, tenant_id, row_hash, synced_at, deleted_at)
  SELECT ${cols.map((c) => `i.${c}`).join(', ')}, $1, i.row_hash, $2::timestamptz, NULL FROM (${input}) i`;
  const key = quoteIdent(table.spec.keyColumn);
  const updates = [...cols.map((c) => `${c} = excluded.${c}`), 'row_hash = excluded.row_hash', 'synced_at = excluded.synced_at', 'deleted_at = NULL'];
  const upsert = `${insert}
  ON CONFLICT (tenant_id, ${key}) DO UPDATE SET ${updates.join(', ')}
  WHERE t.row_hash IS DISTINCT FROM excluded.row_hash OR t.deleted_at IS NOT NULL`;
  return { input, insert, upsert, key };
}

/** The upsert fed by one jsonb parameter holding the whole batch: $3 = [{row_hash, col: value, …}, …]. */
function recordsetUpsertSql(table: TargetTable): string {
  const { upsert, input } = parts(table);
  const definitions = ['row_hash text', ...table.spec.columns.map((c) => `${quoteIdent(c.name)} ${PG_TYPES[c.type]}`)];
  return `${upsert.replace(`FROM (${input}) i`, `FROM jsonb_to_recordset($3::jsonb) AS i(${definitions.join(', ')})`)}
  RETURNING t.${parts(table).key}::text AS key, (xmax = 0) AS inserted`;
}

function recordsetParams(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): unknown[] {
  const records = rows.map((row) => ({ row_hash: row.hash, ...row.values }));
  return [tenantId, syncedAt.toISOString(), JSON.stringify(records)];
}

export const MERGE_VARIANTS: readonly MergeVariant[] = [
  { name: 'engine mergeSql', what: "the engine's statement as it is (sql.ts)", sql: mergeSql },
  {
    name: 'no before-image',
    what: 'upsert … RETURNING key, inserted (no before-image of updated rows)',
    sql: (t) => `${parts(t).upsert}\n  RETURNING t.${parts(t).key}::text AS key, (xmax = 0) AS inserted`,
  },
  {
    name: 'jsonb_to_recordset',
    what: 'upsert … RETURNING key, inserted, the batch bound as ONE jsonb parameter instead of column arrays',
    sql: recordsetUpsertSql,
    params: recordsetParams,
  },
  { name: 'no RETURNING', what: 'upsert only', sql: (t) => parts(t).upsert },
  { name: 'plain INSERT', what: 'INSERT … SELECT FROM unnest, no ON CONFLICT', sql: (t) => parts(t).insert },
  {
    name: 'unnest only',
    what: 'parameters sent and parsed, nothing written',
    sql: (t) => `SELECT count(*) AS n, $1::text AS tenant, $2::timestamptz AS at FROM (${parts(t).input}) i`,
  },
];

/** As PostgresDestination binds a value into a column array (kept in step with postgres-destination.ts). */
function toArrayElement(value: ColumnValue | undefined, column: ColumnSpec): unknown {
  if (value === undefined || value === null) return null;
  if (column.type === 'instant') return value instanceof Date ? value.toISOString() : String(value);
  if (column.type === 'json') return JSON.stringify(value);
  if (column.type === 'bigint' || column.type === 'numeric') return String(value);
  return value;
}

export function mergeParams(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): unknown[] {
  const params: unknown[] = [tenantId, syncedAt.toISOString(), rows.map((r) => r.hash)];
  for (const column of table.spec.columns) params.push(rows.map((row) => toArrayElement(row.values[column.name], column)));
  return params;
}
