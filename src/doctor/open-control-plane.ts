/**
 * Doctor's own way onto the control plane: no migration (openLedger migrates; doctor only looks),
 * no directory created for an embedded PGlite that is not there, a bounded connect to a server,
 * and a clear finding when a running `tidemark start` holds the embedded directory.
 */
import type { Config } from '../config/schema.ts';
import { openPostgres } from '../db/open.ts';
import { redactUrl } from '../db/redact.ts';
import { DirectoryLockedError } from '../db/directory-lock.ts';
import type { SqlClient } from '../db/sql-client.ts';
import { controlPlaneUrl } from '../ledger/open-ledger.ts';
import { errorMessage } from '../engine/errors.ts';
import type { Finding } from './finding.ts';
import { NotCreatedError, assertPgliteExists, pingPostgresServer } from './ping-database.ts';
import { formatMs, timed } from './timing.ts';

export type OpenedControlPlane =
  | { readonly ok: true; readonly db: SqlClient; readonly finding: Finding }
  | { readonly ok: false; readonly finding: Finding };

const CONNECT_FIX = 'check DATABASE_URL / controlPlane.url and that the database is running';

export async function openControlPlane(config: Config, env: NodeJS.ProcessEnv): Promise<OpenedControlPlane> {
  let url: string;
  try {
    url = controlPlaneUrl(config, env);
  } catch (error) {
    return { ok: false, finding: { level: 'error', subject: 'control plane', message: errorMessage(error), fix: CONNECT_FIX } };
  }
  const subject = `control plane ${redactUrl(url)}`;
  if (url.startsWith('pglite:')) return openEmbedded(url, subject);
  try {
    const { ms } = await timed(() => pingPostgresServer(url));
    const db = await openPostgres(url, { max: 1, applicationName: 'tidemark-doctor' });
    return { ok: true, db, finding: { level: 'ok', subject, message: `answers in ${formatMs(ms)}` } };
  } catch (error) {
    return { ok: false, finding: { level: 'error', subject, message: `cannot connect: ${errorMessage(error)}`, fix: CONNECT_FIX } };
  }
}

async function openEmbedded(url: string, subject: string): Promise<OpenedControlPlane> {
  try {
    assertPgliteExists(url);
    const { value: db, ms } = await timed(async () => {
      const opened = await openPostgres(url);
      await opened.query('SELECT 1');
      return opened;
    });
    return { ok: true, db, finding: { level: 'ok', subject, message: `embedded PGlite opened and answers in ${formatMs(ms)}` } };
  } catch (error) {
    if (error instanceof NotCreatedError) {
      return { ok: false, finding: { level: 'error', subject, message: `${error.message}: nothing has run here yet`, fix: 'tidemark migrate' } };
    }
    if (error instanceof DirectoryLockedError) {
      return {
        ok: false,
        finding: {
          level: 'error',
          subject,
          message: `cannot be checked while another process holds it: ${error.message}`,
          fix: 'stop that process (e.g. `tidemark start`) and run `tidemark doctor` again; to check a running deployment, keep its control plane on Postgres (DATABASE_URL)',
        },
      };
    }
    return { ok: false, finding: { level: 'error', subject, message: `cannot open: ${errorMessage(error)}`, fix: CONNECT_FIX } };
  }
}
