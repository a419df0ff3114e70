/** What the seeded data set generator is asked for, with defaults and checks whose messages say the fix. */
import { assertIsoDate, assertTimezone } from '../../../time/business-day.ts';

export interface GenerateOptions {
  /** First business date, `YYYY-MM-DD`. */
  from: string;
  /** Number of business dates generated, from `from` on. */
  days: number;
  users: number;
  /** The time clocks' zone: it defines which business date a shift belongs to. */
  timezone: string;
  /** When given, exactly this many shifts in total (scenario shifts included), spread over users and days. */
  shifts?: number;
  /** Include the special cases listed at the top of dataset.ts. */
  scenarios?: boolean;
}

export type ResolvedGenerateOptions = Required<Omit<GenerateOptions, 'shifts'>> & Pick<GenerateOptions, 'shifts'>;

export const DEFAULT_GENERATE_OPTIONS: Readonly<ResolvedGenerateOptions> = {
  from: '2026-11-02',
  days: 14,
  users: 12,
  timezone: 'America/Chicago',
  scenarios: true,
};

/** The scenarios need these many users and days (user roles and day offsets in scenarios.ts). */
export const SCENARIO_MIN_USERS = 6;
export const SCENARIO_MIN_DAYS = 3;

function assertWholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new RangeError(`generate.${name} is ${value}; use a whole number from ${min} to ${max}`);
  }
}

export function resolveGenerateOptions(options: Partial<GenerateOptions> = {}): ResolvedGenerateOptions {
  const resolved: ResolvedGenerateOptions = { ...DEFAULT_GENERATE_OPTIONS };
  // Spread only defined values: `{ days: undefined }` from a caller means "the default".
  for (const [name, value] of Object.entries(options)) {
    if (value !== undefined) Object.assign(resolved, { [name]: value });
  }
  assertIsoDate(resolved.from, 'generate.from');
  assertTimezone(resolved.timezone);
  assertWholeNumber('days', resolved.days, 1, 3660);
  assertWholeNumber('users', resolved.users, 1, 100_000);
  if (resolved.shifts !== undefined) assertWholeNumber('shifts', resolved.shifts, 0, 10_000_000);
  if (resolved.scenarios && (resolved.users < SCENARIO_MIN_USERS || resolved.days < SCENARIO_MIN_DAYS)) {
    throw new RangeError(
      `generate.scenarios needs at least ${SCENARIO_MIN_USERS} users and ${SCENARIO_MIN_DAYS} days ` +
        `(got ${resolved.users} users, ${resolved.days} days); raise them or set scenarios: false`,
    );
  }
  return resolved;
}
