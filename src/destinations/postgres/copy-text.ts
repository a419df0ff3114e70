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

/** `row_hash` first, then the data columns in spec order: the staging table's column order. */
export function copyText(columns: readonly ColumnSpec[], rows: readonly MergeRow[]): string {
  const lines: string[] = new Array<string>(rows.length);
  for (let r = 0; r < rows.length; r++) {
    const row = rows[r]!;
    let line = escape(row.hash);
    for (const column of columns) line += `\t${copyField(row.values[column.name], column)}`;
    lines[r] = line;
  }
  return `${lines.join('\n')}\n`;
}
