/**
 * Rows in COPY's text format (tab-separated, `\N` for NULL, backslash escapes), built from the
 * same values the unnest path binds. Instants are ISO-8601 UTC, JSON is serialized once.
 */
import type { ColumnSpec } from '../table-spec.ts';
import type { MergeRow } from '../destination.ts';

const SPECIAL = /[\\\t\n\r]/;

function escape(text: string): string {
  if (!SPECIAL.test(text)) return text;
  return text.replace(/\\/g, '\\\\').replace(/\t/g, '\\t').replace(/\n/g, '\\n').replace(/\r/g, '\\r');
}

/** One field of COPY text for a value of `column`'s type. */
export function copyField(value: unknown, column: Pick<ColumnSpec, 'type'>): string {
  if (value === null || value === undefined) return '\\N';
  switch (column.type) {
    case 'instant':
      return value instanceof Date ? value.toISOString() : escape(String(value));
    case 'boolean':
      return value ? 't' : 'f';
    case 'json':
      return escape(JSON.stringify(value));
    default:
      return escape(String(value));
  }
}

function line(columns: readonly ColumnSpec[], row: MergeRow): string {
  let text = escape(row.hash);
  for (const column of columns) text += `\t${copyField(row.values[column.name], column)}`;
  return `${text}\n`;
}

/**
 * The rows as COPY text in chunks of `linesPerChunk`: `row_hash` first, then the data columns in
 * spec order (the staging table's column order). Streamed, so the server parses one chunk while
 * the next is built.
 */
export function* copyChunks(columns: readonly ColumnSpec[], rows: readonly MergeRow[], linesPerChunk = 500): Generator<string> {
  for (let start = 0; start < rows.length; start += linesPerChunk) {
    let chunk = '';
    const end = Math.min(rows.length, start + linesPerChunk);
    for (let r = start; r < end; r++) chunk += line(columns, rows[r]!);
    yield chunk;
  }
}

/** All rows as one COPY text (tests and small batches). */
export function copyText(columns: readonly ColumnSpec[], rows: readonly MergeRow[]): string {
  return [...copyChunks(columns, rows)].join('');
}
