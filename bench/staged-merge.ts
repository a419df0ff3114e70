/**
 * A candidate merge for the engine, profiled against the current one (profile-merge.ts): per batch,
 * COPY the rows into a temporary staging table, then one INSERT … SELECT … ON CONFLICT from it with
 * the engine's own RETURNING clause (its $1 is the tenant), in one transaction. COPY's text stream
 * replaces the column arrays as the way rows reach the server.
 */
import type pg from 'pg';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { mergeSql, qualifiedName } from '../src/destinations/postgres/sql.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { copyRows } from './copy-rows.ts';
import { copyColumns } from './copy-format.ts';

/** A session-local staging table shaped like `table`, emptied by every commit. */
export async function createStaging(client: pg.ClientBase, table: TargetTable): Promise<TargetTable> {
  const staging: TargetTable = { spec: table.spec, name: `${table.name}_staging` };
  await client.query(`CREATE TEMP TABLE IF NOT EXISTS ${qualifiedName(staging)} (LIKE ${qualifiedName(table)}) ON COMMIT DELETE ROWS`);
  return staging;
}

export function stagedUpsertSql(table: TargetTable, staging: TargetTable): string {
  const columns = copyColumns(table.spec).map(quoteIdent);
  const key = quoteIdent(table.spec.keyColumn);
  const engine = mergeSql(table);
  const updates = columns.filter((c) => c !== '"tenant_id"').map((c) => (c === '"deleted_at"' ? `${c} = NULL` : `${c} = excluded.${c}`));
  return `INSERT INTO ${qualifiedName(table)} AS t (${columns.join(', ')}) SELECT ${columns.join(', ')} FROM ${qualifiedName(staging)}
ON CONFLICT (tenant_id, ${key}) DO UPDATE SET ${updates.join(', ')}
WHERE t.row_hash IS DISTINCT FROM excluded.row_hash OR t.deleted_at IS NOT NULL
${engine.slice(engine.lastIndexOf('RETURNING'))}`;
}

/** Merge `rows` in batches: BEGIN, COPY to staging, upsert from staging, COMMIT (4 round trips a batch). */
export async function stagedMerge(client: pg.ClientBase, table: TargetTable, tenantId: string, rows: readonly MergeRow[], batch: number): Promise<number> {
  const staging = await createStaging(client, table);
  const sql = stagedUpsertSql(table, staging);
  let written = 0;
  for (let i = 0; i < rows.length; i += batch) {
    await client.query('BEGIN');
    await copyRows(client, staging, tenantId, rows.slice(i, i + batch), new Date());
    written += (await client.query(sql, [tenantId])).rowCount ?? 0;
    await client.query('COMMIT');
  }
  return written;
}
