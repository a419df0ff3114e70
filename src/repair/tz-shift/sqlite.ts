/**
 * `repair tz-shift` on SQLite (node:sqlite). Instants are ISO-8601 UTC text with `Z`, whose text
 * order is time order, so the range is an indexed range on start_at. SQLite DDL is transactional:
 * as on Postgres, everything is ONE transaction, taken with BEGIN IMMEDIATE (the write lock from
 * the start: a sync writing the file waits; readers go on under WAL). The database file is this
 * process's own handle, so nothing else runs inside the transaction while it awaits the plan.
 * Corrected rows are deleted and inserted again through the destination's own upsert, as on
 * MySQL: the end state of Postgres's in-place UPDATE, written exactly as a sync writes it.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import type { TargetTable } from '../../destinations/destination.ts';
import { qualifiedName, TABLE_EXISTS_SQL, upsertSql } from '../../destinations/sqlite/sql.ts';
import { sqlitePath } from '../../destinations/sqlite/sqlite-destination.ts';
import { sqliteInstant, toSqliteParam } from '../../destinations/sqlite/values.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import type { StoredShift, TwinRowState, TzShiftCandidate } from './plan.ts';
import { NOTHING_APPLIED, upstreamOf, type ShiftReader, type TzShiftApplied, type TzShiftApplyRequest, type TzShiftDatabase } from './database.ts';
import { TzShiftTargetError } from './target-error.ts';

/** As the destination: a writer waits this long for another process's write transaction. */
const BUSY_TIMEOUT_MS = 10_000;

// Named parameters: :tenant, :start, :end; :ids is a JSON array of shift ids.
const inIds = `shift_id IN (SELECT value FROM json_each(:ids))`;
const storedShiftsSql = (t: string) => `SELECT shift_id, CAST(user_id AS TEXT) AS user_id, start_at, end_at, business_date FROM ${t}
WHERE tenant_id = :tenant AND deleted_at IS NULL AND start_at >= :start AND start_at < :end ORDER BY start_at, shift_id`;
const twinRowsSql = (t: string) => `SELECT shift_id, deleted_at IS NOT NULL AS deleted FROM ${t} WHERE tenant_id = :tenant AND ${inIds}`;
// Without the table's key and STRICT (SQLite has no CREATE TABLE … LIKE): the rows as they were.
const backupSql = (t: string, backup: string) => `CREATE TABLE ${backup} AS SELECT * FROM ${t} WHERE tenant_id = :tenant AND ${inIds}`;
const countSql = (backup: string) => `SELECT COUNT(*) AS n FROM ${backup}`;
const deleteSql = (t: string) => `DELETE FROM ${t} WHERE tenant_id = :tenant AND ${inIds}`;

type Row = { shift_id: string; user_id: string; start_at: string; end_at: string | null; business_date: string };

function reader(db: DatabaseSync, table: TargetTable, tenantId: string): ShiftReader {
  const t = qualifiedName(table);
  return {
    async storedShifts(range) {
      const rows = db.prepare(storedShiftsSql(t)).all({ tenant: tenantId, start: sqliteInstant(range.start), end: sqliteInstant(range.end) }) as Row[];
      return rows.map((r): StoredShift => ({
        shiftId: r.shift_id,
        userId: r.user_id,
        startMs: Date.parse(r.start_at),
        endMs: r.end_at === null ? null : Date.parse(r.end_at),
        businessDate: r.business_date,
      }));
    },
    async twinRows(ids) {
      if (ids.length === 0) return new Map();
      const rows = db.prepare(twinRowsSql(t)).all({ tenant: tenantId, ids: JSON.stringify(ids) }) as { shift_id: string; deleted: bigint }[];
      return new Map(rows.map((r): [string, TwinRowState] => [r.shift_id, r.deleted !== 0n ? 'soft-deleted' : 'live']));
    },
  };
}

async function repair(db: DatabaseSync, table: TargetTable, tenantId: string, request: TzShiftApplyRequest): Promise<{ candidates: readonly TzShiftCandidate[]; applied: TzShiftApplied }> {
  const candidates = await request.plan(reader(db, table, tenantId));
  if (candidates.length === 0) return { candidates, applied: NOTHING_APPLIED };
  const t = qualifiedName(table);
  const backup = quoteIdent(request.backupTable);
  const ids = { tenant: tenantId, ids: JSON.stringify(candidates.map((c) => c.row.shiftId)) };
  db.prepare(backupSql(t, backup)).run(ids);
  const backupRows = Number((db.prepare(countSql(backup)).get() as { n: bigint }).n);
  const removed = Number(db.prepare(deleteSql(t)).run(ids).changes);
  const corrections = candidates.filter((c) => c.action === 'correct');
  const upsert = db.prepare(upsertSql(table));
  const synced = sqliteInstant(request.now);
  let written = 0;
  for (const c of corrections) {
    const record = upstreamOf(c, request.upstream);
    // RETURNING gives a row for every write; the rows were just deleted, so each one is written.
    if (upsert.get(...table.spec.columns.map((col) => toSqliteParam(record.values[col.name], col.type, col.name)), tenantId, record.hash, synced)) written++;
  }
  // The write lock is held since BEGIN IMMEDIATE: a difference here is a bug, never a race.
  if (backupRows !== candidates.length || removed !== candidates.length || written !== corrections.length) {
    throw new Error(`planned ${candidates.length} row(s) but backed up ${backupRows}, removed ${removed} and wrote ${written} of ${corrections.length}; nothing was changed`);
  }
  return { candidates, applied: { backupTable: request.backupTable, backupRows, corrected: corrections.length, deleted: candidates.length - corrections.length } };
}

function bound(db: DatabaseSync, table: TargetTable, tenantId: string): TzShiftDatabase {
  return {
    reader: reader(db, table, tenantId),
    async tableExists() {
      return db.prepare(TABLE_EXISTS_SQL).get(table.name) !== undefined;
    },
    async apply(request) {
      db.exec('BEGIN IMMEDIATE');
      try {
        const done = await repair(db, table, tenantId, request);
        db.exec('COMMIT');
        return done;
      } catch (error) {
        if (db.isTransaction) db.exec('ROLLBACK');
        throw error;
      }
    },
    close: async () => db.close(),
  };
}

/** The sync's table in a SQLite file, for one tenant. A file that is not there is not created. */
export function openSqliteTzShift(url: string, table: TargetTable, tenantId: string): TzShiftDatabase {
  try {
    qualifiedName(table); // refuses a schema, which SQLite does not have
  } catch (error) {
    throw new TzShiftTargetError((error as Error).message);
  }
  const path = sqlitePath(url);
  if (path === ':memory:') throw new TzShiftTargetError(`${url}: an in-memory SQLite database lives only as long as the process that wrote it; there is no table to repair`);
  if (!existsSync(path)) throw new TzShiftTargetError(`${url}: no such SQLite file; check the destination's URL, or run \`tidemark sync\` first`);
  return bound(new DatabaseSync(path, { readBigInts: true, timeout: BUSY_TIMEOUT_MS }), table, tenantId);
}
