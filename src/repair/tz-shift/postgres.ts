/**
 * `repair tz-shift` on Postgres (and PGlite): read the live rows of the range, and apply in ONE
 * transaction with the table locked against writers: plan again under the lock, copy the
 * candidates to the backup table, delete those whose upstream shift has its own row, and correct
 * the others in place to the upstream's values.
 */
import type { SqlClient, SqlQueryable } from '../../db/sql-client.ts';
import { assertIdentifier, quoteIdent } from '../../db/identifiers.ts';
import type { TargetTable } from '../../destinations/destination.ts';
import { PG_TYPES, qualifiedName } from '../../destinations/postgres/sql.ts';
import type { ColumnValue } from '../../engine/stream.ts';
import { contentHash } from '../../engine/content-hash.ts';
import type { StoredShift, TwinRowState, TzShiftCandidate } from './plan.ts';
import type { UpstreamRecord } from './upstream.ts';

export interface StoredRange {
  readonly start: Date;
  readonly end: Date;
}

export interface TzShiftApplied {
  /** Absent when there was nothing to do. */
  readonly backupTable: string | undefined;
  readonly backupRows: number;
  readonly corrected: number;
  readonly deleted: number;
}

function stored(row: { shift_id: string; user_id: string; start_ms: string; end_ms: string | null; business_date: string }): StoredShift {
  return { shiftId: row.shift_id, userId: row.user_id, startMs: Number(row.start_ms), endMs: row.end_ms === null ? null : Number(row.end_ms), businessDate: row.business_date };
}

/** Live rows of the tenant whose start_at lies in [start, end). */
export async function readStoredShifts(db: SqlQueryable, table: TargetTable, tenantId: string, range: StoredRange): Promise<StoredShift[]> {
  const rows = await db.query<{ shift_id: string; user_id: string; start_ms: string; end_ms: string | null; business_date: string }>(
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
}

/** The state of each of `ids` in the whole table (any start_at): live, soft-deleted, or absent. */
export async function readTwinRows(db: SqlQueryable, table: TargetTable, tenantId: string, ids: readonly string[]): Promise<Map<string, TwinRowState>> {
  if (ids.length === 0) return new Map();
  const rows = await db.query<{ shift_id: string; deleted: boolean }>(
    `SELECT shift_id, deleted_at IS NOT NULL AS deleted FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`,
    [tenantId, [...ids]],
  );
  return new Map(rows.rows.map((r) => [r.shift_id, r.deleted ? 'soft-deleted' : 'live']));
}

function param(value: ColumnValue | undefined, type: string): string | boolean | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  if (type === 'json') return JSON.stringify(value);
  if (typeof value === 'boolean') return value;
  return typeof value === 'object' ? JSON.stringify(value) : String(value);
}

/** Every data column from the upstream's values, a fresh row_hash, and synced_at. */
async function correctRow(tx: SqlQueryable, table: TargetTable, tenantId: string, rowId: string, record: UpstreamRecord, now: Date): Promise<void> {
  const { spec } = table;
  const sets: string[] = [];
  const params: (string | boolean | null)[] = [tenantId, rowId];
  for (const column of spec.columns) {
    params.push(param(record.values[column.name], column.type));
    sets.push(`${quoteIdent(column.name)} = $${params.length}::${PG_TYPES[column.type]}`);
  }
  params.push(contentHash(record.values));
  sets.push(`row_hash = $${params.length}`);
  params.push(now.toISOString());
  sets.push(`synced_at = $${params.length}::timestamptz`);
  await tx.query(`UPDATE ${qualifiedName(table)} SET ${sets.join(', ')} WHERE tenant_id = $1 AND ${quoteIdent(spec.keyColumn)} = $2`, params);
}

export async function applyTzShiftPostgres(
  client: SqlClient,
  table: TargetTable,
  tenantId: string,
  backupName: string,
  plan: (tx: SqlQueryable) => Promise<readonly TzShiftCandidate[]>,
  upstream: ReadonlyMap<string, UpstreamRecord>,
  now: Date,
): Promise<{ candidates: readonly TzShiftCandidate[]; applied: TzShiftApplied }> {
  return client.transaction(async (tx) => {
    // Readers go on; writers (a sync) wait, so the rows cannot change between plan, backup and fix.
    await tx.query(`LOCK TABLE ${qualifiedName(table)} IN SHARE ROW EXCLUSIVE MODE`);
    const candidates = await plan(tx);
    if (candidates.length === 0) return { candidates, applied: { backupTable: undefined, backupRows: 0, corrected: 0, deleted: 0 } };
    const backup: TargetTable = { ...table, name: assertIdentifier(backupName, 'backup table name') };
    const ids = candidates.map((c) => c.row.shiftId);
    await tx.query(`CREATE TABLE ${qualifiedName(backup)} (LIKE ${qualifiedName(table)})`);
    const copied = await tx.query(`INSERT INTO ${qualifiedName(backup)} SELECT * FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`, [tenantId, ids]);
    const deletes = candidates.filter((c) => c.action === 'delete').map((c) => c.row.shiftId);
    const deleted = deletes.length === 0 ? 0 : (await tx.query(`DELETE FROM ${qualifiedName(table)} WHERE tenant_id = $1 AND shift_id = ANY($2::text[])`, [tenantId, deletes])).rowCount;
    let corrected = 0;
    for (const c of candidates.filter((x) => x.action === 'correct')) {
      const record = upstream.get(c.twin.shiftId);
      if (!record) throw new Error(`upstream shift ${c.twin.shiftId} vanished from the read`);
      await correctRow(tx, table, tenantId, c.row.shiftId, record, now);
      corrected++;
    }
    return { candidates, applied: { backupTable: backup.name, backupRows: copied.rowCount, corrected, deleted } };
  });
}
