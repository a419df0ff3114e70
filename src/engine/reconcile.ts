/**
 * Deletion after a complete read (invariant 5): rows of the window (or, for snapshots, of the
 * tenant) that the read did not see are marked deleted, unless the read looks truncated.
 */
import type { Destination, RowChange, TargetTable } from '../destinations/destination.ts';
import type { UtcRange } from '../time/business-day.ts';
import type { RunWarning } from '../ledger/types.ts';
import type { DeleteGuard } from './resolved-sync.ts';

export interface ReconcileOutcome {
  readonly deleted: readonly RowChange[];
  readonly warning: RunWarning | null;
}

export async function reconcileDeletions(input: {
  destination: Destination;
  table: TargetTable;
  tenantId: string;
  range: UtcRange | null;
  seenKeys: readonly string[];
  guard: DeleteGuard;
  now: Date;
}): Promise<ReconcileOutcome> {
  const { destination, table, tenantId, range, seenKeys, guard } = input;
  const where = range ? `between ${range.start.toISOString()} and ${range.end.toISOString()}` : 'for the tenant';
  const counts = await destination.countUnseen(table, tenantId, range, seenKeys);
  if (counts.unseen === 0) return { deleted: [], warning: null };
  // Nothing of the range was seen although it holds rows: the answer was empty for this window
  // (records of padding days or of before a resume do not make it less empty).
  if (counts.unseen === counts.live) {
    return {
      deleted: [],
      warning: {
        code: 'empty_read',
        message: `the upstream returned no records but ${table.name} holds ${counts.live} live rows ${where}; nothing was deleted. If the data really is gone upstream, check the connection's account and re-run.`,
      },
    };
  }
  if (counts.unseen > guard.minRows && counts.unseen > counts.live * guard.maxFraction) {
    return {
      deleted: [],
      warning: {
        code: 'suspected_truncation',
        message: `the read would delete ${counts.unseen} of ${counts.live} live rows of ${table.name} ${where} (more than ${Math.round(guard.maxFraction * 100)}% and more than ${guard.minRows}); nothing was deleted. Raise deleteGuard for this sync if such a drop is expected.`,
      },
    };
  }
  const deleted = await destination.markUnseenDeleted(table, tenantId, range, seenKeys, input.now);
  return { deleted, warning: null };
}
