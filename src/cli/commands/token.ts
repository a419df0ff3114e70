/** `tidemark token create|list|revoke`: bearer tokens for the HTTP API and the dashboard. */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { TOKEN_SCOPES, TokenStore, type TokenScope } from '../../api/tokens.ts';

const usage = `Usage: tidemark token create --name NAME (--tenant ID[,ID…] | --all-tenants) [--scope read|operate] [--json]
       tidemark token list [--json]
       tidemark token revoke <id-or-name>

create  prints a new token ONCE (only its hash is stored); read (default) sees the tenants' status,
        runs, changes, dead letters and reconcile reports; operate may also trigger runs and replay
list    tokens with their tenants, scope, creation and last use (never the token)
revoke  the token stops working at once
Exit codes: 0 done, 1 no such token, 2 bad usage or configuration.`;

export const tokenCommand: Command = {
  name: 'token',
  summary: 'create, list and revoke API tokens (scoped to tenants, read or operate)',
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(
      ctx.argv,
      { name: { type: 'string' }, tenant: { type: 'string' }, 'all-tenants': { type: 'boolean' }, scope: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
      true,
    );
    const [action, target] = positionals;
    if (action !== 'create' && action !== 'list' && action !== 'revoke') throw new UsageError('say what to do: tidemark token create|list|revoke');
    const { config } = await loadConfig(values.config, ctx.env);
    let tenants: string[] = [];
    let scope: TokenScope = 'read';
    if (action === 'create') {
      if (!values.name) throw new UsageError('name the token: --name dashboard');
      if (values['all-tenants'] === (values.tenant !== undefined)) throw new UsageError('give --tenant ID[,ID…] or --all-tenants');
      tenants = values['all-tenants'] ? ['*'] : values.tenant!.split(',').map((t) => t.trim());
      const known = config.tenants.map((t) => t.id);
      const unknown = tenants.filter((t) => t !== '*' && !known.includes(t));
      if (unknown.length > 0) throw new UsageError(`no tenant ${unknown.map((t) => `"${t}"`).join(', ')}; configured: ${known.map((t) => `"${t}"`).join(', ')}`);
      if (values.scope !== undefined && !(TOKEN_SCOPES as readonly string[]).includes(values.scope)) throw new UsageError(`--scope is read or operate; received "${values.scope}"`);
      scope = (values.scope as TokenScope | undefined) ?? 'read';
    }
    if (action === 'revoke' && !target) throw new UsageError('name the token: tidemark token revoke <id-or-name>');
    const ledger = await openLedger(config, ctx.env);
    try {
      const store = new TokenStore(ledger.db, config.controlPlane.schema);
      if (action === 'create') {
        const { record, token } = await store.create(values.name!, tenants, scope);
        if (values.json) ctx.stdout.write(`${JSON.stringify({ id: record.id, name: record.name, tenants: record.tenants, scope: record.scope, token })}\n`);
        else ctx.stdout.write(`token ${record.id} "${record.name}" (${record.scope}, tenants ${record.tenants.join(', ')}):\n${token}\nStore it now: it is not shown again.\n`);
        return EXIT.ok;
      }
      if (action === 'revoke') {
        if (!(await store.revoke(target!))) {
          ctx.stderr.write(`tidemark token: no live token "${target}"\n`);
          return EXIT.failed;
        }
        ctx.stdout.write(`token ${target} revoked\n`);
        return EXIT.ok;
      }
      const list = await store.list();
      if (values.json) ctx.stdout.write(`${JSON.stringify(list)}\n`);
      else if (list.length === 0) ctx.stdout.write('no tokens; create one with tidemark token create --name NAME --tenant ID\n');
      else {
        for (const t of list) {
          const state = t.revokedAt ? `revoked ${t.revokedAt.toISOString()}` : t.lastUsedAt ? `last used ${t.lastUsedAt.toISOString()}` : 'never used';
          ctx.stdout.write(`${t.id}  ${t.name}  ${t.scope}  tenants ${t.tenants.join(', ')}  created ${t.createdAt.toISOString()}  ${state}\n`);
        }
      }
      return EXIT.ok;
    } finally {
      await ledger.db.close();
    }
  },
};
