/**
 * `repair tz-shift` on Postgres (and PGlite): read the live rows of the range, and apply in ONE
 * transaction with the table locked against writers: plan again under the lock, copy the
 * candidates to the backup table, delete those whose upstream shift has its own row, and correct
 * the others in place to the upstream's values (one statement for all of them). Postgres DDL is transactional, so the backup
 * table is created inside that transaction too: it all happens or none of it does.
 */
import type { SqlClient, SqlQueryable } from '../../db/sql-client.ts';
import { assertIdentifier, quoteIdent } from '../../db/identifiers.ts';
import { openPostgres } from '../../db/open.ts';
import type { TargetTable } from '../../destinations/destination.ts';
import { PG_TYPES, qualifiedName } from '../../destinations/postgres/sql.ts';
import type { ColumnValue } from '../../engine/stream.ts';
import type { StoredShift, TwinRowState } from './plan.ts';
import type { UpstreamRecord } from './upstream.ts';
import { NOTHING_APPLIED, upstreamOf, type ShiftReader, type StoredRange, type TzShiftDatabase } from './database.ts';

type Row = { shift_id: string; user_id: string; start_ms: string; end_ms: string | null; business_date: string };

function stored(row: Row): StoredShift {
  return { shiftId: row.shift_id, userId: row.user_id, startMs: Number(row.start_ms), endMs: row.end_ms === null ? null : Number(row.end_ms), businessDate: row.business_date };
}

function reader(db: SqlQueryable, table: TargetTable, tenantId: string): ShiftReader {
  return {
    async storedShifts(range: StoredRange): Promise<StoredShift[]> {
      const rows = await db.query<Row>(
        `SELECT shift_id, user_id::text AS user_id,
           (extract(epoch FROM start_at) * 1000)::bigint::text AS start_ms,
           (extract(epoch FROM end_at) * 1000)::bigint::text AS end_ms,
           business_date::text AS business_date
         FROM ${qualifiedName(table)}
         WHERE tenant_id = $1 AND deleted_at IS NULL AND start_at >= $2 AND start_at < $3
         ORDER BY start_at, shift_id`,
        [tenantId, range.start.toISOString(), range.end.toISOString()],
      );
      return rows.rows.map(stored);
    },
    async twinRows(ids: readonly string[]): Promise<Map<string, TwinRowState>> {
      if (ids.length === 0) return new Map();
      const rows = await db.query<{ shift_id: string; deleted: boolean }>(
        `SELECT shift_id, deleted_at IS NOT NULL AS deleted FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`,
        [tenantId, [...ids]],
      );
      return new Map(rows.rows.map((r) => [r.shift_id, r.deleted ? 'soft-deleted' : 'live']));
    },
  };
}

function param(value: ColumnValue | undefined, type: string): string | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (type === 'json') return JSON.stringify(value);
  if (typeof value === 'boolean') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/**
 * Rewrite the rows `rowIds` with their upstream's values, the row_hash a sync would write, and
 * synced_at: one statement over bound arrays, whatever the number of rows (invariant 6).
 */
async function correctRows(tx: SqlQueryable, table: TargetTable, tenantId: string, corrections: readonly { rowId: string; record: UpstreamRecord }[], now: Date): Promise<number> {
  if (corrections.length === 0) return 0;
  const { spec } = table;
  const params: unknown[] = [tenantId, now.toISOString(), corrections.map((c) => c.rowId), corrections.map((c) => c.record.hash)];
  const arrays = ['$3::text[]', '$4::text[]'];
  for (const column of spec.columns) {
    params.push(corrections.map((c) => param(c.record.values[column.name], column.type)));
    arrays.push(`$${params.length}::${PG_TYPES[column.type]}[]`);
  }
  const names = spec.columns.map((c) => quoteIdent(c.name));
  const sets = [...names.map((n) => `${n} = v.${n}`), 'row_hash = v.row_hash', 'synced_at = $2::timestamptz'];
  const result = await tx.query(
    `UPDATE ${qualifiedName(table)} AS t SET ${sets.join(', ')}
     FROM unnest(${arrays.join(', ')}) AS v(row_id, row_hash, ${names.join(', ')})
     WHERE t.tenant_id = $1 AND t.${quoteIdent(spec.keyColumn)} = v.row_id`,
    params,
  );
  return result.rowCount;
}

function bound(client: SqlClient, table: TargetTable, tenantId: string): TzShiftDatabase {
  return {
    reader: reader(client, table, tenantId),
    async tableExists() {
      const [found] = (await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [qualifiedName(table)])).rows;
      return Boolean(found?.found);
    },
    apply({ backupTable, plan, upstream, now }) {
      return client.transaction(async (tx) => {
        // Readers go on; writers (a sync) wait, so the rows cannot change between plan, backup and fix.
        await tx.query(`LOCK TABLE ${qualifiedName(table)} IN SHARE ROW EXCLUSIVE MODE`);
        const candidates = await plan(reader(tx, table, tenantId));
        if (candidates.length === 0) return { candidates, applied: NOTHING_APPLIED };
        const backup: TargetTable = { ...table, name: assertIdentifier(backupTable, 'backup table name') };
        const ids = candidates.map((c) => c.row.shiftId);
        await tx.query(`CREATE TABLE ${qualifiedName(backup)} (LIKE ${qualifiedName(table)})`);
        const copied = await tx.query(`INSERT INTO ${qualifiedName(backup)} SELECT * FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`, [tenantId, ids]);
        const deletes = candidates.filter((c) => c.action === 'delete').map((c) => c.row.shiftId);
        const deleted = deletes.length === 0 ? 0 : (await tx.query(`DELETE FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`, [tenantId, deletes])).rowCount;
        const corrections = candidates.filter((x) => x.action === 'correct').map((c) => ({ rowId: c.row.shiftId, record: upstreamOf(c, upstream) }));
        const corrected = await correctRows(tx, table, tenantId, corrections, now);
        return { candidates, applied: { backupTable: backup.name, backupRows: copied.rowCount, corrected, deleted } };
      });
    },
    close: () => client.close(),
  };
}

/** The sync's table on a Postgres server or in a PGlite directory, for one tenant. */
export async function openPostgresTzShift(url: string, table: TargetTable, tenantId: string): Promise<TzShiftDatabase> {
  return bound(await openPostgres(url, { max: 2, applicationName: 'tidemark-repair' }), table, tenantId);
}
