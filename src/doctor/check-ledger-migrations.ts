/**
 * The ledger's migrations as recorded in `<schema>.migrations` against the ones this Tidemark
 * knows: pending ones are listed (`tidemark migrate`), and a version this build does not know means
 * a newer Tidemark migrated the ledger. Read-only: openLedger would migrate, doctor never does.
 */
import type { SqlQueryable } from '../db/sql-client.ts';
import { quoteIdent } from '../db/identifiers.ts';
import { LEDGER_MIGRATIONS } from '../ledger/sql/migrations.ts';
import { errorMessage } from '../engine/errors.ts';
import type { Finding } from './finding.ts';

export interface AppliedMigration {
  readonly version: number;
  readonly name: string;
}

type KnownMigration = Pick<(typeof LEDGER_MIGRATIONS)[number], 'version' | 'name'>;

function listed(migrations: readonly AppliedMigration[]): string {
  return migrations.map((m) => `${m.version} "${m.name}"`).join(', ');
}

/** Compare what the ledger recorded with what this build knows (exported for its own sake: pure). */
export function assessMigrations(schema: string, applied: readonly AppliedMigration[], known: readonly KnownMigration[] = LEDGER_MIGRATIONS): Finding[] {
  const subject = `ledger "${schema}"`;
  const appliedVersions = new Set(applied.map((m) => m.version));
  const knownVersions = new Set(known.map((m) => m.version));
  const latest = Math.max(0, ...known.map((m) => m.version));
  const pending = known.filter((m) => !appliedVersions.has(m.version));
  const unknown = applied.filter((m) => !knownVersions.has(m.version));
  const findings: Finding[] = [];
  if (unknown.length > 0) {
    findings.push({
      level: 'error',
      subject,
      message: `migration(s) ${listed(unknown)} were applied by a newer Tidemark: this build knows versions up to ${latest}`,
      fix: 'upgrade Tidemark here to the version that migrated the ledger (every process on one control plane must run the same version)',
    });
  }
  if (pending.length > 0) {
    findings.push({
      level: 'error',
      subject,
      message: `${pending.length} migration(s) pending: ${listed(pending)}${applied.length ? ` (applied: ${applied.map((m) => m.version).join(', ')})` : ''}`,
      fix: 'tidemark migrate',
    });
  }
  if (findings.length === 0) {
    findings.push({ level: 'ok', subject, message: `at version ${latest} (migrations ${known.map((m) => m.version).join(', ')} applied), none pending` });
  }
  return findings;
}

export async function checkLedgerMigrations(db: SqlQueryable, schema: string): Promise<Finding[]> {
  try {
    const table = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${quoteIdent(schema)}.migrations`]);
    if (!table.rows[0]?.found) {
      return [{ level: 'error', subject: `ledger "${schema}"`, message: `the ledger schema "${schema}" is not set up`, fix: 'tidemark migrate' }];
    }
    const rows = await db.query<{ version: number; name: string }>(`SELECT version, name FROM ${quoteIdent(schema)}.migrations ORDER BY version`);
    return assessMigrations(schema, rows.rows.map((r) => ({ version: Number(r.version), name: r.name })));
  } catch (error) {
    return [{ level: 'error', subject: `ledger "${schema}"`, message: `cannot read its migrations: ${errorMessage(error)}` }];
  }
}
