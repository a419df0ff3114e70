/**
 * How far behind the previous complete read's start an incremental Cliniko read starts again.
 * Cliniko does not document when `updated_at` is stamped relative to when a change becomes
 * visible, nor how far its clock may be from ours; re-reading ten minutes costs a few unchanged
 * records and covers both. A sync's `lookbackMinutes` overrides it.
 */
export const LOOKBACK_MINUTES = 10;
