/**
 * Cliniko's value conventions (upstream-apis.md §3.8), as zod schemas the record schemas share:
 * - ids are int64: strings in the current API, bare numbers in older answers. Both become the
 *   exact decimal string (the client keeps numbers past 2^53 as their digits; a number that still
 *   arrives unsafe has already been rounded and is refused rather than stored wrong);
 * - instants are ISO-8601 in UTC; legacy answers send "" for an empty one, read as null;
 * - related records are `{links: {self: ".../practitioners/1"}}`, their id the last path segment.
 */
import { z } from 'zod';

const INT64_MAX = 9_223_372_036_854_775_807n;
const DIGITS = /^\d{1,19}$/;
const ISO_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}(\.\d+)?(Z|[+-]\d{2}:?\d{2})$/;

function isInt64Digits(text: string): boolean {
  return DIGITS.test(text) && BigInt(text) <= INT64_MAX;
}

/** A Cliniko id as its exact decimal digits. */
export const clinikoId = z.union([z.string(), z.number()]).transform((value, ctx) => {
  if (typeof value === 'number') {
    if (Number.isSafeInteger(value) && value >= 0) return String(value);
    ctx.addIssue({ code: 'custom', message: `id ${value} is not a whole number that survived JSON parsing exactly` });
    return z.NEVER;
  }
  if (isInt64Digits(value)) return value;
  ctx.addIssue({ code: 'custom', message: `expected an int64 id as digits, got ${JSON.stringify(value.slice(0, 40))}` });
  return z.NEVER;
});

/** An ISO-8601 instant as a Date; null, absent or "" as null. */
export const optionalInstant = z
  .union([z.string(), z.null()], { error: 'expected an ISO-8601 instant string or null' })
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value === '') return null;
    const at = ISO_INSTANT.test(value) ? new Date(value) : undefined;
    if (at && !Number.isNaN(at.getTime())) return at;
    ctx.addIssue({ code: 'custom', message: `expected an ISO-8601 instant such as 2026-11-10T03:45:00Z, got ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  });

/** A required ISO-8601 instant. */
export const instant = optionalInstant.refine((at) => at !== null, { message: 'required instant is missing' }).transform((at) => at as Date);

/** `YYYY-MM-DD` or null (a date of birth); "" as null. */
export const optionalDate = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined || value === '') return null;
    if (/^\d{4}-\d{2}-\d{2}$/.test(value) && !Number.isNaN(Date.parse(`${value}T00:00:00Z`))) return value;
    ctx.addIssue({ code: 'custom', message: `expected a date YYYY-MM-DD, got ${JSON.stringify(value.slice(0, 40))}` });
    return z.NEVER;
  });

/** Text that may be absent, null or "" (all null). */
export const optionalText = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value) => (value === undefined || value === '' ? null : value));

/** A nullable boolean (Cliniko sends null for "not recorded"). */
export const optionalBoolean = z.union([z.boolean(), z.null()]).optional().transform((value) => value ?? null);

/** The id at the end of a link such as `https://api.au1.cliniko.com/v1/patients/82`, or undefined. */
export function idOfLink(link: string): string | undefined {
  let path: string;
  try {
    path = new URL(link).pathname;
  } catch {
    return undefined;
  }
  const last = path.replace(/\/+$/, '').split('/').pop() ?? '';
  return isInt64Digits(last) ? last : undefined;
}

/**
 * A related record `{links: {self}}` as its id; null when the relation is absent or null. A link
 * that does not end in an id is an error: the record would otherwise lose its relation silently.
 */
export const relatedId = z
  .union([z.looseObject({ links: z.looseObject({ self: z.string() }) }), z.null()])
  .optional()
  .transform((value, ctx) => {
    if (value === null || value === undefined) return null;
    const id = idOfLink(value.links.self);
    if (id !== undefined) return id;
    ctx.addIssue({ code: 'custom', message: `link ${JSON.stringify(value.links.self.slice(0, 80))} does not end in an id` });
    return z.NEVER;
  });

/** Describe a zod failure in one line for a dead letter. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
    .join('; ');
}

/** The record's id as sent, when it has a readable one: the dead letter's key. */
export function rawIdOf(raw: unknown): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const parsed = clinikoId.safeParse((raw as { id?: unknown }).id);
  return parsed.success ? parsed.data : undefined;
}
