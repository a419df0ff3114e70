/** Bring the control-plane schema up to date; safe to call from several processes at once. */
import type { SqlClient } from '../db/sql-client.ts';
import { LEDGER_MIGRATIONS } from './sql/migrations.ts';
import { quoteIdent } from '../db/identifiers.ts';

export interface LedgerMigrationResult {
  readonly applied: readonly number[];
  readonly current: number;
}

export async function migrateLedger(db: SqlClient, schema: string): Promise<LedgerMigrationResult> {
  const s = quoteIdent(schema);
  return db.transaction(async (tx) => {
    // Serialize concurrent migrators (several workers starting together) on one advisory lock.
    await tx.query(`SELECT pg_advisory_xact_lock(hashtext($1))`, [`tidemark-ledger-migrate:${schema}`]);
    await tx.query(`CREATE SCHEMA IF NOT EXISTS ${s}`);
    await tx.query(
      `CREATE TABLE IF NOT EXISTS ${s}.migrations (version integer PRIMARY KEY, name text NOT NULL, applied_at timestamptz NOT NULL DEFAULT now())`,
    );
    const done = await tx.query<{ version: number }>(`SELECT version FROM ${s}.migrations`);
    const have = new Set(done.rows.map((r) => Number(r.version)));
    const applied: number[] = [];
    for (const migration of LEDGER_MIGRATIONS) {
      if (have.has(migration.version)) continue;
      for (const statement of splitStatements(migration.sql.replaceAll('{{schema}}', s))) {
        await tx.query(statement);
      }
      await tx.query(`INSERT INTO ${s}.migrations (version, name) VALUES ($1, $2)`, [migration.version, migration.name]);
      applied.push(migration.version);
    }
    return { applied, current: Math.max(0, ...LEDGER_MIGRATIONS.map((m) => m.version)) };
  });
}

/** Migrations hold no semicolons inside strings or bodies, so a split on `;` at line end is exact. */
function splitStatements(sql: string): string[] {
  return sql
    .split(/;\s*$/m)
    .map((part) => part.replace(/^\s*--.*$/gm, '').trim())
    .filter((part) => part.length > 0);
}
