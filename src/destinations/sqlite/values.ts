/**
 * Values between the engine and SQLite (node:sqlite binds null, numbers, bigints, strings and
 * bytes; the database is opened with readBigInts, so every INTEGER comes back as a BigInt).
 */
import type { ColumnValue, JsonValue } from '../../engine/stream.ts';
import type { ColumnType } from '../table-spec.ts';

export type SqliteValue = string | number | bigint | null;

const INT64_MIN = -(2n ** 63n);
const INT64_MAX = 2n ** 63n - 1n;

/** ISO-8601 UTC with milliseconds and `Z`: the one text form instants are stored and compared in. */
export function sqliteInstant(value: Date | string, column = 'instant'): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`column ${column}: "${String(value)}" is not an instant`);
  return date.toISOString();
}

/** A 64-bit id as an exact BigInt (a JS number past 2^53 would already have lost digits). */
function int64(value: ColumnValue, column: string): bigint {
  const text = String(value);
  if (!/^-?\d+$/.test(text)) throw new RangeError(`column ${column}: "${text}" is not an integer`);
  const n = BigInt(text);
  if (n < INT64_MIN || n > INT64_MAX) throw new RangeError(`column ${column}: ${text} does not fit a 64-bit integer`);
  return n;
}

export function toSqliteParam(value: ColumnValue | undefined, type: ColumnType, column: string): SqliteValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'instant':
      return sqliteInstant(value instanceof Date ? value : String(value), column);
    case 'boolean':
      return value ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    case 'bigint':
      return int64(value, column);
    case 'integer':
      return typeof value === 'number' ? value : int64(value, column);
    default:
      return String(value);
  }
}

/** A stored value in the change log's terms. */
export function fromSqlite(value: unknown, type: ColumnType): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'bigint':
      return String(value);
    case 'integer':
      return Number(value);
    case 'boolean':
      return Number(value) !== 0;
    case 'json':
      return JSON.parse(String(value)) as JsonValue;
    default:
      return String(value);
  }
}
