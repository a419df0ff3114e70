/** `tidemark replica client add|list|revoke` and `tidemark replica prune`: the offline sites of a replica. */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { loadReplicas, ReplicaService } from '../../replica/server/replica-service.ts';

const usage = `Usage: tidemark replica client add <replica> <client-id> [--json]
       tidemark replica client list [<replica>] [--json]
       tidemark replica client revoke <replica> <client-id>
       tidemark replica prune [<replica>]

client add     prints the site's credential ONCE (only its hash is stored); the site sends it as
               its bearer token to /api/v1/replica/push and /pull, and can push only as itself
client list    the sites of each replica: last mutation id applied, last seen (never the credential)
client revoke  the credential stops working at once; \`client add\` again issues a new one and
               the site's mutation ids continue where they were
prune          drop tombstones older than tombstoneRetentionDays and mutation records older than
               mutationsRetentionDays now (the server also does this every hour)
Exit codes: 0 done, 1 no such client, 2 bad usage or configuration. Docs: docs/replica.md.`;

export const replicaCommand: Command = {
  name: 'replica',
  summary: 'offline sites: add, list and revoke site credentials; prune old tombstones',
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, { json: { type: 'boolean' }, config: { type: 'string' } }, true);
    const [noun, ...rest] = positionals;
    const action = noun === 'client' ? rest[0] : noun;
    const args = noun === 'client' ? rest.slice(1) : rest;
    if (!(noun === 'client' && (action === 'add' || action === 'list' || action === 'revoke')) && noun !== 'prune') {
      throw new UsageError('say what to do: tidemark replica client add|list|revoke, or tidemark replica prune');
    }
    const { config } = await loadConfig(values.config, ctx.env);
    const known = config.replicas.map((r) => r.id);
    const [replicaId, clientId] = args;
    const needsReplica = action === 'add' || action === 'revoke';
    if (needsReplica && (!replicaId || !clientId)) throw new UsageError(`name the replica and the site: tidemark replica client ${action} <replica> <client-id>`);
    if (replicaId && !known.includes(replicaId)) {
      throw new UsageError(`no replica "${replicaId}"; configured: ${known.length ? known.map((r) => `"${r}"`).join(', ') : '(none: add replicas to the configuration, docs/replica.md)'}`);
    }
    const ledger = await openLedger(config, ctx.env);
    try {
      const service = new ReplicaService(ledger.db, config.controlPlane.schema, noun === 'prune' ? await loadReplicas(config) : []);
      if (noun === 'prune') {
        for (const id of replicaId ? [replicaId] : known) {
          const pruned = await service.prune(id);
          ctx.stdout.write(`replica ${id}: ${pruned.tombstones} tombstone(s) and ${pruned.mutations} mutation record(s) dropped\n`);
        }
        return EXIT.ok;
      }
      if (action === 'add') {
        const token = await service.clients.add(replicaId!, clientId!);
        if (values.json) ctx.stdout.write(`${JSON.stringify({ replica: replicaId, client: clientId, token })}\n`);
        else ctx.stdout.write(`site "${clientId}" of replica "${replicaId}":\n${token}\nGive it to the site (e.g. in TIDEMARK_SITE_TOKEN) now: it is not shown again.\n`);
        return EXIT.ok;
      }
      if (action === 'revoke') {
        if (!(await service.clients.revoke(replicaId!, clientId!))) {
          ctx.stderr.write(`tidemark replica: no live client "${clientId}" in replica "${replicaId}"\n`);
          return EXIT.failed;
        }
        ctx.stdout.write(`site "${clientId}" of replica "${replicaId}" revoked\n`);
        return EXIT.ok;
      }
      const list = await service.clients.list(replicaId);
      if (values.json) ctx.stdout.write(`${JSON.stringify(list)}\n`);
      else if (list.length === 0) ctx.stdout.write('no sites yet; add one with tidemark replica client add <replica> <client-id>\n');
      else {
        for (const c of list) {
          const state = c.revokedAt ? `revoked ${c.revokedAt.toISOString()}` : c.lastSeenAt ? `last seen ${c.lastSeenAt.toISOString()}` : 'never seen';
          ctx.stdout.write(`${c.replicaId}  ${c.clientId}  last mutation ${c.lastMutationId}  added ${c.createdAt.toISOString()}  ${state}\n`);
        }
      }
      return EXIT.ok;
    } finally {
      await ledger.db.close();
    }
  },
};
