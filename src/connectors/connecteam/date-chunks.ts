/** Split an inclusive date range into chunks of at most `maxDays` days (Connecteam caps a window at 92). */
import { addDays, daysBetween } from '../../time/business-day.ts';

export interface DateChunk {
  /** First date, inclusive. */
  readonly from: string;
  /** Last date, inclusive. */
  readonly to: string;
}

export function dateChunks(first: string, last: string, maxDays: number): DateChunk[] {
  if (maxDays < 1) throw new RangeError('maxDays must be at least 1');
  const chunks: DateChunk[] = [];
  for (let from = first; daysBetween(from, last) >= 0; from = addDays(from, maxDays)) {
    const end = addDays(from, maxDays - 1);
    chunks.push({ from, to: daysBetween(end, last) >= 0 ? end : last });
  }
  return chunks;
}
