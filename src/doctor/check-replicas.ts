/**
 * Each configured replica's module loads and defines a replica (tables, mutators, schema version),
 * so `tidemark serve` will answer its sites. Read-only: nothing is registered or migrated.
 */
import type { Config } from '../config/schema.ts';
import { ConfigError } from '../config/config-error.ts';
import { loadReplicas } from '../replica/server/replica-service.ts';
import type { Finding } from './finding.ts';

export async function checkReplicas(config: Config): Promise<Finding[]> {
  const findings: Finding[] = [];
  for (const replica of config.replicas) {
    const subject = `replica ${replica.id}`;
    try {
      const [runtime] = await loadReplicas({ ...config, replicas: [replica] });
      const { definition } = runtime!;
      findings.push({
        level: 'ok',
        subject,
        message: `schema version ${definition.schemaVersion}, tables ${Object.keys(definition.tables).join(', ')}, ${Object.keys(definition.mutators).length} mutator(s); sites' business timezone ${runtime!.timezone}`,
      });
    } catch (error) {
      const message = error instanceof ConfigError ? error.problems.map((p) => p.message).join('; ') : (error as Error).message;
      findings.push({ level: 'error', subject, message, fix: `fix replicas[].module of "${replica.id}": a .ts/.js file (relative to the config file) whose default export is defineReplica({...})` });
    }
  }
  return findings;
}
