/**
 * JSON bodies as values. Cliniko's ids are 64-bit integers; the current API sends them as strings,
 * older answers as bare numbers, and `JSON.parse` rounds a bare number past 2^53 to a different
 * id. With `exactIntegers` such a number comes back as its own digits, a string, exactly as sent.
 *
 * It is done by quoting those numbers in the text before parsing: one regular-expression pass
 * that steps over string literals whole. A reviver would see every value of every record and
 * costs several times the parse itself on a page of a hundred patients.
 */

// A string literal (skipped whole, escapes included), or an integer of 16+ digits that is a whole
// number token: not part of a fraction or exponent, not preceded by another number character.
const STRING_OR_LONG_INTEGER = /"(?:[^"\\]|\\.)*"|(?<![\d.eE+-])-?\d{16,}(?![\d.eE])/g;

function quoteUnsafe(token: string): string {
  if (token.startsWith('"')) return token;
  return Number.isSafeInteger(Number(token)) ? token : `"${token}"`;
}

/** Parse `text`; with `exactIntegers`, integers beyond ±(2^53 − 1) are kept as their digits. Throws on bad JSON. */
export function parseJsonBody(text: string, exactIntegers: boolean): unknown {
  if (!exactIntegers || !/\d{16}/.test(text)) return JSON.parse(text) as unknown;
  return JSON.parse(text.replace(STRING_OR_LONG_INTEGER, quoteUnsafe)) as unknown;
}
