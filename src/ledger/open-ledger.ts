/** Open the control plane (DATABASE_URL, else the configured URL, else embedded PGlite) and migrate it. */
import type { Config } from '../config/schema.ts';
import { resolveUrl } from '../config/secrets.ts';
import { openPostgres } from '../db/open.ts';
import { Ledger } from './ledger.ts';
import { migrateLedger } from './migrate.ts';

export function controlPlaneUrl(config: Config, env: NodeJS.ProcessEnv): string {
  return env.DATABASE_URL || resolveUrl(config.controlPlane.url, 'controlPlane.url', env);
}

export async function openLedger(config: Config, env: NodeJS.ProcessEnv): Promise<Ledger> {
  const db = await openPostgres(controlPlaneUrl(config, env), { max: 4, applicationName: 'tidemark-control' });
  try {
    await migrateLedger(db, config.controlPlane.schema);
  } catch (error) {
    await db.close();
    throw new Error(`control plane ${db.description}: migration failed: ${(error as Error).message}`, { cause: error });
  }
  return new Ledger(db, config.controlPlane.schema);
}
