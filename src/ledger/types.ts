/** Shapes of the ledger's records as the rest of Tidemark sees them. */
import type { JsonValue, SyncMode } from '../engine/stream.ts';

export const RUN_STATUSES = ['queued', 'running', 'succeeded', 'failed', 'interrupted'] as const;
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
  /** Failed or interrupted, and the next run of the same plan takes over its checkpoint. */
  readonly resumable: boolean;
  /** The run this one continued from (its checkpoint, keys and counts). */
  readonly resumedFrom: string | null;
  /** The job that ran it (pg-boss id) and its attempt (1 = first), when a worker ran it. */
  readonly jobId: string | null;
  readonly attempt: number | null;
}

/** Something an operator must hear about; delivered by the alerting room. */
export const EVENT_KINDS = ['run_dead_lettered', 'run_lost'] as const;
export type EventKind = (typeof EVENT_KINDS)[number];

export interface EventRecord {
  readonly id: string;
  readonly at: Date;
  readonly kind: EventKind;
  readonly tenantId: string | null;
  readonly syncId: string | null;
  readonly runId: string | null;
  readonly message: string;
  readonly data: Record<string, unknown>;
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
