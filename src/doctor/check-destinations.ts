/**
 * Each configured destination answers, and how fast (connect and `SELECT 1`). Syncs writing to
 * one that does not are listed in its finding; their tables are not inspected.
 */
import type { Config } from '../config/schema.ts';
import { resolveUrl } from '../config/secrets.ts';
import { redactUrl } from '../db/redact.ts';
import { errorMessage } from '../engine/errors.ts';
import type { Finding } from './finding.ts';
import { NotCreatedError, pingDatabase } from './ping-database.ts';
import { formatMs, timed } from './timing.ts';

export interface DestinationCheck {
  readonly findings: Finding[];
  /** Ids of destinations that did not answer. */
  readonly unreachable: ReadonlySet<string>;
}

export async function checkDestinations(config: Config, env: NodeJS.ProcessEnv): Promise<DestinationCheck> {
  const findings: Finding[] = [];
  const unreachable = new Set<string>();
  for (const [index, destination] of config.destinations.entries()) {
    const users = config.syncs.filter((s) => s.destination === destination.id).map((s) => s.id);
    const usedBy = users.length ? ` (syncs ${users.join(', ')} write here)` : ' (no sync writes here)';
    let url: string;
    try {
      url = resolveUrl(destination.url, `destinations[${index}].url`, env);
    } catch (error) {
      unreachable.add(destination.id);
      findings.push({ level: 'error', subject: `destination ${destination.id}`, message: `${errorMessage(error)}${usedBy}`, fix: 'set the destination URL\'s environment variable' });
      continue;
    }
    const subject = `destination ${destination.id} ${redactUrl(url)}`;
    try {
      const { ms } = await timed(() => pingDatabase(url));
      findings.push({ level: 'ok', subject, message: `answers in ${formatMs(ms)}${usedBy}` });
    } catch (error) {
      unreachable.add(destination.id);
      const notCreated = error instanceof NotCreatedError;
      findings.push({
        level: 'error',
        subject,
        message: `${notCreated ? '' : 'cannot connect: '}${errorMessage(error)}${usedBy}`,
        fix: notCreated ? 'tidemark migrate' : 'check the destination URL and that the database is running',
      });
    }
  }
  return { findings, unreachable };
}
