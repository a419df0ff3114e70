/**
 * Failures and quirks a client must survive, switched on per simulator and changeable while it
 * runs (`simulator.faults.status429 = 2`, or `POST /__sim/faults`). Counters apply to the next N
 * API requests and count down as they fire.
 */
import { z } from 'zod';

export const META_SHAPES = ['documented', 'array', 'object'] as const;
export type MetaShape = (typeof META_SHAPES)[number];

export interface FaultOptions {
  /** The next N requests answer 429 with YClients' error envelope (not counted as violations). */
  status429: number;
  /** The next N requests answer 503 with the error envelope. */
  status5xx: number;
  /** Added before every API answer. */
  latencyMs: number;
  /** The next N 200 answers send half the body and close the connection. */
  truncateNext: number;
  /**
   * Every list answer carries one extra record that fails validation but has a readable id:
   * a staff member whose `fired` is "maybe", a service whose `title` is null, a schedule day
   * whose slot starts at "25:99".
   */
  malformedRecord: boolean;
  /** Every number inside `data` is sent as a string (`"id": "2717701"`). */
  stringNumbers: boolean;
  /** `meta` as documented per endpoint (`[]` for services, objects elsewhere), always `[]`, or always an object. */
  metaShape: MetaShape;
}

export const NO_FAULTS: Readonly<FaultOptions> = {
  status429: 0,
  status5xx: 0,
  latencyMs: 0,
  truncateNext: 0,
  malformedRecord: false,
  stringNumbers: false,
  metaShape: 'documented',
};

const count = z.number().int().min(0);

/** A partial FaultOptions; unknown names are refused so a typo does not silently do nothing. */
export const faultPatchSchema = z
  .object({
    status429: count,
    status5xx: count,
    latencyMs: count.max(600_000),
    truncateNext: count,
    malformedRecord: z.boolean(),
    stringNumbers: z.boolean(),
    metaShape: z.enum(META_SHAPES),
  })
  .partial()
  .strict();

/** Validates `patch` and merges it into `target`; the error names the bad field. */
export function applyFaultPatch(target: FaultOptions, patch: unknown): FaultOptions {
  const parsed = faultPatchSchema.safeParse(patch);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `${issue.path.join('.') || 'faults'}: ${issue.message}`);
    throw new RangeError(
      `faults ${problems.join('; ')}. Accepted: status429, status5xx, latencyMs, truncateNext (whole numbers ≥ 0), ` +
        `malformedRecord, stringNumbers (booleans), metaShape (${META_SHAPES.join(' | ')})`,
    );
  }
  for (const [name, value] of Object.entries(parsed.data)) {
    if (value !== undefined) Object.assign(target, { [name]: value });
  }
  return target;
}
