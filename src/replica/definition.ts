/**
 * A replica's shape, shared by the site and the server: its tables (columns and key) and its named
 * mutators. The same mutator code runs on the site (against SQLite, at once, offline) and on the
 * server (against Postgres, in the server's order): Tidemark replays the intent, not the rows.
 */
import { assertIdentifier } from '../db/identifiers.ts';

/**
 * Column types. `instant` is a UTC instant stored as ISO-8601 with `Z` on both sides; `date` a
 * business date `YYYY-MM-DD`; `json` any JSON value. Every column but the key may be null.
 */
export const COLUMN_TYPES = ['text', 'integer', 'real', 'boolean', 'json', 'instant', 'date'] as const;
export type ColumnType = (typeof COLUMN_TYPES)[number];

export type JsonValue = string | number | boolean | null | JsonValue[] | { [key: string]: JsonValue };
/** One row of a replicated table: column name → value (JSON on the wire and on the server). */
export type ReplicaRow = { [column: string]: JsonValue };
export type MutationArgs = { [name: string]: JsonValue };

export interface TableDefinition {
  readonly columns: Readonly<Record<string, ColumnType>>;
  /** The primary key's columns (the site's and the server's row identity). */
  readonly key: readonly string[];
}

/** What a mutator sees, on either side. Reads see the mutation's own writes. */
export interface ReplicaTx {
  /** `site` while applied locally, `server` when the server runs it (authoritative). */
  readonly side: 'site' | 'server';
  readonly clientId: string;
  readonly mutationId: number;
  /** The business date fixed at write time on the site, in the site's zone (travels with the mutation). */
  readonly businessDate: string;
  /** When the site says it wrote (the site's clock: shown, never used for ordering). */
  readonly createdAt: string;
  get(table: string, key: ReplicaRow): Promise<ReplicaRow | null>;
  /** Rows of `table` whose columns equal every value in `where`, in key order. */
  list(table: string, where?: ReplicaRow): Promise<ReplicaRow[]>;
  /** Insert or replace the whole row (missing columns become null). */
  put(table: string, row: ReplicaRow): Promise<void>;
  delete(table: string, key: ReplicaRow): Promise<void>;
}

export type Mutator = (tx: ReplicaTx, args: MutationArgs) => Promise<void> | void;

/**
 * A mutator throws this to refuse a mutation (a rule of the domain: "task already closed"). On the
 * server the mutation is recorded as rejected and consumed, so the queue behind it moves on.
 */
export class MutationRejected extends Error {
  override readonly name = 'MutationRejected';
}

export interface ReplicaDefinition {
  /** Bumped when tables change: a site with another schema version is told to upgrade. */
  readonly schemaVersion: number;
  readonly tables: Readonly<Record<string, TableDefinition>>;
  readonly mutators: Readonly<Record<string, Mutator>>;
}

/** Check a definition once, where it is written (both sides import the same module). */
export function defineReplica(definition: ReplicaDefinition): ReplicaDefinition {
  if (!Number.isInteger(definition.schemaVersion) || definition.schemaVersion < 1) throw new Error(`schemaVersion must be a whole number ≥ 1; received ${definition.schemaVersion}`);
  const tables = Object.entries(definition.tables);
  if (tables.length === 0) throw new Error('a replica needs at least one table');
  for (const [name, table] of tables) {
    assertIdentifier(name, 'replica table');
    if (name.startsWith('sync_')) throw new Error(`replica table "${name}": names starting with sync_ are Tidemark's own`);
    for (const [column, type] of Object.entries(table.columns)) {
      assertIdentifier(column, `column of ${name}`);
      if (!COLUMN_TYPES.includes(type)) throw new Error(`column ${name}.${column}: type "${type}" is not one of ${COLUMN_TYPES.join(', ')}`);
    }
    if (table.key.length === 0) throw new Error(`replica table "${name}" needs a key`);
    for (const column of table.key) {
      if (!(column in table.columns)) throw new Error(`replica table "${name}": key column "${column}" is not one of its columns`);
      if (table.columns[column] === 'json') throw new Error(`replica table "${name}": key column "${column}" cannot be json`);
    }
  }
  for (const name of Object.keys(definition.mutators)) {
    if (!/^[A-Za-z_][A-Za-z0-9_.-]{0,63}$/.test(name)) throw new Error(`mutator name "${name}" must be 1–64 letters, digits, _ . -`);
  }
  return definition;
}
