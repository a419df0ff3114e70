/**
 * A destination table described once, in terms every dialect can turn into DDL and merge SQL.
 * Every table also gets the bookkeeping columns `tenant_id`, `row_hash`, `synced_at`, `deleted_at`.
 */
export const COLUMN_TYPES = ['text', 'bigint', 'integer', 'boolean', 'instant', 'date', 'json', 'numeric'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export interface ColumnSpec {
  readonly name: string;
  readonly type: ColumnType;
  readonly nullable: boolean;
  /** One line for docs and `doctor`. */
  readonly description?: string;
  /**
   * False for a column that only repeats the others (the upstream's raw JSON): left out of the
   * change log's before/after images, which would otherwise copy every row into the ledger.
   */
  readonly audited?: boolean;
}

export interface TableSpec {
  /** Default table name; a sync may override it. */
  readonly name: string;
  /** Data columns, in order. The key column is one of them. */
  readonly columns: readonly ColumnSpec[];
  /** The column holding the upstream identity; the unique key is (tenant_id, keyColumn). */
  readonly keyColumn: string;
  /** The instant column a window's rows are selected by (indexed with tenant_id). */
  readonly windowColumn?: string;
}

/** The named column of the spec, which must hold instants (for range predicates such as retention). */
export function instantColumn(spec: TableSpec, column: string): string {
  const found = spec.columns.find((c) => c.name === column);
  if (!found || found.type !== 'instant') throw new Error(`table ${spec.name}: "${column}" is not an instant column of the table`);
  return found.name;
}

/** Bookkeeping columns every Tidemark table carries, in this order after the data columns. */
export const BOOKKEEPING_COLUMNS = ['tenant_id', 'row_hash', 'synced_at', 'deleted_at'] as const;
