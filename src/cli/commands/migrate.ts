/** `tidemark migrate`: bring the ledger up to date and create every configured sync's table. */
import type { Command } from '../command.ts';
import { EXIT } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { controlPlaneUrl } from '../../ledger/open-ledger.ts';
import { openPostgres } from '../../db/open.ts';
import { migrateLedger } from '../../ledger/migrate.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { openDestination } from '../../destinations/open.ts';
import { redactUrl } from '../../db/redact.ts';

export const migrateCommand: Command = {
  name: 'migrate',
  summary: 'create or update the ledger and every configured destination table',
  usage: `Usage: tidemark migrate [--config FILE] [--json]

Applies the ledger's migrations on the control plane (DATABASE_URL, else controlPlane.url) and creates
each sync's destination table with its unique key (tenant_id + the upstream id) and window index.
Safe to run again: it only adds what is missing.`,
  async run(ctx) {
    const { values } = parseCommandArgs(ctx.argv, { config: { type: 'string' }, json: { type: 'boolean' } });
    const { config } = await loadConfig(values.config, ctx.env);
    const url = controlPlaneUrl(config, ctx.env);
    const db = await openPostgres(url);
    const report: { controlPlane: string; ledgerVersion: number; applied: readonly number[]; tables: { sync: string; table: string; created: boolean }[] } = {
      controlPlane: redactUrl(url),
      ledgerVersion: 0,
      applied: [],
      tables: [],
    };
    try {
      const result = await migrateLedger(db, config.controlPlane.schema);
      report.ledgerVersion = result.current;
      report.applied = result.applied;
    } finally {
      await db.close();
    }
    for (const sync of config.syncs) {
      const parts = resolveSync(config, sync.id, ctx.env);
      const destination = await openDestination(parts.destinationUrl);
      try {
        const { created } = await destination.ensureTable(parts.sync.table);
        report.tables.push({ sync: sync.id, table: `${destination.description} ${parts.sync.table.schema ? `${parts.sync.table.schema}.` : ''}${parts.sync.table.name}`, created });
      } finally {
        await destination.close();
      }
    }
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(report)}\n`);
    } else {
      ctx.stdout.write(`ledger on ${report.controlPlane}: version ${report.ledgerVersion}${report.applied.length ? ` (applied ${report.applied.join(', ')})` : ' (up to date)'}\n`);
      for (const t of report.tables) ctx.stdout.write(`  ${t.created ? 'created' : 'exists '} ${t.table} (sync ${t.sync})\n`);
    }
    return EXIT.ok;
  },
};
