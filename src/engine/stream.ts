/**
 * What a connector offers the engine: streams that read pages of raw upstream JSON and
 * normalize each raw record into a row keyed by the upstream's identity.
 */
import type { TableSpec } from '../destinations/table-spec.ts';
import type { DailyTotalsColumns } from '../destinations/destination.ts';
import type { BusinessWindow } from '../time/window.ts';

/** How a run decides which rows it may delete (see DESIGN.md, "mode"). */
export const SYNC_MODES = ['window', 'incremental', 'snapshot'] as const;
export type SyncMode = (typeof SYNC_MODES)[number];

/** One column value as it is bound into SQL. Instants are `Date`, 64-bit ids are strings. */
export type ColumnValue = string | number | boolean | Date | null | JsonValue;
export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };

/** A record after normalization: the row the destination will hold, without tenant or bookkeeping columns. */
export interface NormalizedRecord {
  /** The upstream identity (e.g. a Connecteam shift id), unique within a tenant and stream. */
  readonly key: string;
  /** Column name → value, exactly the stream table's data columns. */
  readonly values: Readonly<Record<string, ColumnValue>>;
}

export type NormalizeResult =
  | { readonly ok: true; readonly record: NormalizedRecord }
  | { readonly ok: false; readonly reason: string; readonly key?: string };

/** Where a read can resume from: opaque to the engine, meaningful to the stream that produced it. */
export type ReadPosition = JsonValue;

/** One page of raw upstream records and the position a resumed read restarts at to see it again. */
export interface RawPage {
  readonly records: readonly unknown[];
  /** Re-reading from this position yields this page again (and everything after it). */
  readonly position: ReadPosition;
  /** Units of work (e.g. requests) done after this page out of the total, when the stream knows. */
  readonly progress?: { readonly done: number; readonly total: number };
}

/** Everything a stream needs to read: the plan of the run and how to reach the upstream. */
export interface ReadPlan {
  readonly tenantId: string;
  readonly timezone: string;
  readonly mode: SyncMode;
  /** Business-day window for `window` mode; absent for snapshots. */
  readonly window?: BusinessWindow;
  /** Resume from here (a checkpoint), else from the start. */
  readonly from?: ReadPosition;
  /**
   * `incremental` mode: read records updated at or after this instant (the previous successful
   * run's start minus the lookback). Absent on a sync's first run: read everything.
   */
  readonly since?: Date;
  readonly signal?: AbortSignal;
}

/**
 * How `tidemark reconcile` totals a window-mode stream per business day and group, upstream and in
 * the table alike: the columns are the stream table's, read from normalized records upstream.
 */
export interface ReconcileSpec extends DailyTotalsColumns {
  /** Words for the report: what a row is ("shifts"), what a group is ("employee"), the sum's unit ("min"). */
  readonly labels: { readonly rows: string; readonly group: string; readonly sum: string };
}

export interface StreamDefinition<Client = unknown> {
  /** e.g. `connecteam.shifts`. */
  readonly name: string;
  readonly defaultMode: SyncMode;
  readonly modes: readonly SyncMode[];
  /** The default destination table (columns, key, window column). */
  readonly table: TableSpec;
  /** Pages of raw records in a stable order. Throws an UpstreamError when the read cannot go on. */
  read(client: Client, plan: ReadPlan): AsyncIterable<RawPage>;
  /** Validate and convert one raw record. Never throws: a bad record is a value with its reason. */
  normalize(raw: unknown, context: NormalizeContext): NormalizeResult;
  /** Present when `tidemark reconcile` can compare this stream's upstream with its table. */
  readonly reconcile?: ReconcileSpec;
  /** Named windows the stream offers without configuration (YClients `full`, `today`); a sync's `windows` override them. */
  readonly windows?: Readonly<Record<string, { readonly pastDays: number; readonly futureDays: number }>>;
  /** Present for streams that offer `incremental` mode: the default lookback behind the cursor. */
  readonly incremental?: { readonly defaultLookbackMinutes: number };
  /**
   * Present for streams whose old rows are cleaned up (e.g. YClients schedules): after each
   * successful run, rows whose `column` (an instant) is before the start of the business day
   * `days` days ago are removed. A sync's `retentionDays` overrides `defaultDays`.
   */
  readonly retention?: { readonly column: string; readonly defaultDays: number };
  /** Remove secrets (e.g. a kiosk PIN) from a raw record before it is kept anywhere, dead letters included. */
  redact?(raw: unknown): unknown;
}

export interface NormalizeContext {
  readonly tenantId: string;
  readonly timezone: string;
}
