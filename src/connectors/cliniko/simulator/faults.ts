/**
 * Failures a client must survive, switched on per simulator and changeable while it runs
 * (`simulator.faults.status429 = 2`, or `POST /__sim/faults`). Counters apply to the next N
 * authenticated API requests and count down as they fire. Same knobs as the Connecteam simulator.
 */
import { z } from 'zod';

export interface FaultOptions {
  /** The next N requests answer 429 with `X-RateLimit-Reset` one second ahead (not counted as violations). */
  status429: number;
  /** The next N requests answer 503 with a JSON error body. */
  status5xx: number;
  /** Added before every API answer. */
  latencyMs: number;
  /** The next N 200 answers send half their body, then close the connection. */
  truncateNext: number;
  /** The first page of every list carries one extra record whose `updated_at` is "not-a-time". */
  malformedRecord: boolean;
}

export const NO_FAULTS: Readonly<FaultOptions> = { status429: 0, status5xx: 0, latencyMs: 0, truncateNext: 0, malformedRecord: false };

const count = z.number().int().min(0);

export const faultPatchSchema = z
  .object({ status429: count, status5xx: count, latencyMs: count.max(600_000), truncateNext: count, malformedRecord: z.boolean() })
  .partial()
  .strict();

/** Validates `patch` and merges it into `target`; the error names the bad field. */
export function applyFaultPatch(target: FaultOptions, patch: unknown): FaultOptions {
  const parsed = faultPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'faults'}: ${issue.message}`);
    throw new RangeError(
      `faults ${problems.join('; ')}. Accepted: status429, status5xx, latencyMs, truncateNext (whole numbers ≥ 0), malformedRecord (boolean)`,
    );
  }
  for (const [name, value] of Object.entries(parsed.data)) {
    if (value !== undefined) Object.assign(target, { [name]: value });
  }
  return target;
}

/** The record `malformedRecord` adds: a patient-like record with an id and an unreadable `updated_at`. */
export const MALFORMED_ID = '900000000000000001';
export function malformedRecord(createdAt: string): Record<string, unknown> {
  return { id: MALFORMED_ID, created_at: createdAt, updated_at: 'not-a-time', archived_at: null, deleted_at: null, first_name: 'Malformed', last_name: 'Record' };
}
