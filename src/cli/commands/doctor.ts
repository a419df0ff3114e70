/** `tidemark doctor`: is everything in place for the configured syncs? Lists what is off and the fix. */
import type { Command } from '../command.ts';
import { EXIT } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { errorMessage } from '../../engine/errors.ts';
import { redactUrl } from '../../db/redact.ts';
import { checkControlPlane } from '../../doctor/check-control-plane.ts';
import { checkTable } from '../../doctor/check-table.ts';
import { checkMapping } from '../../doctor/check-mapping.ts';
import { openInspector } from '../../doctor/open-inspector.ts';
import type { Finding } from '../../doctor/finding.ts';

async function checkSyncs(config: Awaited<ReturnType<typeof loadConfig>>['config'], env: NodeJS.ProcessEnv): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const sync of config.syncs) {
    const subject = `sync ${sync.id}`;
    let parts;
    try {
      parts = resolveSync(config, sync.id, env);
    } catch (error) {
      findings.push({ level: 'error', subject, message: errorMessage(error) });
      continue;
    }
    let inspector;
    try {
      inspector = await openInspector(parts.destinationUrl);
    } catch (error) {
      findings.push({ level: 'error', subject, message: `destination ${redactUrl(parts.destinationUrl)}: ${errorMessage(error)}`, fix: 'check the destination URL and that the database is running' });
      continue;
    }
    try {
      const { table } = parts.sync;
      const inspection = await inspector.inspect(table.schema, table.name);
      findings.push(...checkTable({ dialect: inspector.dialect, subject, spec: table.spec, schema: table.schema, name: table.name, inspection }));
      if (parts.sync.mapping) {
        findings.push(...(await checkMapping({ inspector, subject, source: table.spec, mapping: parts.sync.mapping, timezone: parts.sync.timezone })));
      }
    } catch (error) {
      findings.push({ level: 'error', subject, message: errorMessage(error) });
    } finally {
      await inspector.close();
    }
  }
  return findings;
}

export const doctorCommand: Command = {
  name: 'doctor',
  summary: 'check the control plane and every sync\'s table; print what is off and the fix',
  usage: `Usage: tidemark doctor [--config FILE] [--json]

Checks that the control plane answers and its ledger is migrated, and for every configured sync
that its destination table exists with the columns and types the stream writes (instants in a
zone-aware type: a naive timestamp is flagged and explained) and a unique key on
(tenant_id, <upstream id>); for a sync with a mapping, that the user's own table has the mapped
columns, a unique key on the identity column and lookups that can match, and warns (!) about
zone-less columns receiving instants. Read-only. Exit 0 when everything is in place, 1 with a list of fixes.`,
  async run(ctx) {
    const { values } = parseCommandArgs(ctx.argv, { config: { type: 'string' }, json: { type: 'boolean' } });
    const { config } = await loadConfig(values.config, ctx.env);
    const findings = [await checkControlPlane(config, ctx.env), ...(await checkSyncs(config, ctx.env))];
    const problems = findings.filter((f) => f.level === 'error');
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify({ ok: problems.length === 0, findings })}\n`);
    } else {
      for (const f of findings) {
        ctx.stdout.write(`${f.level === 'ok' ? '✓' : f.level === 'warning' ? '!' : '✗'} ${f.subject}: ${f.message}\n`);
        if (f.fix) ctx.stdout.write(`    fix: ${f.fix}\n`);
      }
      ctx.stdout.write(problems.length === 0 ? '\nEverything is in place.\n' : `\n${problems.length} problem(s) to fix.\n`);
    }
    return problems.length === 0 ? EXIT.ok : EXIT.failed;
  },
};
