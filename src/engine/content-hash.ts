/**
 * A row's content hash: SHA-1 of its values as JSON (instants as ISO-8601 UTC through
 * Date#toJSON). Equal hash means nothing to write, which makes a re-run write zero rows.
 *
 * The top-level key order is fixed by the stream's normalize(); nested upstream JSON (`raw`) keeps
 * the order the upstream sent. Sorting keys recursively cost 25 µs a record; an upstream that
 * reordered keys would cost one no-op update of the same row, never a wrong or a second row.
 */
import { createHash } from 'node:crypto';
import type { ColumnValue } from './stream.ts';

export function contentHash(values: Readonly<Record<string, ColumnValue>>, json: string = JSON.stringify(values)): string {
  return createHash('sha1').update(json).digest('hex');
}
