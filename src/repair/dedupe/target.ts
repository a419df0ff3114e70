/** What `repair dedupe` works on: the request, the table as the catalogue describes it, and its errors. */

export interface DedupeRequest {
  /** Postgres schema or MySQL database; absent: the connection's current one. */
  readonly schema: string | undefined;
  readonly table: string;
  /** The identity: rows equal on every one of these columns (none NULL) are copies of one record. */
  readonly key: readonly string[];
  /** Columns that must be non-null in the kept row before anything else counts (`--prefer`). */
  readonly prefer: readonly string[];
  /** The tie-break column, latest wins (`--latest`); absent: detected from the table. */
  readonly latest: string | undefined;
}

/** The table's shape, read from the catalogue before any statement names a column. */
export interface TableShape {
  readonly schema: string | undefined;
  readonly table: string;
  /** Every column, in table order. */
  readonly columns: readonly string[];
  /** Primary key columns; empty when the table has none. */
  readonly primaryKey: readonly string[];
  /** Unique indexes and constraints (the primary key included), by name, each with its column set. */
  readonly uniqueKeys: readonly { readonly name: string; readonly columns: readonly string[] }[];
}

/**
 * The table or a column the user named is not there, or the table cannot be repaired as it is:
 * the fix is in the arguments or the table, so the command exits 2 with this message.
 */
export class DedupeTargetError extends Error {
  override readonly name = 'DedupeTargetError';
}

/** `schema.table` (or `table`) for messages. */
export function tableLabel(shape: { schema: string | undefined; table: string }): string {
  return shape.schema ? `${shape.schema}.${shape.table}` : shape.table;
}
