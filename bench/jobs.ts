/**
 * What the orchestrator (run.ts) asks a worker process (worker.ts) to measure, and what comes back.
 * Each measurement runs in its own child so its peak RSS is its own; the simulator and the latency
 * proxy stay in the parent, like an upstream API and a network that are not part of the worker.
 */

/** Where the child finds the world: the simulator, the database directly, and through the proxy. */
export interface JobContext {
  readonly shifts: number;
  /** The simulator's generated business days [from, to) in `timezone`. */
  readonly window: { readonly from: string; readonly to: string; readonly timezone: string };
  readonly simulator: { readonly url: string; readonly apiKey: string };
  /** Postgres reached directly (setup, checks, and the colocated control plane). */
  readonly directUrl: string;
  /** Postgres reached through the latency proxy (the destination). */
  readonly proxyUrl: string;
  readonly rttMs: number;
}

export interface TidemarkJob extends JobContext {
  readonly kind: 'tidemark';
  readonly batchSize: number;
}

export interface OldPatternJob extends JobContext {
  readonly kind: 'old';
}

export interface LoadJob extends JobContext {
  readonly kind: 'load';
  /** Batch sizes to time `mergeBatch` with. */
  readonly batchSizes: readonly number[];
  /** Each measurement is taken this many times, into a fresh empty table; the fastest counts. */
  readonly repeats: number;
}

/** The destinations besides Postgres; the ledger stays on Postgres (directUrl), reached directly. */
export type OtherDialect = 'mysql' | 'sqlite';

/**
 * Tidemark end to end into MariaDB (proxyUrl: the bench database through the latency proxy) or
 * SQLite (embedded; proxyUrl unused). `destinationDirect`: the bench database reached directly, or
 * the directory the SQLite files go in.
 */
export interface DialectTidemarkJob extends JobContext {
  readonly kind: 'dialect-tidemark';
  readonly dialect: OtherDialect;
  readonly destinationDirect: string;
  readonly batchSize: number;
}

/** Merge only against the dialect's loading limit (LOAD DATA LOCAL INFILE; SQLite: plain INSERTs). */
export interface DialectLoadJob extends JobContext {
  readonly kind: 'dialect-load';
  readonly dialect: OtherDialect;
  readonly destinationDirect: string;
  readonly batchSizes: readonly number[];
  readonly repeats: number;
}

export type Job = TidemarkJob | OldPatternJob | LoadJob | DialectTidemarkJob | DialectLoadJob;

/** One timed phase as seen from the worker and, for round trips, from the proxy. */
export interface Timed {
  readonly seconds: number;
  /** CPU time of the worker process itself (user + system): the client side's share. */
  readonly cpuSeconds: number;
  /** Destination round trips counted by the proxy ('Q' and Sync messages). */
  readonly roundTrips: number;
  /** Destination connections opened through the proxy. */
  readonly connections: number;
}

export interface TidemarkRun extends Timed {
  readonly status: string;
  readonly error: string | null;
  readonly fetched: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly deleted: number;
  readonly dead: number;
  /** Control-plane statements (direct, not through the proxy). */
  readonly ledgerStatements: number;
  readonly upstreamRequests: number;
}

export interface TidemarkResult {
  readonly kind: 'tidemark';
  /** The first sync of a fresh process (modules, JIT, connections all cold), into an empty table. */
  readonly cold: TidemarkRun;
  /** The same sync into another empty table, in the now warm process. */
  readonly first: TidemarkRun;
  readonly noop: TidemarkRun & {
    /** Rows whose synced_at moved during the no-op run. */
    readonly rowsWithNewSyncedAt: number;
    /**
     * Rows rewritten during the no-op run. Postgres: rows whose xmin changed (a new row version).
     * MariaDB: the server's Handler_update delta (row updates). SQLite: WAL frames (pages) written.
     */
    readonly rowsRewritten: number;
  };
  readonly rowsInTable: number;
  readonly maxRssMb: number;
}

export interface OldPatternResult extends Timed {
  readonly kind: 'old';
  readonly fetched: number;
  readonly inserted: number;
  readonly updated: number;
  readonly selects: number;
  readonly rowsInTable: number;
  readonly maxRssMb: number;
}

export type LoadSample = Omit<Timed, 'connections'>;

export interface LoadResult {
  readonly kind: 'load';
  readonly rows: number;
  /** COPY of the rows into an empty table, samples in order (MariaDB: LOAD DATA LOCAL; SQLite: plain INSERTs). */
  readonly copy: readonly LoadSample[];
  /** `mergeBatch` over the same rows into an empty table, per batch size, samples in order. */
  readonly merge: Readonly<Record<string, readonly LoadSample[]>>;
  readonly maxRssMb: number;
}

export type JobResult = TidemarkResult | OldPatternResult | LoadResult;

/** Child → parent. */
export type WorkerMessage =
  | { readonly type: 'counters'; readonly id: number }
  | { readonly type: 'result'; readonly result: JobResult }
  | { readonly type: 'error'; readonly message: string };

/** Parent → child. */
export type ParentMessage =
  | { readonly type: 'job'; readonly job: Job }
  | { readonly type: 'counters'; readonly id: number; readonly roundTrips: number; readonly connections: number };
