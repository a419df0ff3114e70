/** Shapes of the ledger's records as the rest of Tidemark sees them. */
import type { JsonValue, SyncMode } from '../engine/stream.ts';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed'] as const;
export type RunStatus = (typeof RUN_STATUSES)[number];

export interface RunCounts {
  fetched: number;
  created: number;
  updated: number;
  unchanged: number;
  deleted: number;
  dead: number;
}

export const ZERO_COUNTS: Readonly<RunCounts> = { fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, dead: 0 };

export interface RunProgress {
  /** Records handled so far (fetched). */
  readonly records: number;
  /** 0..100, when the amount of work is known. */
  readonly percent: number | null;
  /** Seconds left, estimated from the rate so far. */
  readonly etaSeconds: number | null;
}

/** A warning code with stable spelling (alerts and tests match on `code`). */
export interface RunWarning {
  readonly code: 'empty_read' | 'suspected_truncation' | 'dead_letters' | 'resumed' | 'prune_failed' | 'unmapped_rows';
  readonly message: string;
}

export interface RunRecord extends RunCounts {
  readonly id: string;
  readonly syncId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly mode: SyncMode;
  readonly windowFrom: string | null;
  readonly windowTo: string | null;
  readonly status: RunStatus;
  readonly trigger: string;
  readonly owner: string | null;
  readonly createdAt: Date;
  readonly startedAt: Date | null;
  readonly heartbeatAt: Date | null;
  readonly finishedAt: Date | null;
  readonly progress: RunProgress | Record<string, never>;
  readonly checkpoint: JsonValue | null;
  readonly resumedCount: number;
  readonly warnings: readonly RunWarning[];
  readonly upstream: Record<string, number>;
  readonly error: string | null;
  /** Incremental runs: upstream records updated at or after this instant were read. */
  readonly since: Date | null;
  /** Rows removed by the stream's retention at the end of the run. */
  readonly purged: number;
}

export interface ChangeRecord {
  readonly key: string;
  readonly op: 'created' | 'updated' | 'deleted';
  readonly before: Record<string, JsonValue> | null;
  readonly after: Record<string, JsonValue> | null;
}

export interface DeadLetterInput {
  readonly key: string | null;
  readonly reason: string;
  readonly payload: unknown;
}

export interface DeadLetterRecord extends DeadLetterInput {
  readonly id: string;
  readonly runId: string | null;
  readonly syncId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly createdAt: Date;
  readonly replayedAt: Date | null;
}
