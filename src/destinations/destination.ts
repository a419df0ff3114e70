/**
 * What the engine asks of a destination database. Each method is a fixed number of round trips
 * whatever the batch size (invariant 6), and each dialect enforces identity with a unique key.
 */
import type { ColumnValue, JsonValue } from '../engine/stream.ts';
import type { TableSpec } from './table-spec.ts';
import type { UtcRange } from '../time/business-day.ts';
import type { MappingOutcome, MappingScope, TableMapping } from './table-mapping.ts';

/** A table as one sync uses it: the stream's spec under the configured name and schema. */
export interface TargetTable {
  readonly spec: TableSpec;
  readonly name: string;
  readonly schema?: string;
}

export interface MergeRow {
  readonly key: string;
  readonly values: Readonly<Record<string, ColumnValue>>;
  /** Content hash of `values`: equal hash, nothing to write. */
  readonly hash: string;
}

export interface RowChange {
  readonly key: string;
  readonly op: 'created' | 'updated' | 'deleted';
  /** The row's data columns before the change (null when created). */
  readonly before: Record<string, JsonValue> | null;
}

export interface MergeOutcome {
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  /** One entry per created or updated row. */
  readonly changes: readonly RowChange[];
}

/** Rows that a complete read did not see, before anything is deleted (for the truncation guard). */
export interface UnseenCount {
  /** Live (not deleted) rows of the tenant in the range. */
  readonly live: number;
  /** Of those, the ones whose key was not seen. */
  readonly unseen: number;
}

/** Which columns `dailyTotals` groups and sums by (validated identifiers of the table's spec). */
export interface DailyTotalsColumns {
  /** A date column holding the row's business day (YYYY-MM-DD in the tenant's zone). */
  readonly dateColumn: string;
  /** The column that splits a day into groups (e.g. the employee). */
  readonly groupColumn: string;
  /** A numeric column summed per group; NULLs (e.g. an open shift's duration) add nothing. */
  readonly sumColumn: string;
}

/** Live rows of one business day and group: how many, and the sum of the summed column. */
export interface DailyTotal {
  readonly businessDate: string;
  readonly groupKey: string;
  readonly count: number;
  readonly sum: number;
}

export interface Destination {
  /** e.g. `postgres`, `pglite`. */
  readonly dialect: string;
  /** Safe to print: no password. */
  readonly description: string;
  /** Create the table, its unique key and window index if missing (idempotent). */
  ensureTable(table: TargetTable): Promise<{ created: boolean }>;
  /** Merge one batch in one statement (so one transaction): keys unique within the batch. */
  mergeBatch(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<MergeOutcome>;
  /** Count live rows in `range` (all rows when null) and those whose key is not in `seenKeys`. */
  countUnseen(table: TargetTable, tenantId: string, range: UtcRange | null, seenKeys: readonly string[]): Promise<UnseenCount>;
  /** Mark live rows in `range` whose key is not in `seenKeys` as deleted; returns them. */
  markUnseenDeleted(
    table: TargetTable,
    tenantId: string,
    range: UtcRange | null,
    seenKeys: readonly string[],
    deletedAt: Date,
  ): Promise<RowChange[]>;
  /**
   * Live rows of the tenant whose window column is in `range` (an indexed range, never a day computed
   * from an instant), counted and summed per stored business date and group: one statement.
   */
  dailyTotals(table: TargetTable, tenantId: string, range: UtcRange, columns: DailyTotalsColumns): Promise<DailyTotal[]>;
  /**
   * Retention: remove the tenant's rows whose instant `column` is before `before` (an indexed
   * range, one statement); returns how many went. Rows, not soft deletes: they aged out.
   */
  purgeBefore(table: TargetTable, tenantId: string, column: string, before: Date): Promise<number>;
  /**
   * Bring a user's own table level with `source` (the sync's table) for the rows in `scope`,
   * through `mapping`, in one transaction, writing only rows whose mapped values differ.
   * Absent on dialects that cannot (SQLite): the engine then fails the run with the reason.
   */
  applyMapping?(source: TargetTable, mapping: TableMapping, tenantId: string, scope: MappingScope): Promise<MappingOutcome>;
  close(): Promise<void>;
}
