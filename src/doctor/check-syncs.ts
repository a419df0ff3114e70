/**
 * Every sync's destination table (columns, zone-aware instants, the unique key on
 * (tenant_id, <upstream id>)) and, with a mapping, the user's own table. Syncs on a destination
 * that did not answer are left out: its own finding lists them.
 */
import type { Config } from '../config/schema.ts';
import { resolveSync } from '../engine/resolve-sync.ts';
import { errorMessage } from '../engine/errors.ts';
import { redactUrl } from '../db/redact.ts';
import { checkTable } from './check-table.ts';
import { checkMapping } from './check-mapping.ts';
import { openInspector } from './open-inspector.ts';
import type { Finding } from './finding.ts';

export async function checkSyncs(config: Config, env: NodeJS.ProcessEnv, unreachable: ReadonlySet<string> = new Set()): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const sync of config.syncs) {
    if (unreachable.has(sync.destination)) continue;
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
