/** The control plane answers and its ledger schema is at the version this Tidemark expects. */
import type { Config } from '../config/schema.ts';
import { openPostgres } from '../db/open.ts';
import { redactUrl } from '../db/redact.ts';
import { quoteIdent } from '../db/identifiers.ts';
import { controlPlaneUrl } from '../ledger/open-ledger.ts';
import { LEDGER_MIGRATIONS } from '../ledger/sql/migrations.ts';
import { errorMessage } from '../engine/errors.ts';
import type { Finding } from './finding.ts';

export async function checkControlPlane(config: Config, env: NodeJS.ProcessEnv): Promise<Finding> {
  const url = controlPlaneUrl(config, env);
  const subject = `control plane ${redactUrl(url)}`;
  const expected = Math.max(...LEDGER_MIGRATIONS.map((m) => m.version));
  let db;
  try {
    db = await openPostgres(url, { max: 1, applicationName: 'tidemark-doctor' });
  } catch (error) {
    return { level: 'error', subject, message: `cannot connect: ${errorMessage(error)}`, fix: 'check DATABASE_URL / controlPlane.url and that the database is running' };
  }
  try {
    const table = await db.query<{ found: boolean }>(`SELECT to_regclass($1) IS NOT NULL AS found`, [`${config.controlPlane.schema}.migrations`]);
    if (!table.rows[0]?.found) return { level: 'error', subject, message: `the ledger schema "${config.controlPlane.schema}" is not set up`, fix: 'tidemark migrate' };
    const version = await db.query<{ version: number | null }>(`SELECT max(version) AS version FROM ${quoteIdent(config.controlPlane.schema)}.migrations`);
    const current = Number(version.rows[0]?.version ?? 0);
    if (current < expected) return { level: 'error', subject, message: `ledger at version ${current}, this Tidemark needs ${expected}`, fix: 'tidemark migrate' };
    return { level: 'ok', subject, message: `ledger schema "${config.controlPlane.schema}" at version ${current}` };
  } catch (error) {
    return { level: 'error', subject, message: errorMessage(error) };
  } finally {
    await db.close();
  }
}
