/**
 * The MySQL/MariaDB destination (mysql2): merge, reconcile, migrate. Same invariants as Postgres:
 * identity by primary key (tenant_id, key), UTC DATETIME(6), unchanged rows never written, a fixed
 * number of round trips per batch.
 */
import type { JsonValue } from '../../engine/stream.ts';
import type { UtcRange } from '../../time/business-day.ts';
import type { DailyTotal, DailyTotalsColumns, Destination, MergeOutcome, MergeRow, RowChange, TargetTable, UnseenCount } from '../destination.ts';
import type { TableSpec } from '../table-spec.ts';
import type { BoundValue, MysqlSession } from './mysql-pool.ts';
import { hasJsonTable, MysqlPool } from './mysql-pool.ts';
import { mysqlUrlOptions } from './mysql-url.ts';
import {
  purgeBeforeSql,
  auditedColumns,
  countUnseenJsonSql,
  countUnseenSql,
  createSchemaSql,
  createSeenTableSql,
  createTableSql,
  dailyTotalsSql,
  dropSeenTableSql,
  insertSeenSql,
  markKeysDeletedJsonSql,
  markUnseenDeletedSql,
  SCHEMA_EXISTS_SQL,
  selectExistingJsonSql,
  selectExistingSql,
  selectUnseenJsonSql,
  selectUnseenSql,
  TABLE_EXISTS_SQL,
  upsertParamsPerRow,
  upsertSql,
} from './sql.ts';
import { chunksOf, MAX_PLACEHOLDERS, packetBudget } from './chunks.ts';
import { fromMysql, mysqlInstant, paramBytes, toMysqlParam } from './values.ts';
import { normalizeDatabaseError } from '../database-error.ts';
import { mappingStatements } from './mapping-sql.ts';
import { LOAD_MIN_ROWS, loadNewRows } from './load-new-rows.ts';
import type { MappingOutcome, MappingScope, TableMapping } from '../table-mapping.ts';
import { redactUrl } from '../../db/redact.ts';

/** Keys per SELECT … IN (…) and per INSERT into the seen-keys table. */
const KEYS_PER_STATEMENT = 10_000;

type StoredRow = Record<string, unknown> & { tidemark_key: unknown };
type ExistingRow = StoredRow & { tidemark_hash: string; tidemark_deleted_at: string | null };

function beforeImage(spec: TableSpec, row: Record<string, unknown>): Record<string, JsonValue> {
  const image: Record<string, JsonValue> = {};
  for (const column of auditedColumns(spec)) image[column.name] = fromMysql(row[column.name], column.type);
  return image;
}

function rangeParams(range: UtcRange | null): string[] {
  return range ? [mysqlInstant(range.start), mysqlInstant(range.end)] : [];
}

const keyBytes = (key: string) => paramBytes(key);

/** The keys as one JSON array parameter, when the server has JSON_TABLE and it fits a packet. */
async function keysJson(session: MysqlSession, keys: readonly string[]): Promise<string | null> {
  if (!hasJsonTable(session.server)) return null;
  const json = JSON.stringify(keys);
  return paramBytes(json) + 4096 <= packetBudget(await session.maxPacketBytes()) ? json : null;
}

export class MysqlDestination implements Destination {
  readonly dialect = 'mysql';
  readonly description: string;
  private readonly pool: MysqlPool;

  private readonly hasDatabase: boolean;

  constructor(url: string) {
    const options = mysqlUrlOptions(url);
    this.pool = new MysqlPool(options);
    this.hasDatabase = options.database !== undefined;
    this.description = redactUrl(url);
  }

  private fail(error: unknown, table: TargetTable): never {
    throw normalizeDatabaseError(error, { table: table.name, dialect: this.dialect });
  }

  /** Said before the server's "No database selected", with the two ways to fix it. */
  private assertDatabase(table: TargetTable): void {
    if (!table.schema && !this.hasDatabase) {
      throw new Error(`${this.description} names no database and the table has no schema: add the database to the URL (mysql://user@host:3306/db) or set the destination's "schema"`);
    }
  }

  async ensureTable(table: TargetTable): Promise<{ created: boolean }> {
    try {
      this.assertDatabase(table);
      return await this.pool.session(async (session) => {
        const [exists] = await session.rows<{ found: string; max_packet: string; local_infile: string }>(TABLE_EXISTS_SQL, [table.schema ?? null, table.name]);
        session.learnVariables(exists);
        if (Number(exists?.found) > 0) return { created: false };
        if (table.schema) {
          // CREATE DATABASE IF NOT EXISTS needs the privilege even when the database is there.
          const [schema] = await session.rows<{ found: string }>(SCHEMA_EXISTS_SQL, [table.schema]);
          if (Number(schema?.found) === 0) await session.exec(createSchemaSql(table.schema));
        }
        await session.exec(createTableSql(table));
        return { created: true };
      });
    } catch (error) {
      this.fail(error, table);
    }
  }

  /**
   * One transaction: lock and read the batch's existing rows (hash, deleted_at, before-image), then
   * one multi-row upsert of the rows that are new or changed. Round trips: START, SELECT, INSERT,
   * COMMIT; a batch with nothing to write skips the INSERT. From LOAD_MIN_ROWS new rows up, the new
   * ones are streamed by LOAD DATA LOCAL instead (load-new-rows.ts) and the upsert carries only the
   * changed ones. More statements only past 10,000 keys or the placeholder/packet limits.
   */
  async mergeBatch(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<MergeOutcome> {
    if (rows.length === 0) return { created: 0, updated: 0, unchanged: 0, changes: [] };
    const { spec } = table;
    const synced = mysqlInstant(syncedAt);
    try {
      this.assertDatabase(table);
      return await this.pool.transaction(async (session) => {
        const existing = await this.lockExisting(session, table, tenantId, rows);
        const outcome = this.outcome(spec, rows, existing);
        // The rows are locked, so the ones found unchanged stay so until COMMIT: they are not sent.
        // The upsert's own hash condition still guards every row it is given.
        const writes = new Set(outcome.changes.map((c) => c.key));
        let upserted = rows.filter((row) => writes.has(row.key));
        let expected = outcome.created + 2 * outcome.updated;
        const loadable = outcome.created >= LOAD_MIN_ROWS && (await session.localInfile());
        if (loadable && (await loadNewRows(session, table, tenantId, upserted.filter((row) => !existing.has(row.key)), synced))) {
          upserted = upserted.filter((row) => existing.has(row.key));
          expected = 2 * outcome.updated;
        }
        const params: BoundValue[][] = upserted.map((row) => [...spec.columns.map((c) => toMysqlParam(row.values[c.name], c.type, c.name)), tenantId, row.hash, synced]);
        const perRow = upsertParamsPerRow(spec);
        const rowBytes = (values: BoundValue[]) => values.reduce<number>((sum, v) => sum + paramBytes(v), 0);
        let affected = 0;
        const budget = packetBudget(await session.maxPacketBytes());
        for (const chunk of chunksOf(params, Math.floor(MAX_PLACEHOLDERS / perRow), budget, rowBytes)) {
          affected += await session.run(upsertSql(table, chunk.length), chunk.flat());
        }
        // InnoDB reports 1 per inserted row, 2 per updated row, 0 per untouched row: a second,
        // independent count of what the SELECT predicted (a row inserted meanwhile by another
        // writer would show here). A mismatch rolls the batch back.
        if (affected !== expected) {
          throw new Error(
            `merge counts disagree: expected ${outcome.created} created and ${outcome.updated} updated (${expected} affected rows from the upsert), the server reported ${affected}; the batch was rolled back`,
          );
        }
        return outcome;
      });
    } catch (error) {
      this.fail(error, table);
    }
  }

  private async lockExisting(session: MysqlSession, table: TargetTable, tenantId: string, rows: readonly MergeRow[]): Promise<Map<string, ExistingRow>> {
    const existing = new Map<string, ExistingRow>();
    const keys = rows.map((r) => r.key);
    const budget = packetBudget(await session.maxPacketBytes());
    const json = hasJsonTable(session.server);
    // A key's bytes twice over in JSON: escaped once inside the JSON text, once more by the driver.
    for (const chunk of chunksOf(keys, KEYS_PER_STATEMENT, budget - 4096, json ? (key) => 2 * keyBytes(key) : keyBytes)) {
      const found = json
        ? await session.rows<ExistingRow>(selectExistingJsonSql(table), [JSON.stringify(chunk), tenantId])
        : await session.rows<ExistingRow>(selectExistingSql(table, chunk.length), [tenantId, ...chunk]);
      for (const row of found) existing.set(String(row.tidemark_key), row);
    }
    return existing;
  }

  private outcome(spec: TableSpec, rows: readonly MergeRow[], existing: Map<string, ExistingRow>): MergeOutcome {
    let created = 0;
    let updated = 0;
    const changes: RowChange[] = [];
    for (const row of rows) {
      const old = existing.get(row.key);
      if (!old) {
        created++;
        changes.push({ key: row.key, op: 'created', before: null });
      } else if (old.tidemark_hash !== row.hash || old.tidemark_deleted_at !== null) {
        updated++;
        changes.push({ key: row.key, op: 'updated', before: beforeImage(spec, old) });
      }
    }
    return { created, updated, unchanged: rows.length - created - updated, changes };
  }

  /** Fill a temporary table with the seen keys (chunked), run `work`, drop the table. */
  private async withSeenKeys<T>(session: MysqlSession, table: TargetTable, seenKeys: readonly string[], work: () => Promise<T>): Promise<T> {
    await session.exec(createSeenTableSql(table));
    for (const chunk of chunksOf(seenKeys, KEYS_PER_STATEMENT, packetBudget(await session.maxPacketBytes()), keyBytes)) {
      await session.run(insertSeenSql(table, chunk.length), chunk);
    }
    const result = await work();
    await session.exec(dropSeenTableSql(table));
    return result;
  }

  async countUnseen(table: TargetTable, tenantId: string, range: UtcRange | null, seenKeys: readonly string[]): Promise<UnseenCount> {
    try {
      this.assertDatabase(table);
      return await this.pool.session(async (session) => {
        const json = await keysJson(session, seenKeys);
        if (json !== null) {
          // One statement: the seen keys as a JSON table, no temporary table to create and drop.
          const [row] = await session.rows<{ live: string; unseen: string }>(countUnseenJsonSql(table, range !== null), [json, tenantId, ...rangeParams(range)]);
          return { live: Number(row?.live ?? 0), unseen: Number(row?.unseen ?? 0) };
        }
        return this.withSeenKeys(session, table, seenKeys, async () => {
          const [row] = await session.rows<{ live: string; unseen: string }>(countUnseenSql(table, range !== null), [tenantId, ...rangeParams(range)]);
          return { live: Number(row?.live ?? 0), unseen: Number(row?.unseen ?? 0) };
        });
      });
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
    const at = mysqlInstant(deletedAt);
    try {
      this.assertDatabase(table);
      return await this.pool.session(async (session) => {
        const json = await keysJson(session, seenKeys);
        if (json !== null) return this.markUnseenDeletedJson(session, table, tenantId, range, json, at);
        return this.withSeenKeys(session, table, seenKeys, async () => {
          await session.exec('START TRANSACTION');
          try {
            const unseen = await session.rows<StoredRow>(selectUnseenSql(table, range !== null), [tenantId, ...rangeParams(range)]);
            const marked = await session.run(markUnseenDeletedSql(table, range !== null), [at, at, tenantId, ...rangeParams(range)]);
            // Only a concurrent writer on this tenant's rows (which one run per sync excludes) could
            // make these differ: then nothing is deleted and the run says so.
            if (marked !== unseen.length) {
              throw new Error(`rows changed while deletions were marked (${unseen.length} selected, ${marked} updated); nothing was deleted, run the sync again`);
            }
            await session.exec('COMMIT');
            return unseen.map((row): RowChange => ({ key: String(row.tidemark_key), op: 'deleted', before: beforeImage(table.spec, row) }));
          } catch (error) {
            await session.exec('ROLLBACK').catch(() => undefined);
            throw error;
          }
        });
      });
    } catch (error) {
      this.fail(error, table);
    }
  }

  /**
   * With JSON_TABLE: START, the locking SELECT of the unseen rows (anti-join against the seen keys
   * as a JSON parameter), an UPDATE of exactly those keys (skipped when there are none), COMMIT.
   */
  private async markUnseenDeletedJson(session: MysqlSession, table: TargetTable, tenantId: string, range: UtcRange | null, json: string, at: string): Promise<RowChange[]> {
    await session.exec('START TRANSACTION');
    try {
      const unseen = await session.rows<StoredRow>(selectUnseenJsonSql(table, range !== null), [tenantId, ...rangeParams(range), json]);
      const keys = unseen.map((row) => String(row.tidemark_key));
      let marked = 0;
      const budget = packetBudget(await session.maxPacketBytes()) - 4096;
      // A key's bytes twice over: escaped once inside the JSON text, once more by the driver.
      for (const chunk of chunksOf(keys, Number.MAX_SAFE_INTEGER, budget, (key) => 2 * keyBytes(key))) {
        marked += await session.run(markKeysDeletedJsonSql(table, range !== null), [JSON.stringify(chunk), at, at, tenantId, ...rangeParams(range)]);
      }
      // Only a concurrent writer on this tenant's rows (which one run per sync excludes) could
      // make these differ: then nothing is deleted and the run says so.
      if (marked !== unseen.length) {
        throw new Error(`rows changed while deletions were marked (${unseen.length} selected, ${marked} updated); nothing was deleted, run the sync again`);
      }
      await session.exec('COMMIT');
      return unseen.map((row): RowChange => ({ key: String(row.tidemark_key), op: 'deleted', before: beforeImage(table.spec, row) }));
    } catch (error) {
      await session.exec('ROLLBACK').catch(() => undefined);
      throw error;
    }
  }

  async dailyTotals(table: TargetTable, tenantId: string, range: UtcRange, columns: DailyTotalsColumns): Promise<DailyTotal[]> {
    try {
      this.assertDatabase(table);
      const rows = await this.pool.session((session) =>
        session.rows<{ business_date: string; group_key: string; count: string; sum: string }>(dailyTotalsSql(table, columns), [tenantId, ...rangeParams(range)]),
      );
      return rows.map((row) => ({ businessDate: row.business_date, groupKey: row.group_key, count: Number(row.count), sum: Number(row.sum) }));
    } catch (error) {
      this.fail(error, table);
    }
  }

  async purgeBefore(table: TargetTable, tenantId: string, column: string, before: Date): Promise<number> {
    try {
      this.assertDatabase(table);
      return await this.pool.session((session) => session.run(purgeBeforeSql(table, column), [tenantId, mysqlInstant(before)]));
    } catch (error) {
      this.fail(error, table);
    }
  }

  async applyMapping(source: TargetTable, mapping: TableMapping, tenantId: string, scope: MappingScope): Promise<MappingOutcome> {
    try {
      this.assertDatabase(source);
      const statements = mappingStatements(source, mapping, tenantId, scope);
      return await this.pool.transaction(async (session) => {
        const [counts] = await session.rows<{ eligible: string; existing: string; unmatched: string }>(statements.counts.sql, statements.counts.params);
        const unmatched = Number(counts?.unmatched ?? 0);
        const keys = unmatched > 0 ? await session.rows<{ k: string }>(statements.unmatchedKeys.sql, statements.unmatchedKeys.params) : [];
        const affected = await session.run(statements.upsert.sql, statements.upsert.params);
        const removed = await session.run(statements.removal.sql, statements.removal.params);
        // Affected rows count an insert once and a changed row twice (FOUND_ROWS off).
        const inserted = Number(counts?.eligible ?? 0) - Number(counts?.existing ?? 0);
        return {
          table: mapping.schema ? `${mapping.schema}.${mapping.table}` : mapping.table,
          inserted,
          updated: Math.max(0, (affected - inserted) / 2),
          removed,
          unmatched,
          unmatchedKeys: keys.map((k) => String(k.k)),
        };
      });
    } catch (error) {
      throw normalizeDatabaseError(error, { table: mapping.table, dialect: this.dialect });
    }
  }

  async close(): Promise<void> {
    await this.pool.close();
  }
}
