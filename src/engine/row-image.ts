/**
 * A row as the change log stores it: the same representation whether it came from the engine's
 * values (after) or from the database (before), so a before/after diff shows only real changes.
 * Instants are ISO-8601 UTC with milliseconds, 64-bit integers and numerics are exact strings,
 * dates are YYYY-MM-DD, JSON stays JSON. Columns marked `audited: false` (raw upstream JSON) are
 * left out: the typed columns already show what changed.
 */
import type { TableSpec } from '../destinations/table-spec.ts';
import type { JsonValue } from './stream.ts';

function imageValue(value: unknown, type: TableSpec['columns'][number]['type']): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'instant': {
      const date = value instanceof Date ? value : new Date(String(value));
      return Number.isNaN(date.getTime()) ? String(value) : date.toISOString();
    }
    case 'bigint':
      return String(value);
    case 'numeric': {
      const text = String(value);
      // 240, "240.00" and 240.0 are the same number: drop trailing fractional zeros.
      return text.includes('.') ? text.replace(/\.?0+$/, '') : text;
    }
    case 'integer':
      return Number(value);
    case 'date':
      return String(value);
    case 'boolean':
      return Boolean(value);
    case 'json':
      return value as JsonValue;
    case 'text':
      return String(value);
  }
}

export function rowImage(spec: TableSpec, values: Readonly<Record<string, unknown>>): Record<string, JsonValue> {
  const image: Record<string, JsonValue> = {};
  for (const column of spec.columns) {
    if (column.audited !== false) image[column.name] = imageValue(values[column.name], column.type);
  }
  return image;
}
