/**
 * The site database's bookkeeping (docs: ../shared/reference/offline-sync.md §4): `sync_meta`
 * (client id, next mutation id, the site's timezone, the write gate), `sync_outbox` (one row per
 * local mutation, in order), and on every tracked table triggers that refuse a write unless it
 * comes through `mutate()` (or a pull being applied): no write can bypass the outbox.
 */
import type { DatabaseSync } from 'node:sqlite';

const IDENT = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what: string): void {
  if (!IDENT.test(name)) throw new Error(`${what} "${name}" is not a lowercase SQL identifier`);
}

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
      last_error    TEXT
    );
    INSERT OR IGNORE INTO sync_meta (key, value) VALUES ('next_mutation_id', '1'), ('write_gate', 'closed');
  `);
}

/** Triggers that refuse INSERT/UPDATE/DELETE on `table` while the write gate is closed. */
export function guardTable(db: DatabaseSync, table: string): void {
  assertIdentifier(table, 'tracked table');
  for (const op of ['INSERT', 'UPDATE', 'DELETE'] as const) {
    db.exec(`
      CREATE TRIGGER IF NOT EXISTS "tidemark_guard_${table}_${op.toLowerCase()}" BEFORE ${op} ON "${table}"
      WHEN (SELECT value FROM sync_meta WHERE key = 'write_gate') <> 'open'
      BEGIN
        SELECT RAISE(ABORT, 'tidemark: write to "${table}" outside mutate(): every local write must go through mutate() so it reaches the outbox');
      END;
    `);
  }
}
