/** A sync with everything it refers to looked up: what the engine runs. */
import type { StreamDefinition, SyncMode } from './stream.ts';
import type { TargetTable } from '../destinations/destination.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { TableMapping } from '../destinations/table-mapping.ts';

export interface DeleteGuard {
  /** A read that would delete more than this fraction of the live rows deletes nothing. */
  readonly maxFraction: number;
  /** …unless it would delete at most this many rows. */
  readonly minRows: number;
}

export interface ResolvedSync {
  readonly id: string;
  readonly tenantId: string;
  readonly timezone: string;
  readonly connectionId: string;
  readonly stream: StreamDefinition<UpstreamClient>;
  readonly mode: SyncMode;
  readonly table: TargetTable;
  readonly batchSize: number;
  readonly deleteGuard: DeleteGuard;
  /** `incremental` mode: minutes re-read behind the previous complete read's start (default 0). */
  readonly lookbackMinutes?: number;
  /** Streams with retention: rows older than this many business days are removed after each run (absent: none). */
  readonly retentionDays?: number | null;
  /** A user's own table kept level with `table` after each run (config `mapping`). */
  readonly mapping?: TableMapping;
}
