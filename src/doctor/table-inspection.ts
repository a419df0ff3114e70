/** What `doctor` learns about a destination table, the same shape for every dialect. */
export interface InspectedColumn {
  readonly name: string;
  /** The database's own type name, lowercase (`timestamp with time zone`, `datetime`, `text`). */
  readonly type: string;
  readonly nullable: boolean;
}

export interface TableInspection {
  readonly columns: readonly InspectedColumn[];
  /** Column lists of unique indexes and constraints (the primary key included), in index order. */
  readonly uniqueKeys: readonly (readonly string[])[];
}

export type InspectDialect = 'postgres' | 'mysql' | 'sqlite';

export interface TableInspector {
  readonly dialect: InspectDialect;
  /** Null when the table does not exist. */
  inspect(schema: string | undefined, table: string): Promise<TableInspection | null>;
  close(): Promise<void>;
}
