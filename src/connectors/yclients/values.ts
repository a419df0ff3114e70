/**
 * YClients field types as it really sends them (upstream-apis.md §2.4): numbers often arrive as
 * strings (`"weight":"10"`, `"id":"16"`), flags as 0/1, "0"/"1" or booleans, and an empty array
 * where an object is expected (`"position": []`). Each schema here accepts every documented
 * spelling and produces one type, so the rest of the connector never sees the quirk.
 */
import { z } from 'zod';
import { DateTime } from 'luxon';

const DIGITS = /^\d{1,19}$/;
const INTEGER = /^-?\d{1,15}$/;
const DECIMAL = /^-?\d{1,15}(\.\d{1,12})?$/;
const MAX_INT64 = 9_223_372_036_854_775_807n;

/**
 * An upstream id, number or digits, kept as a canonical decimal string (no leading zeros) so a
 * 64-bit id never passes through a double and `"0016"` and `16` are the same key.
 */
export const idValue = z
  .union([z.number().int().nonnegative(), z.string().trim().regex(DIGITS, 'expected an id (digits)')])
  .transform((value, context) => {
    const id = BigInt(value);
    if (id > MAX_INT64) {
      context.addIssue({ code: 'custom', message: `id ${String(value)} does not fit a 64-bit integer` });
      return z.NEVER;
    }
    return id.toString();
  });

/** A whole number sent as a number or as a string of digits. */
export const intValue = z
  .union([z.number().int(), z.string().trim().regex(INTEGER, 'expected a whole number')])
  .transform((value) => Number(value));

/** A decimal (price, rating) kept as exact decimal text for a `numeric` column. */
export const decimalValue = z
  .union([z.number(), z.string().trim().regex(DECIMAL, 'expected a number')])
  .transform((value) => String(typeof value === 'string' ? Number(value) : value));

const TRUE_WORDS = new Set(['1', 'true']);
const FALSE_WORDS = new Set(['0', 'false', '']);

/** A flag: true/false, 1/0, "1"/"0", "true"/"false". Anything else is refused, not guessed. */
export const flagValue = z.union([z.boolean(), z.number(), z.string()]).transform((value, context) => {
  if (typeof value === 'boolean') return value;
  if (value === 1 || value === 0) return value === 1;
  if (typeof value === 'string') {
    const word = value.trim().toLowerCase();
    if (TRUE_WORDS.has(word)) return true;
    if (FALSE_WORDS.has(word)) return false;
  }
  context.addIssue({ code: 'custom', message: `expected a flag (0/1 or true/false), got ${JSON.stringify(value)}` });
  return z.NEVER;
});

/** Free text; a number where text is expected (`api_id: 42`) is written as text. */
export const textValue = z.union([z.string(), z.number()]).transform((value) => String(value));

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;

function isCalendarDate(value: string): boolean {
  return ISO_DATE.test(value) && DateTime.fromISO(value, { zone: 'UTC' }).isValid;
}

/** A calendar date `YYYY-MM-DD` that exists. */
export const isoDate = z.string().refine(isCalendarDate, { error: 'expected a calendar date YYYY-MM-DD' });

/**
 * An optional date: "", "0000-00-00" and null mean "none" (the forms seen for an unset date);
 * any other text must be a real `YYYY-MM-DD`, so garbage is reported instead of silently dropped.
 */
export const optionalDate = z
  .union([z.string(), z.null()])
  .optional()
  .transform((value, context) => {
    if (value === undefined || value === null) return null;
    const trimmed = value.trim();
    if (trimmed === '' || trimmed === '0000-00-00') return null;
    // Some answers carry a time after the date ("2023-10-01 00:00:00"): the date part is the value.
    const date = trimmed.slice(0, 10);
    if (!isCalendarDate(date)) {
      context.addIssue({ code: 'custom', message: `expected a date YYYY-MM-DD, got ${JSON.stringify(value)}` });
      return z.NEVER;
    }
    return date;
  });

/** Wall-clock `HH:mm` or `HH:mm:ss`; `24:00` is allowed (the end of a day that runs to midnight). */
export const clockValue = z
  .string()
  .trim()
  .regex(/^(\d{1,2}):([0-5]\d)(:[0-5]\d)?$/, 'expected a local time HH:mm')
  .refine((value) => {
    const [hours = 0, minutes = 0, seconds = 0] = value.split(':').map(Number);
    return hours < 24 || (hours === 24 && minutes === 0 && seconds === 0);
  }, 'expected a local time from 00:00 to 24:00');

/** An object, or the empty array / null YClients sends when there is none. */
export function optionalObject<T extends z.ZodType>(schema: T) {
  return z
    .union([schema, z.array(z.unknown()).max(0), z.null()])
    .optional()
    .transform((value) => (value === undefined || value === null || Array.isArray(value) ? null : (value as z.output<T>)));
}

/** `value ?? null`, for optional fields bound as SQL NULL. */
export function orNull<T>(value: T | undefined | null): T | null {
  return value ?? null;
}
