/**
 * The upstream side of `repair tz-shift`: read the window through the stream (the same read and
 * normalize a sync does, nothing written) and keep each shift once, with its normalized values.
 */
import type { ColumnValue } from '../../engine/stream.ts';
import type { ResolvedSync } from '../../engine/resolved-sync.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import type { BusinessWindow } from '../../time/window.ts';
import type { UpstreamShift } from './plan.ts';
import { readWindow } from '../../engine/read-window.ts';
import { contentHash } from '../../engine/content-hash.ts';
import { stripNul } from '../../engine/strip-nul.ts';

export interface UpstreamRecord {
  readonly shift: UpstreamShift;
  /** Every column of the table, as a sync would write it (for correcting a row in place). */
  readonly values: Readonly<Record<string, ColumnValue>>;
  /** The row_hash a sync would write with those values, so a following sync finds the row unchanged. */
  readonly hash: string;
}

export interface UpstreamShifts {
  readonly records: ReadonlyMap<string, UpstreamRecord>;
  /** Records that did not normalize (a sync dead-letters them). */
  readonly unreadable: number;
}

function instantMs(value: ColumnValue | undefined, what: string): number {
  if (value instanceof Date) return value.getTime();
  throw new Error(`connecteam.shifts: normalized ${what} is not an instant`);
}

export async function readUpstreamShifts(sync: ResolvedSync, client: UpstreamClient, window: BusinessWindow, signal?: AbortSignal): Promise<UpstreamShifts> {
  const read = await readWindow(sync, client, window, signal);
  // The read asks for a day more on each side: all of it is kept, as possible twins.
  const records = new Map<string, UpstreamRecord>();
  for (const [key, record] of read.records) {
    // As the sync does: NUL characters out, then the hash of what is written.
    const json = JSON.stringify(record.values);
    const values = stripNul(record.values, json);
    records.set(key, {
      values,
      hash: contentHash(values, values === record.values ? json : undefined),
      shift: {
        shiftId: String(values['shift_id']),
        userId: String(values['user_id']),
        startMs: instantMs(values['start_at'], 'start_at'),
        endMs: values['end_at'] === null ? null : instantMs(values['end_at'], 'end_at'),
        businessDate: String(values['business_date']),
      },
    });
  }
  const unreadable = read.unreadable;
  return { records, unreadable };
}
