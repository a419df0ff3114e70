/**
 * `repair tz-shift` on MySQL/MariaDB, through the destination's own pool (a `+00:00` session;
 * instants are DATETIME(6) UTC wall-clock text, compared as such, never as days computed from them).
 *
 * MySQL commits DDL implicitly, so, as in `repair dedupe`, the empty backup table is created
 * (`CREATE TABLE … LIKE`) just before the transaction, and only once a plan outside it found rows
 * to repair. Then ONE transaction: plan again with locking reads, copy the candidates to the
 * backup, delete them all, and insert the corrected ones with the upstream's values through the
 * destination's own upsert, exactly as a sync writes them (the end state is what Postgres's
 * in-place UPDATE leaves, in a fixed number of statements). A failure rolls the table back and
 * drops the empty backup table.
 */
import type { TargetTable } from '../../destinations/destination.ts';
import { MysqlPool, type BoundValue, type MysqlSession } from '../../destinations/mysql/mysql-pool.ts';
import { mysqlUrlOptions } from '../../destinations/mysql/mysql-url.ts';
import { chunksOf, MAX_PLACEHOLDERS, packetBudget } from '../../destinations/mysql/chunks.ts';
import { TABLE_EXISTS_SQL, upsertParamsPerRow, upsertSql } from '../../destinations/mysql/sql.ts';
import { instantFromMysql, mysqlInstant, paramBytes, toMysqlParam } from '../../destinations/mysql/values.ts';
import { redactUrl } from '../../db/redact.ts';
import { assertIdentifier } from '../../db/identifiers.ts';
import type { StoredShift, TwinRowState, TzShiftCandidate } from './plan.ts';
import { NOTHING_APPLIED, upstreamOf, type ShiftReader, type TzShiftApplied, type TzShiftApplyRequest, type TzShiftDatabase } from './database.ts';
import {
  copyToBackupSql,
  createBackupSql,
  deleteRowsSql,
  dropBackupSql,
  storedShiftsSql,
  twinRowsSql,
} from './mysql-sql.ts';
import { TzShiftTargetError } from './target-error.ts';

/** Ids per IN (…) list; more only for a repair of thousands of rows. */
const IDS_PER_STATEMENT = 10_000;

type Row = { shift_id: string; user_id: string; start_at: string; end_at: string | null; business_date: string };

const ms = (datetime: string) => Date.parse(instantFromMysql(datetime));

async function idChunks(session: MysqlSession, ids: readonly string[]): Promise<string[][]> {
  return chunksOf(ids, IDS_PER_STATEMENT, packetBudget(await session.maxPacketBytes()), paramBytes);
}

/** `lock`: inside --apply's transaction, every read is a locking read (FOR UPDATE). */
function reader(session: MysqlSession, table: TargetTable, tenantId: string, lock: boolean): ShiftReader {
  return {
    async storedShifts(range) {
      const rows = await session.rows<Row>(storedShiftsSql(table, lock), [tenantId, mysqlInstant(range.start), mysqlInstant(range.end)]);
      return rows.map((r): StoredShift => ({
        shiftId: r.shift_id,
        userId: r.user_id,
        startMs: ms(r.start_at),
        endMs: r.end_at === null ? null : ms(r.end_at),
        businessDate: r.business_date,
      }));
    },
    async twinRows(ids) {
      const states = new Map<string, TwinRowState>();
      for (const chunk of await idChunks(session, ids)) {
        for (const r of await session.rows<{ shift_id: string; deleted: string | number }>(twinRowsSql(table, chunk.length, lock), [tenantId, ...chunk])) {
          states.set(r.shift_id, Number(r.deleted) !== 0 ? 'soft-deleted' : 'live');
        }
      }
      return states;
    },
  };
}

/** The corrected rows, bound as the destination's upsert takes them: data columns, tenant, hash, synced_at. */
function correctedParams(table: TargetTable, tenantId: string, candidates: readonly TzShiftCandidate[], request: TzShiftApplyRequest): BoundValue[][] {
  const synced = mysqlInstant(request.now);
  return candidates.map((c) => {
    const record = upstreamOf(c, request.upstream);
    return [...table.spec.columns.map((col) => toMysqlParam(record.values[col.name], col.type, col.name)), tenantId, record.hash, synced];
  });
}

/** Inside the transaction: lock, plan, back up, delete, re-insert the corrected rows. */
async function repair(session: MysqlSession, table: TargetTable, tenantId: string, request: TzShiftApplyRequest): Promise<{ candidates: readonly TzShiftCandidate[]; applied: TzShiftApplied }> {
  const candidates = await request.plan(reader(session, table, tenantId, true));
  if (candidates.length === 0) return { candidates, applied: NOTHING_APPLIED };
  let backupRows = 0;
  let removed = 0;
  for (const chunk of await idChunks(session, candidates.map((c) => c.row.shiftId))) {
    backupRows += await session.run(copyToBackupSql(table, request.backupTable, chunk.length), [tenantId, ...chunk]);
    removed += await session.run(deleteRowsSql(table, chunk.length), [tenantId, ...chunk]);
  }
  const corrections = candidates.filter((c) => c.action === 'correct');
  const params = correctedParams(table, tenantId, corrections, request);
  const rowBytes = (values: BoundValue[]) => values.reduce<number>((sum, v) => sum + paramBytes(v), 0);
  let inserted = 0;
  const budget = packetBudget(await session.maxPacketBytes());
  for (const chunk of chunksOf(params, Math.floor(MAX_PLACEHOLDERS / upsertParamsPerRow(table.spec)), budget, rowBytes)) {
    inserted += await session.run(upsertSql(table, chunk.length), chunk.flat());
  }
  // The rows were locked by the plan: anything else means a writer got past the locks. InnoDB
  // reports 1 affected row per insert, 2 per update of a row that was there.
  if (backupRows !== candidates.length || removed !== candidates.length || inserted !== corrections.length) {
    throw new Error(
      `rows changed during the repair (${candidates.length} planned; ${backupRows} backed up, ${removed} removed, ${inserted} affected re-inserting ${corrections.length}); nothing was changed, pause the syncs of this table and run it again`,
    );
  }
  return { candidates, applied: { backupTable: request.backupTable, backupRows, corrected: corrections.length, deleted: candidates.length - corrections.length } };
}

function bound(pool: MysqlPool, table: TargetTable, tenantId: string): TzShiftDatabase {
  const dryRun: ShiftReader = {
    storedShifts: (range) => pool.session((s) => reader(s, table, tenantId, false).storedShifts(range)),
    twinRows: (ids) => pool.session((s) => reader(s, table, tenantId, false).twinRows(ids)),
  };
  return {
    reader: dryRun,
    async tableExists() {
      const [found] = await pool.session((s) => s.rows<{ found: string | number }>(TABLE_EXISTS_SQL, [table.schema ?? null, table.name]));
      return Number(found?.found) > 0;
    },
    async apply(request) {
      const backupTable = assertIdentifier(request.backupTable, 'backup table name');
      // DDL commits: look without locks first, so a table with nothing to repair gets no backup table.
      if ((await request.plan(dryRun)).length === 0) return { candidates: [], applied: NOTHING_APPLIED };
      await pool.session((s) => s.exec(createBackupSql(table, backupTable)));
      let result: Awaited<ReturnType<typeof repair>>;
      try {
        result = await pool.session(async (session) => {
          // REPEATABLE READ for this one transaction (the pool's sessions are READ COMMITTED): the
          // locking range read then also locks the gaps, so no row can be inserted into the range
          // between the plan and the fix; a sync writing these rows waits.
          await session.exec('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ');
          await session.exec('START TRANSACTION');
          try {
            const done = await repair(session, table, tenantId, { ...request, backupTable });
            await session.exec('COMMIT');
            return done;
          } catch (error) {
            await session.exec('ROLLBACK').catch(() => undefined);
            throw error;
          }
        });
      } catch (error) {
        await pool.session((s) => s.exec(dropBackupSql(table, backupTable))).catch(() => undefined);
        throw error;
      }
      // Repaired meanwhile (another run): the backup stayed empty and is not kept.
      if (result.applied.backupRows === 0) await pool.session((s) => s.exec(dropBackupSql(table, backupTable)));
      return result;
    },
    close: () => pool.close(),
  };
}

/** The sync's table on a MySQL/MariaDB server, for one tenant. */
export function openMysqlTzShift(url: string, table: TargetTable, tenantId: string): TzShiftDatabase {
  const options = mysqlUrlOptions(url);
  if (!table.schema && options.database === undefined) {
    throw new TzShiftTargetError(
      `${redactUrl(url)} names no database and the destination has no schema: add the database to the URL (mysql://user@host:3306/db) or set the destination's "schema"`,
    );
  }
  return bound(new MysqlPool(options), table, tenantId);
}
