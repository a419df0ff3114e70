/** The Postgres destination (a server through `pg`, or embedded PGlite): merge, reconcile, migrate. */
import type { QueryResult, SqlClient } from '../../db/sql-client.ts';
import type { ColumnValue, JsonValue } from '../../engine/stream.ts';
import type { UtcRange } from '../../time/business-day.ts';
import type { DailyTotal, DailyTotalsColumns, Destination, MergeOutcome, MergeRow, RowChange, TargetTable, UnseenCount } from '../destination.ts';
import type { ColumnSpec } from '../table-spec.ts';
import {
  purgeBeforeSql,
  copyIntoStagingSql,
  countUnseenSql,
  createStagingSql,
  createTableSql,
  dailyTotalsSql,
  markUnseenDeletedSql,
  mergeFromStagingSql,
  mergeSql,
  stagingName,
} from './sql.ts';
import { copyChunks } from './copy-text.ts';
import { mappedTableText, mappingStatement, targetTypesSql } from './mapping-sql.ts';
import type { MappingOutcome, MappingScope, TableMapping } from '../table-mapping.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import { normalizeDatabaseError } from '../database-error.ts';

/** A value as a Postgres array element: instants as ISO text, JSON as text, the rest as is. */
function toArrayElement(value: ColumnValue | undefined, column: ColumnSpec): unknown {
  if (value === undefined || value === null) return null;
  if (column.type === 'instant') return value instanceof Date ? value.toISOString() : String(value);
  if (column.type === 'json') return JSON.stringify(value);
  if (column.type === 'bigint' || column.type === 'numeric') return String(value);
  return value;
}

/**
 * Batches of at least this many rows go through COPY into a temp staging table, then the same
 * upsert reads from it: three round trips instead of one, but the server parses COPY's text
 * faster than 21 bound arrays (merge of 100,000 rows: 1.8x COPY instead of 2.7x; see
 * docs/performance.md). Below it, one round trip per batch wins as soon as the database is a few
 * milliseconds away, so the default batch of 1,000 keeps the bound-array path; bulk backfills set
 * `batchSize` to 5,000 or more.
 */
export const COPY_MIN_ROWS = 5000;

export interface PostgresDestinationOptions {
  /** Use COPY staging from this batch size up (Postgres servers only); Infinity turns it off. */
  readonly copyMinRows?: number;
}

interface MergedRow {
  key: string;
  inserted: boolean;
  before: Record<string, JsonValue> | null;
}

export class PostgresDestination implements Destination {
  readonly dialect: string;
  readonly description: string;
  private readonly db: SqlClient;
  private readonly copyMinRows: number;
  private readonly sqlCache = new Map<string, string>();

  constructor(db: SqlClient, options: PostgresDestinationOptions = {}) {
    this.db = db;
    this.dialect = db.kind;
    this.description = db.description;
    this.copyMinRows = options.copyMinRows ?? COPY_MIN_ROWS;
  }

  private cached(key: string, build: () => string): string {
    let sql = this.sqlCache.get(key);
    if (sql === undefined) {
      sql = build();
      this.sqlCache.set(key, sql);
    }
    return sql;
  }

  async ensureTable(table: TargetTable): Promise<{ created: boolean }> {
    const exists = await this.db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [
      table.schema ? `${table.schema}.${table.name}` : table.name,
    ]);
    if (exists.rows[0]?.found) return { created: false };
    await this.db.transaction(async (tx) => {
      for (const statement of createTableSql(table)) await tx.query(statement);
    });
    return { created: true };
  }

  async mergeBatch(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<MergeOutcome> {
    if (rows.length === 0) return { created: 0, updated: 0, unchanged: 0, changes: [] };
    let result: QueryResult<MergedRow>;
    try {
      result = this.db.session && rows.length >= this.copyMinRows
        ? await this.mergeThroughCopy(this.db.session, table, tenantId, rows, syncedAt)
        : await this.mergeThroughArrays(table, tenantId, rows, syncedAt);
    } catch (error) {
      throw normalizeDatabaseError(error, { table: table.name, dialect: this.dialect });
    }
    let created = 0;
    const changes: RowChange[] = result.rows.map((row) => {
      if (row.inserted) created++;
      return { key: row.key, op: row.inserted ? 'created' : 'updated', before: row.inserted ? null : row.before };
    });
    const updated = result.rows.length - created;
    return { created, updated, unchanged: rows.length - result.rows.length, changes };
  }

  private mergeThroughArrays(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<QueryResult<MergedRow>> {
    const sql = this.cached(`merge:${table.schema ?? ''}.${table.name}`, () => mergeSql(table));
    const params: unknown[] = [tenantId, syncedAt.toISOString(), rows.map((r) => r.hash)];
    for (const column of table.spec.columns) {
      params.push(rows.map((row) => toArrayElement(row.values[column.name], column)));
    }
    return this.db.query<MergedRow>(sql, params);
  }

  private mergeThroughCopy(
    session: NonNullable<SqlClient['session']>,
    table: TargetTable,
    tenantId: string,
    rows: readonly MergeRow[],
    syncedAt: Date,
  ): Promise<QueryResult<MergedRow>> {
    const key = `${table.schema ?? ''}.${table.name}`;
    const create = this.cached(`stage:${key}`, () => createStagingSql(table));
    const copy = this.cached(`copy:${key}`, () => copyIntoStagingSql(table));
    const merge = this.cached(`merge-stage:${key}`, () => mergeFromStagingSql(table));
    return session(async (connection) => {
      await connection.once(create, create);
      // The staging table is empty between batches: a failed batch discards the connection.
      await connection.copyFrom(copy, copyChunks(table.spec.columns, rows));
      try {
        return await connection.query<MergedRow>(merge, [tenantId, syncedAt.toISOString()]);
      } finally {
        await connection.query(`TRUNCATE ${quoteIdent(stagingName(table))}`);
      }
    });
  }

  async countUnseen(table: TargetTable, tenantId: string, range: UtcRange | null, seenKeys: readonly string[]): Promise<UnseenCount> {
    const params: unknown[] = [tenantId, seenKeys];
    if (range) params.push(range.start.toISOString(), range.end.toISOString());
    const result = await this.db.query<{ live: number; unseen: number }>(countUnseenSql(table, range !== null), params);
    const row = result.rows[0];
    return { live: Number(row?.live ?? 0), unseen: Number(row?.unseen ?? 0) };
  }

  async markUnseenDeleted(
    table: TargetTable,
    tenantId: string,
    range: UtcRange | null,
    seenKeys: readonly string[],
    deletedAt: Date,
  ): Promise<RowChange[]> {
    const params: unknown[] = [tenantId, seenKeys];
    if (range) params.push(range.start.toISOString(), range.end.toISOString());
    params.push(deletedAt.toISOString());
    const result = await this.db.query<{ key: string; before: Record<string, JsonValue> }>(
      markUnseenDeletedSql(table, range !== null),
      params,
    );
    return result.rows.map((row) => ({ key: row.key, op: 'deleted' as const, before: row.before }));
  }

  async dailyTotals(table: TargetTable, tenantId: string, range: UtcRange, columns: DailyTotalsColumns): Promise<DailyTotal[]> {
    try {
      const result = await this.db.query<{ business_date: string; group_key: string; count: number; sum: string }>(dailyTotalsSql(table, columns), [
        tenantId,
        range.start.toISOString(),
        range.end.toISOString(),
      ]);
      return result.rows.map((row) => ({ businessDate: row.business_date, groupKey: row.group_key, count: Number(row.count), sum: Number(row.sum) }));
    } catch (error) {
      throw normalizeDatabaseError(error, { table: table.name, dialect: this.dialect });
    }
  }

  async purgeBefore(table: TargetTable, tenantId: string, column: string, before: Date): Promise<number> {
    try {
      const result = await this.db.query(purgeBeforeSql(table, column), [tenantId, before.toISOString()]);
      return result.rowCount ?? 0;
    } catch (error) {
      throw normalizeDatabaseError(error, { table: table.name, dialect: this.dialect });
    }
  }

  async applyMapping(source: TargetTable, mapping: TableMapping, tenantId: string, scope: MappingScope): Promise<MappingOutcome> {
    try {
      const types = await this.db.query<{ name: string; type: string }>(targetTypesSql(), [mappedTableText(mapping)]);
      if (types.rows.length === 0) {
        throw new Error(`the mapped table ${mappedTableText(mapping)} does not exist: create it, or fix syncs[].mapping.table (tidemark doctor checks it)`);
      }
      const statement = mappingStatement(source, mapping, { target: new Map(types.rows.map((r) => [r.name, r.type])) }, tenantId, scope);
      const result = await this.db.query<{ inserted: number; updated: number; removed: number; unmatched: number; unmatched_keys: string[] }>(statement.sql, statement.params);
      const row = result.rows[0]!;
      return { table: mapping.schema ? `${mapping.schema}.${mapping.table}` : mapping.table, inserted: row.inserted, updated: row.updated, removed: row.removed, unmatched: row.unmatched, unmatchedKeys: row.unmatched_keys };
    } catch (error) {
      throw normalizeDatabaseError(error, { table: mapping.table, dialect: this.dialect });
    }
  }

  async close(): Promise<void> {
    await this.db.close();
  }
}
