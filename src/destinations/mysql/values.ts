/**
 * Values between the engine and MySQL/MariaDB. Instants travel as `YYYY-MM-DD HH:MM:SS.mmm` text
 * in UTC: DATETIME has no zone, so what is written is what is stored, whatever the session's or
 * the server's zone (the session is `+00:00` anyway, so NOW() agrees). 64-bit integers travel as
 * exact strings both ways; JSON as text (MariaDB's JSON is LONGTEXT, MySQL's is read as a string).
 */
import type { ColumnValue, JsonValue } from '../../engine/stream.ts';
import type { ColumnType } from '../table-spec.ts';

/** A Date (or an ISO string) as a DATETIME(6) literal in UTC. */
export function mysqlInstant(value: Date | string, column = 'instant'): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`column ${column}: "${String(value)}" is not an instant`);
  return date.toISOString().replace('T', ' ').replace('Z', '');
}

/** A column value as a bound parameter of a prepared statement (never undefined). */
export function toMysqlParam(value: ColumnValue | undefined, type: ColumnType, column: string): string | number | null {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'instant':
      return mysqlInstant(value instanceof Date ? value : String(value), column);
    case 'boolean':
      return value ? 1 : 0;
    case 'json':
      return JSON.stringify(value);
    case 'integer':
      return typeof value === 'number' ? value : String(value);
    default:
      return String(value);
  }
}

const DATETIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2}(?:\.\d+)?)$/;

/** A DATETIME read with `dateStrings` (UTC wall-clock text) as an ISO-8601 instant. */
export function instantFromMysql(value: string): string {
  const match = DATETIME.exec(value);
  if (!match) throw new RangeError(`unexpected DATETIME value "${value}"`);
  return new Date(`${match[1]}T${match[2]}Z`).toISOString();
}

/** A value read back (dateStrings, bigNumberStrings, jsonStrings) in the change log's terms. */
export function fromMysql(value: unknown, type: ColumnType): JsonValue {
  if (value === null || value === undefined) return null;
  switch (type) {
    case 'instant':
      return instantFromMysql(String(value));
    case 'boolean':
      return Number(value) !== 0;
    case 'integer':
      return Number(value);
    case 'json':
      return typeof value === 'string' ? (JSON.parse(value) as JsonValue) : (value as JsonValue);
    default:
      return String(value);
  }
}

// The characters mysql2 escapes with a backslash (NUL, backspace, tab, LF, CR, ^Z, quotes, backslash).
// eslint-disable-next-line no-control-regex
const ESCAPED = /[\0\b\t\n\r\x1a"'\\]/g;

/**
 * UTF-8 bytes a value adds to a statement packet once the driver has escaped and quoted it (for
 * chunking under max_allowed_packet): each escaped character takes one more byte.
 */
export function paramBytes(value: string | number | null): number {
  if (typeof value !== 'string') return 24;
  return Buffer.byteLength(value) + (value.match(ESCAPED)?.length ?? 0) + 4;
}
