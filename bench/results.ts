/** The benchmark's results: one row per scenario, the targets, and everything measured. */
import type { LoadResult, OldPatternResult, TidemarkResult } from './jobs.ts';

export type Scenario =
  | 'tidemark'
  | 'tidemark, cold process'
  | 'tidemark no-op re-sync'
  | 'old pattern'
  | 'old pattern (projected)'
  | 'merge only'
  | 'COPY'
  | 'LOAD DATA LOCAL INFILE'
  | 'plain INSERT, 1 transaction';

/** The loading limit a merge is compared with: Postgres COPY, MariaDB LOAD DATA, SQLite INSERTs. */
export type RatioLabel = '' | 'old/tidemark' | 'merge/COPY' | 'merge/LOAD DATA' | 'merge/INSERT';

export interface ResultRow {
  readonly scenario: Scenario;
  readonly shifts: number;
  readonly rttMs: number;
  /** Destination batch size, where there is one. */
  readonly batchSize: number | null;
  readonly seconds: number;
  /** CPU time of the measuring process (the client side: JS, driver), null when projected. */
  readonly cpuSeconds: number | null;
  /** Null where there is no wire to count on (SQLite is embedded). */
  readonly roundTrips: number | null;
  readonly ledgerStatements: number | null;
  readonly maxRssMb: number | null;
  /** old pattern ÷ Tidemark (same N, RTT, batch 1000), or merge ÷ COPY. */
  readonly ratio: number | null;
  readonly ratioLabel: RatioLabel;
  readonly note: string;
}

export interface TargetCheck {
  readonly name: string;
  readonly target: string;
  readonly measured: string;
  readonly pass: boolean | null;
}

export interface Measurements {
  readonly tidemark: { shifts: number; rttMs: number; batchSize: number; result: TidemarkResult }[];
  readonly old: { shifts: number; rttMs: number; result: OldPatternResult }[];
  readonly load: { shifts: number; result: LoadResult }[];
}

export interface BenchResults {
  readonly startedAt: string;
  readonly seconds: number;
  readonly machine: { readonly cpus: number; readonly cpuModel: string; readonly node: string; readonly postgres: string; readonly platform: string };
  readonly sizes: readonly number[];
  readonly rows: readonly ResultRow[];
  readonly targets: readonly TargetCheck[];
  readonly measurements: Measurements;
  /** MariaDB and SQLite, when asked for (`--dialects`). */
  readonly dialects?: readonly DialectResults[];
}

export interface DialectResults {
  readonly dialect: 'mysql' | 'sqlite';
  /** e.g. `10.11.19-MariaDB`, `SQLite 3.50.4`. */
  readonly server: string;
  readonly rows: readonly ResultRow[];
  readonly targets: readonly TargetCheck[];
  readonly measurements: Measurements;
}
