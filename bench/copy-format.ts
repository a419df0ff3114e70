/**
 * Rows in COPY's text format, encoded exactly as the merge's COPY staging encodes them
 * (src/destinations/postgres/copy-text.ts), plus the bookkeeping columns Tidemark tables carry.
 */
import type { MergeRow } from '../src/destinations/destination.ts';
import type { TableSpec } from '../src/destinations/table-spec.ts';
import { BOOKKEEPING_COLUMNS } from '../src/destinations/table-spec.ts';
import { copyField } from '../src/destinations/postgres/copy-text.ts';

/** The column list of the COPY statement, in the order `copyLine` writes. */
export function copyColumns(spec: TableSpec): string[] {
  return [...spec.columns.map((c) => c.name), ...BOOKKEEPING_COLUMNS];
}

/** One line: data columns, then tenant_id, row_hash, synced_at, deleted_at (null). */
export function copyLine(spec: TableSpec, row: MergeRow, tenantId: string, syncedAt: string): string {
  const fields = spec.columns.map((c) => copyField(row.values[c.name], c));
  fields.push(copyField(tenantId, { type: 'text' }), row.hash, syncedAt, '\\N');
  return `${fields.join('\t')}\n`;
}
