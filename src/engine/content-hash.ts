/**
 * A row's content hash: SHA-1 of its values in a canonical JSON form (sorted keys, instants as
 * ISO-8601 UTC). Equal hash means nothing to write, which makes a re-run write zero rows.
 */
import { createHash } from 'node:crypto';
import type { ColumnValue, JsonValue } from './stream.ts';

function canonical(value: unknown): string {
  if (value === null || value === undefined) return 'null';
  if (value instanceof Date) return JSON.stringify(value.toISOString());
  if (Array.isArray(value)) return `[${value.map(canonical).join(',')}]`;
  if (typeof value === 'object') {
    const entries = Object.keys(value)
      .sort()
      .map((key) => `${JSON.stringify(key)}:${canonical((value as Record<string, unknown>)[key])}`);
    return `{${entries.join(',')}}`;
  }
  return JSON.stringify(value);
}

export function contentHash(values: Readonly<Record<string, ColumnValue>>): string {
  return createHash('sha1').update(canonical(values)).digest('hex');
}

/** The values as JSON-safe data (instants as ISO strings), for the change log. */
export function toJsonValues(values: Readonly<Record<string, ColumnValue>>): Record<string, JsonValue> {
  return JSON.parse(canonical(values)) as Record<string, JsonValue>;
}
