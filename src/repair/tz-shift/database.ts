/**
 * What `repair tz-shift` asks of the destination database, whatever its dialect: read the table's
 * live rows of a range and the state of some ids (the same calls for the dry run and, under lock,
 * for --apply), and apply a plan with its backup. One implementation per dialect: postgres.ts
 * (and PGlite), mysql.ts (and MariaDB), sqlite.ts. Each is bound to one table and one tenant.
 */
import type { StoredShift, TwinRowState, TzShiftCandidate } from './plan.ts';
import type { UpstreamRecord } from './upstream.ts';

/** A start_at range, [start, end). */
export interface StoredRange {
  readonly start: Date;
  readonly end: Date;
}

/** What planning reads. Inside --apply's transaction the same reads also lock what they read. */
export interface ShiftReader {
  /** Live rows of the tenant whose start_at lies in the range (an indexed range predicate). */
  storedShifts(range: StoredRange): Promise<StoredShift[]>;
  /** The state of each of `ids` in the whole table (any start_at): live, soft-deleted, or absent. */
  twinRows(ids: readonly string[]): Promise<Map<string, TwinRowState>>;
}

export interface TzShiftApplied {
  /** Absent when there was nothing to do. */
  readonly backupTable: string | undefined;
  readonly backupRows: number;
  readonly corrected: number;
  readonly deleted: number;
}

export interface TzShiftApplyRequest {
  /** `<table>_tzshift_backup_<YYYYMMDDHHMMSS>`, validated, in the table's schema or database. */
  readonly backupTable: string;
  /** Plans again with the reader it is given (inside the transaction, under lock). */
  readonly plan: (reader: ShiftReader) => Promise<readonly TzShiftCandidate[]>;
  /** The upstream's values of each shift, by shift id: what a corrected row becomes. */
  readonly upstream: ReadonlyMap<string, UpstreamRecord>;
  readonly now: Date;
}

export interface TzShiftDatabase {
  /** The dry run's reader (no transaction, no locks). */
  readonly reader: ShiftReader;
  /** Whether the sync's table is there. */
  tableExists(): Promise<boolean>;
  /**
   * Plan again under lock, copy the candidates to the backup table, delete those to delete and
   * correct the others to their upstream shift's values, all or nothing.
   */
  apply(request: TzShiftApplyRequest): Promise<{ candidates: readonly TzShiftCandidate[]; applied: TzShiftApplied }>;
  close(): Promise<void>;
}

export const NOTHING_APPLIED: TzShiftApplied = { backupTable: undefined, backupRows: 0, corrected: 0, deleted: 0 };

/** The upstream record a corrected candidate becomes; it was read before planning, so it is there. */
export function upstreamOf(candidate: TzShiftCandidate, upstream: ReadonlyMap<string, UpstreamRecord>): UpstreamRecord {
  const record = upstream.get(candidate.twin.shiftId);
  if (!record) throw new Error(`upstream shift ${candidate.twin.shiftId} vanished from the read`);
  return record;
}
