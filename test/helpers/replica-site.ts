/** Sites of the example audit replica (examples/audit-site/replica.ts) for the replica tests. */
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import auditReplica from '../../examples/audit-site/replica.ts';
import { defineReplica, MutationRejected, type ReplicaDefinition } from '../../src/replica/definition.ts';
import { SiteReplica } from '../../src/replica/site/site-replica.ts';

/** The example's tables and mutators plus two for tests: a slow write (so a kill lands inside it) and one that always fails. */
export const testReplica: ReplicaDefinition = defineReplica({
  ...auditReplica,
  mutators: {
    ...auditReplica.mutators,
    async slowCreate(tx, args) {
      await tx.put('audit_tasks', { id: String(args.id), title: String(args.title ?? 'x') });
      const until = Date.now() + Number(args.spinMs ?? 0);
      while (Date.now() < until) {
        /* hold the transaction open */
      }
    },
    async failing(tx, args) {
      await tx.put('audit_tasks', { id: String(args.id), title: 'never kept' });
      throw new MutationRejected('the mutator refused');
    },
  },
});

export const freshSitePath = (): string => join(mkdtempSync(join(tmpdir(), 'tidemark-site-')), 'site.db');

export function openAuditSite(path: string, options: { clientId?: string; now?: () => Date; timezone?: string } = {}): SiteReplica {
  return new SiteReplica({
    path,
    clientId: options.clientId ?? 'site-a',
    definition: testReplica,
    timezone: options.timezone ?? 'America/New_York',
    ...(options.now ? { now: options.now } : {}),
  });
}
