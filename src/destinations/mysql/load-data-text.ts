/**
 * A batch's rows in LOAD DATA's default text format: fields separated by a tab, rows ended by a
 * newline, `\` as the escape character, `\N` for NULL. Each value is first turned into exactly
 * the parameter the bound upsert would send (toMysqlParam), so the server converts the same text
 * into the same column value on both paths; an empty string stays an empty string, not NULL.
 */
import type { MergeRow } from '../destination.ts';
import type { TableSpec } from '../table-spec.ts';
import type { BoundValue } from './mysql-pool.ts';
import { toMysqlParam } from './values.ts';

/**
 * Rows per chunk handed to the connection. Small on purpose: the server parses and inserts one
 * chunk while the next is encoded, so the encoding hides behind the insert. Measured with 100,000
 * shift rows in batches of 1,000 (bench/mysql-profile-merge.ts): each batch as one chunk 1.72× a
 * single LOAD DATA of all the rows, in chunks of 50 rows 1.31×; 25 was no better than 50.
 */
const ROWS_PER_CHUNK = 50;

/** Only these are special inside a field: the escape, the two terminators, and CR and NUL. */
const SPECIAL = /[\\\t\n\r\0]/;
const SPECIALS = /[\\\t\n\r\0]/g;
const ESCAPED: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

/** One field. The test first: most values (ids, instants, hashes) have nothing to escape. */
export function loadDataField(value: BoundValue): string {
  if (value === null) return '\\N';
  if (typeof value === 'number') return String(value);
  return SPECIAL.test(value) ? value.replace(SPECIALS, (c) => ESCAPED[c]!) : value;
}

/**
 * The rows as lines of: the data columns in spec order, then tenant_id, row_hash and synced_at
 * (the columns of loadRowsSql). Lazily, a chunk at a time, as the connection asks for them.
 */
export function* loadDataChunks(spec: TableSpec, tenantId: string, rows: readonly MergeRow[], syncedAt: string): Generator<Buffer> {
  const tail = `${loadDataField(tenantId)}\t`;
  for (let start = 0; start < rows.length; start += ROWS_PER_CHUNK) {
    const end = Math.min(rows.length, start + ROWS_PER_CHUNK);
    let text = '';
    for (let i = start; i < end; i++) {
      const row = rows[i]!;
      let line = '';
      for (const column of spec.columns) line += `${loadDataField(toMysqlParam(row.values[column.name], column.type, column.name))}\t`;
      text += `${line}${tail}${loadDataField(row.hash)}\t${syncedAt}\n`;
    }
    yield Buffer.from(text);
  }
}
