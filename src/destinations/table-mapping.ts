/**
 * A user's own table kept level with a sync's table through a column mapping (the tracker's
 * `clock_times(id, employee_id, clock_in, clock_out, total_minutes, is_active, source)`).
 *
 * Tidemark's own table stays the exact copy (identity, content hashes, deletions, audit); after
 * each run the mapped table is brought level with it for the rows the run covered, in one
 * transaction, writing only rows whose mapped values differ. Identifiers here are validated by
 * the configuration schema; values are bound, never spliced.
 */
import type { UtcRange } from '../time/business-day.ts';

export type MappedScalar = string | number | boolean | null;

/** Where one column of the user's table gets its value. */
export type MappedColumn =
  /** A column of the sync's table (e.g. `start_at`). */
  | { readonly kind: 'column'; readonly column: string }
  /** The same value on every row (e.g. `source = 'connecteam'`). */
  | { readonly kind: 'value'; readonly value: MappedScalar }
  /**
   * The user's own lookup: `value` of the row of `table` whose `match` equals the sync table's
   * `from` column (e.g. employees.id where employees.connecteam_user_id = user_id). Compared as
   * text, so a bigint id and a text id match exactly. No match: the row is not written (and
   * reported) unless `required` is false, which writes NULL.
   */
  | {
      readonly kind: 'lookup';
      readonly from: string;
      readonly table: string;
      readonly schema?: string;
      readonly match: string;
      readonly value: string;
      readonly required: boolean;
    };

export interface TableMapping {
  readonly table: string;
  readonly schema?: string;
  /** The user's column that holds the upstream identity (the sync table's key column). */
  readonly keyColumn: string;
  /** The user's column holding the tenant, when the table holds several; part of the unique key. */
  readonly tenantColumn?: string;
  /** User column → source, in the order written. The key and tenant columns are not listed. */
  readonly columns: readonly (readonly [string, MappedColumn])[];
  /** Rows deleted upstream: removed from the user's table, or a flag column set (e.g. is_active = false). */
  readonly deleted: { readonly kind: 'delete' } | { readonly kind: 'flag'; readonly column: string; readonly live: MappedScalar; readonly deleted: MappedScalar };
}

/** Which of the sync table's rows a run covered, and so which mapped rows to bring level. */
export type MappingScope =
  /** Window mode: rows whose window column is in the range (live and deleted). */
  | { readonly kind: 'range'; readonly range: UtcRange }
  /** Snapshot mode: every row of the tenant. */
  | { readonly kind: 'all' }
  /** Incremental mode: rows the run wrote or deleted (synced at or after the run's start). */
  | { readonly kind: 'synced-since'; readonly since: Date };

export interface MappingOutcome {
  readonly table: string;
  /** Rows added to the user's table. */
  readonly inserted: number;
  /** Rows whose mapped values differed and were rewritten. */
  readonly updated: number;
  /** Rows removed or flagged deleted because the upstream deleted them. */
  readonly removed: number;
  /** Live rows not written because a required lookup found no match. */
  readonly unmatched: number;
  /** Up to 20 of their upstream keys, for the warning. */
  readonly unmatchedKeys: readonly string[];
}
