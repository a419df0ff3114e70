/**
 * The SQLite destination (node:sqlite, built into Node 24): merge, reconcile, migrate. The database
 * is in this process, so "round trips" are statement executions: each batch is one transaction
 * with one SELECT for the batch's existing rows and one prepared upsert run per new or changed
 * row. node:sqlite is synchronous; each method does all its work in one synchronous stretch, so no
 * two can interleave inside a transaction.
 */
import { DatabaseSync, type StatementSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import type { JsonValue } from '../../engine/stream.ts';
import type { UtcRange } from '../../time/business-day.ts';
import type { DailyTotal, DailyTotalsColumns, Destination, MergeOutcome, MergeRow, RowChange, TargetTable, UnseenCount } from '../destination.ts';
import type { TableSpec } from '../table-spec.ts';
import {
  purgeBeforeSql,
  auditedColumns,
  countUnseenSql,
  createTableSql,
  dailyTotalsSql,
  markUnseenDeletedSql,
  qualifiedName,
  selectExistingSql,
  TABLE_EXISTS_SQL,
  upsertSql,
} from './sql.ts';
import { fromSqlite, sqliteInstant, toSqliteParam, type SqliteValue } from './values.ts';
import { normalizeDatabaseError } from '../database-error.ts';

export function isSqliteUrl(url: string): boolean {
  return url.startsWith('sqlite:');
}

/** `sqlite:PATH` (also `sqlite://PATH`), or `sqlite:memory` for a database that lives as long as the process. */
export function sqlitePath(url: string): string {
  const path = url.slice('sqlite:'.length).replace(/^\/\//, '');
  if (!path) throw new Error('sqlite URL needs a file: sqlite:./data/tidemark.db or sqlite:memory');
  return path === 'memory' ? ':memory:' : path;
}

/** A writer waits this long for another process's write transaction before failing with SQLITE_BUSY. */
const BUSY_TIMEOUT_MS = 10_000;

type StoredRow = Record<string, unknown> & { tidemark_key: unknown };
type ExistingRow = StoredRow & { tidemark_hash: string; tidemark_deleted_at: string | null };

function beforeImage(spec: TableSpec, row: Record<string, unknown>): Record<string, JsonValue> {
  const image: Record<string, JsonValue> = {};
  for (const column of auditedColumns(spec)) image[column.name] = fromSqlite(row[column.name], column.type);
  return image;
}

function rangeParams(range: UtcRange | null): Record<string, string> {
  return range ? { start: sqliteInstant(range.start), end: sqliteInstant(range.end) } : {};
}

export class SqliteDestination implements Destination {
  readonly dialect = 'sqlite';
  readonly description: string;
  private readonly db: DatabaseSync;
  private readonly statements = new Map<string, StatementSync>();

  constructor(url: string) {
    const path = sqlitePath(url);
    if (path !== ':memory:') mkdirSync(dirname(path), { recursive: true });
    this.description = path === ':memory:' ? 'sqlite (in memory)' : `sqlite:${path}`;
    // readBigInts: a 64-bit id read as a JS number would silently lose its last digits.
    this.db = new DatabaseSync(path, { readBigInts: true, timeout: BUSY_TIMEOUT_MS });
    // WAL: readers (the business's own reports) do not block the sync's writes, nor it theirs.
    if (path !== ':memory:') this.db.exec('PRAGMA journal_mode = WAL');
  }

  private statement(table: TargetTable, purpose: string, build: () => string): StatementSync {
    const key = `${purpose}:${table.name}`;
    let statement = this.statements.get(key);
    if (!statement) {
      statement = this.db.prepare(build());
      this.statements.set(key, statement);
    }
    return statement;
  }

  /** `work` between BEGIN IMMEDIATE (take the write lock now, not halfway) and COMMIT. */
  private transaction<T>(work: () => T): T {
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const result = work();
      this.db.exec('COMMIT');
      return result;
    } catch (error) {
      if (this.db.isTransaction) this.db.exec('ROLLBACK');
      throw error;
    }
  }

  private fail(error: unknown, table: TargetTable): never {
    throw normalizeDatabaseError(error, { table: table.name, dialect: this.dialect });
  }

  async ensureTable(table: TargetTable): Promise<{ created: boolean }> {
    try {
      qualifiedName(table); // refuses a schema before anything else
      if (this.db.prepare(TABLE_EXISTS_SQL).get(table.name)) return { created: false };
      this.transaction(() => {
        for (const sql of createTableSql(table)) this.db.exec(sql);
      });
      return { created: true };
    } catch (error) {
      this.fail(error, table);
    }
  }

  async mergeBatch(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<MergeOutcome> {
    if (rows.length === 0) return { created: 0, updated: 0, unchanged: 0, changes: [] };
    const { spec } = table;
    try {
      const select = this.statement(table, 'existing', () => selectExistingSql(table));
      const upsert = this.statement(table, 'upsert', () => upsertSql(table));
      const synced = sqliteInstant(syncedAt);
      const params: SqliteValue[][] = rows.map((row) => [
        ...spec.columns.map((c) => toSqliteParam(row.values[c.name], c.type, c.name)),
        tenantId,
        row.hash,
        synced,
      ]);
      return this.transaction(() => {
        const existing = new Map<string, ExistingRow>();
        for (const row of select.all({ tenant: tenantId, keys: JSON.stringify(rows.map((r) => r.key)) }) as ExistingRow[]) {
          existing.set(String(row.tidemark_key), row);
        }
        let created = 0;
        let updated = 0;
        const changes: RowChange[] = [];
        for (let i = 0; i < rows.length; i++) {
          const row = rows[i]!;
          const old = existing.get(row.key);
          // The write lock is held since BEGIN IMMEDIATE: an unchanged row stays unchanged, skip it.
          if (old && old.tidemark_hash === row.hash && old.tidemark_deleted_at === null) continue;
          // The upsert's own hash condition guards the rows it is given; RETURNING confirms the write.
          if (upsert.get(...params[i]!) === undefined) {
            throw new Error(`row ${row.key} was expected to be written but the upsert skipped it; the batch was rolled back`);
          }
          if (old) {
            updated++;
            changes.push({ key: row.key, op: 'updated', before: beforeImage(spec, old) });
          } else {
            created++;
            changes.push({ key: row.key, op: 'created', before: null });
          }
        }
        return { created, updated, unchanged: rows.length - created - updated, changes };
      });
    } catch (error) {
      this.fail(error, table);
    }
  }

  async countUnseen(table: TargetTable, tenantId: string, range: UtcRange | null, seenKeys: readonly string[]): Promise<UnseenCount> {
    try {
      const count = this.statement(table, `count-unseen:${range !== null}`, () => countUnseenSql(table, range !== null));
      const row = count.get({ tenant: tenantId, seen: JSON.stringify(seenKeys), ...rangeParams(range) }) as { live: bigint; unseen: bigint } | undefined;
      return { live: Number(row?.live ?? 0), unseen: Number(row?.unseen ?? 0) };
    } catch (error) {
      this.fail(error, table);
    }
  }

  async markUnseenDeleted(
    table: TargetTable,
    tenantId: string,
    range: UtcRange | null,
    seenKeys: readonly string[],
    deletedAt: Date,
  ): Promise<RowChange[]> {
    try {
      const mark = this.statement(table, `mark-unseen:${range !== null}`, () => markUnseenDeletedSql(table, range !== null));
      const rows = this.transaction(
        () => mark.all({ tenant: tenantId, seen: JSON.stringify(seenKeys), at: sqliteInstant(deletedAt), ...rangeParams(range) }) as StoredRow[],
      );
      return rows.map((row) => ({ key: String(row.tidemark_key), op: 'deleted' as const, before: beforeImage(table.spec, row) }));
    } catch (error) {
      this.fail(error, table);
    }
  }

  async dailyTotals(table: TargetTable, tenantId: string, range: UtcRange, columns: DailyTotalsColumns): Promise<DailyTotal[]> {
    try {
      // Not cached: the columns come from the caller, and the statement runs once per reconcile.
      const rows = this.db.prepare(dailyTotalsSql(table, columns)).all({ tenant: tenantId, ...rangeParams(range) }) as {
        business_date: string;
        group_key: string;
        count: bigint;
        sum: number;
      }[];
      return rows.map((row) => ({ businessDate: row.business_date, groupKey: row.group_key, count: Number(row.count), sum: Number(row.sum) }));
    } catch (error) {
      this.fail(error, table);
    }
  }

  async purgeBefore(table: TargetTable, tenantId: string, column: string, before: Date): Promise<number> {
    try {
      const purge = this.statement(table, `purge:${column}`, () => purgeBeforeSql(table, column));
      return Number(purge.run({ tenant: tenantId, before: sqliteInstant(before) }).changes);
    } catch (error) {
      this.fail(error, table);
    }
  }

  async close(): Promise<void> {
    this.statements.clear();
    this.db.close();
  }
}
