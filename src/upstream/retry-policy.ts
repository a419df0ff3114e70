/**
 * How long to wait before trying a request again. Backoff uses "full jitter"
 * (a uniformly random delay below an exponentially growing cap) so that many workers failing
 * together do not retry together.
 */

export interface BackoffOptions {
  readonly baseDelayMs: number;
  readonly maxDelayMs: number;
  /** Uniform in [0, 1). */
  readonly random: () => number;
}

/**
 * Delay before retry number `retry` (0 for the first retry):
 * `random() * min(maxDelayMs, baseDelayMs * 2^retry)`.
 */
export function backoffDelayMs(retry: number, options: BackoffOptions): number {
  const cap = Math.min(options.maxDelayMs, options.baseDelayMs * 2 ** retry);
  // Clamp a misbehaving random source rather than sleep a negative or oversized time.
  const fraction = Math.min(1, Math.max(0, options.random()));
  return Math.round(fraction * cap);
}

