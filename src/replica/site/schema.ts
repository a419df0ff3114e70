/**
 * The site database's bookkeeping (docs/replica.md): `sync_meta` (client id, next mutation id,
 * cookie, the site's timezone, the write gate), `sync_outbox` (one row per local mutation, in
 * order), `sync_touched` (the rows each mutation wrote, to refetch when the server rejects it), the
 * replicated tables from the definition, and on each of them triggers that refuse a write unless
 * it comes through `mutate()` or a pull being applied: no write can bypass the outbox.
 */
import type { DatabaseSync } from 'node:sqlite';
import type { ColumnType, ReplicaDefinition } from '../definition.ts';

/** The write gate: `closed` refuses writes to replicated tables; `mutate` and `pull` let them through. */
export type WriteGate = 'closed' | 'mutate' | 'pull';

const SQLITE_TYPES: Readonly<Record<ColumnType, string>> = {
  text: 'TEXT',
  integer: 'INTEGER',
  real: 'REAL',
  boolean: 'INTEGER',
  json: 'TEXT',
  instant: 'TEXT',
  date: 'TEXT',
};

export function createBookkeeping(db: DatabaseSync): void {
  db.exec(`
    CREATE TABLE IF NOT EXISTS sync_meta (key TEXT PRIMARY KEY, value TEXT NOT NULL);
    CREATE TABLE IF NOT EXISTS sync_outbox (
      mutation_id   INTEGER PRIMARY KEY,
      name          TEXT NOT NULL,
      args          TEXT NOT NULL,
      created_at    TEXT NOT NULL,
      business_date TEXT NOT NULL,
      state         TEXT NOT NULL DEFAULT 'pending' CHECK (state IN ('pending', 'acked', 'rejected')),
      attempts      INTEGER NOT NULL DEFAULT 0,
      last_error    TEXT,
      acked_at      TEXT,
      needs_refetch INTEGER NOT NULL DEFAULT 0
    );
    CREATE TABLE IF NOT EXISTS sync_touched (
      mutation_id INTEGER NOT NULL,
      table_name  TEXT NOT NULL,
      row_key     TEXT NOT NULL,
      PRIMARY KEY (mutation_id, table_name, row_key)
    ) WITHOUT ROWID;
    INSERT OR IGNORE INTO sync_meta (key, value) VALUES ('next_mutation_id', '1'), ('write_gate', 'closed');
  `);
}

/** CREATE TABLE for a replicated table (columns as declared, key as primary key). */
export function createTable(db: DatabaseSync, definition: ReplicaDefinition, table: string): void {
  const declared = definition.tables[table]!;
  const columns = Object.entries(declared.columns).map(([name, type]) => `"${name}" ${SQLITE_TYPES[type]}${declared.key.includes(name) ? ' NOT NULL' : ''}`);
  db.exec(`CREATE TABLE IF NOT EXISTS "${table}" (${columns.join(', ')}, PRIMARY KEY (${declared.key.map((k) => `"${k}"`).join(', ')}))`);
  guardTable(db, table);
}

/** Triggers that refuse INSERT/UPDATE/DELETE on `table` while the write gate is closed. */
function guardTable(db: DatabaseSync, table: string): void {
  for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
    db.exec(`
      CREATE TRIGGER IF NOT EXISTS "tidemark_guard_${table}_${op.toLowerCase()}" BEFORE ${op} ON "${table}"
      WHEN (SELECT value FROM sync_meta WHERE key = 'write_gate') = 'closed'
      BEGIN
        SELECT RAISE(ABORT, 'tidemark: write to "${table}" outside mutate(): every local write must go through mutate() so it reaches the outbox');
      END;
    `);
  }
}

export function setGate(db: DatabaseSync, gate: WriteGate): void {
  db.prepare(`UPDATE sync_meta SET value = ? WHERE key = 'write_gate'`).run(gate);
}
