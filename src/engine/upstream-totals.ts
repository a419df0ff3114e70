/**
 * The upstream side of `tidemark reconcile`: read a window with the stream itself (the same read
 * and normalize a sync does, nothing written) and total the records per business day and group.
 */
import type { DailyTotal } from '../destinations/destination.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { BusinessWindow } from '../time/window.ts';
import type { ReconcileSpec } from './stream.ts';
import type { ResolvedSync } from './resolved-sync.ts';
import { readWindow } from './read-window.ts';

export interface UpstreamTotals {
  readonly totals: DailyTotal[];
  /** Records that did not normalize (a sync would dead-letter them): not in the totals. */
  readonly unreadable: number;
}

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

export async function readUpstreamTotals(
  sync: ResolvedSync,
  spec: ReconcileSpec,
  client: UpstreamClient,
  window: BusinessWindow,
  signal?: AbortSignal,
): Promise<UpstreamTotals> {
  const totals = new Map<string, { businessDate: string; groupKey: string; count: number; hundredths: number }>();
  const { records, unreadable } = await readWindow(sync, client, window, signal);
  for (const { values } of records.values()) {
    const date = values[spec.dateColumn];
    // Reads ask for a day more on each side: keep the window's business days only.
    if (typeof date !== 'string' || !ISO_DATE.test(date) || date < window.from || date >= window.to) continue;
    const groupKey = String(values[spec.groupColumn]);
    const measure = values[spec.sumColumn];
    const id = `${date}\u0000${groupKey}`;
    const total = totals.get(id) ?? { businessDate: date, groupKey, count: 0, hundredths: 0 };
    total.count++;
    if (measure !== null && measure !== undefined) total.hundredths += Math.round(Number(measure) * 100);
    totals.set(id, total);
  }
  return {
    totals: [...totals.values()].map((t) => ({ businessDate: t.businessDate, groupKey: t.groupKey, count: t.count, sum: t.hundredths / 100 })),
    unreadable,
  };
}
