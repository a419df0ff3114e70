/**
 * Failures a client must survive, switched on per simulator and changeable while it runs
 * (`simulator.faults.status429 = 2`, or `POST /__sim/faults`). Counters apply to the next N
 * authenticated API requests and count down as they fire.
 */
import { z } from 'zod';

export interface FaultOptions {
  /** The next N requests answer 429 with rate-limit headers whose minute reset is two seconds away. */
  status429: number;
  /** The next N requests answer 503 with a JSON error body. */
  status5xx: number;
  /** Added before every API answer. */
  latencyMs: number;
  /**
   * The next N 200 answers send the first half of the JSON body and close the connection; the
   * answer has no Content-Length, so the client sees a complete HTTP response whose body does
   * not parse (a proxy cutting a body short looks like this).
   */
  truncateNext: number;
  /** Time-activities answers carry one extra shift whose `start.timestamp` is the string "not-a-time". */
  malformedShift: boolean;
}

export const NO_FAULTS: Readonly<FaultOptions> = {
  status429: 0,
  status5xx: 0,
  latencyMs: 0,
  truncateNext: 0,
  malformedShift: false,
};

const count = z.number().int().min(0);

/** A partial FaultOptions; unknown names are refused so a typo does not silently do nothing. */
export const faultPatchSchema = z
  .object({ status429: count, status5xx: count, latencyMs: count.max(600_000), truncateNext: count, malformedShift: z.boolean() })
  .partial()
  .strict();

/** Validates `patch` and merges it into `target`; the error names the bad field. */
export function applyFaultPatch(target: FaultOptions, patch: unknown): FaultOptions {
  const parsed = faultPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'faults'}: ${issue.message}`);
    throw new RangeError(
      `faults ${problems.join('; ')}. Accepted: status429, status5xx, latencyMs, truncateNext (whole numbers ≥ 0), malformedShift (boolean)`,
    );
  }
  for (const [name, value] of Object.entries(parsed.data)) {
    if (value !== undefined) Object.assign(target, { [name]: value });
  }
  return target;
}
