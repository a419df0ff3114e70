/**
 * What is measured for each size. The old pattern costs ~2 round trips per shift, so it is measured
 * where that stays short (500 at both RTTs, 10,000 at 0 ms) and projected from its per-shift cost
 * elsewhere: 100,000 shifts at 20 ms would take over an hour.
 */
export const RTTS_MS = [0, 20] as const;
/** The engine's default destination batch (config `batchSize`). */
export const DEFAULT_BATCH = 1000;
/** Also measured at large sizes, to choose the default. */
export const LARGE_BATCH = 5000;

export function tidemarkBatchSizes(shifts: number): number[] {
  return shifts >= 100_000 ? [DEFAULT_BATCH, LARGE_BATCH] : [DEFAULT_BATCH];
}

export function oldPatternMeasured(shifts: number, rttMs: number): boolean {
  return shifts <= 500 || (shifts <= 10_000 && rttMs === 0);
}

/** COPY and merge-only samples per size (interleaved; the fastest counts). */
export const LOAD_REPEATS = 3;
