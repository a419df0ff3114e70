/**
 * Postgres text and jsonb cannot hold U+0000. One stray NUL in an employee's note would fail the
 * whole batch every run, so the engine removes NUL characters from every string of a record
 * (the only change it ever makes to upstream text).
 */
import type { ColumnValue } from './stream.ts';

function strip(value: unknown): unknown {
  if (typeof value === 'string') return value.includes('\u0000') ? value.replaceAll('\u0000', '') : value;
  if (value === null || typeof value !== 'object' || value instanceof Date) return value;
  if (Array.isArray(value)) return value.map(strip);
  const out: Record<string, unknown> = {};
  for (const [key, inner] of Object.entries(value)) out[strip(key) as string] = strip(inner);
  return out;
}

/** The values unchanged when they hold no NUL (the common case costs one JSON scan). */
export function stripNul(values: Readonly<Record<string, ColumnValue>>, json: string): Readonly<Record<string, ColumnValue>> {
  return json.includes('\\u0000') ? (strip(values) as Record<string, ColumnValue>) : values;
}
