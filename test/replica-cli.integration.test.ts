/**
 * Issue 7: `tidemark replica` (site credentials) and `tidemark serve` with a replica, as a user runs
 * them: a config file whose replica module is relative to it, the credential printed once and
 * working against the served push route, list, revoke (then 401), and clear errors.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdirSync, writeFileSync } from 'node:fs';
import { dirname, join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { freshSchema, PG_URL } from './helpers/postgres.ts';
import { runCli, startCli, writeConfig } from './helpers/cli.ts';

const EXAMPLE = fileURLToPath(new URL('../examples/audit-site/replica.ts', import.meta.url));

test('replica client add prints a credential once; it pushes through tidemark serve; list and revoke; errors name the fix', async () => {
  const control = await freshSchema('replcli');
  const configPath = writeConfig({
    controlPlane: { url: PG_URL, schema: control.schema },
    tenants: [{ id: 'maint', name: 'Maintenance', timezone: 'America/Chicago' }],
    destinations: [{ id: 'none', url: PG_URL, schema: control.schema }],
    replicas: [{ id: 'audits', tenant: 'maint', module: 'replica/audits.ts' }],
  });
  // The module path is relative to the config file, wherever the command runs from.
  mkdirSync(join(dirname(configPath), 'replica'));
  writeFileSync(join(dirname(configPath), 'replica', 'audits.ts'), `export { default } from ${JSON.stringify(EXAMPLE)};\n`);
  const cfg = ['--config', configPath];
  let serve: ReturnType<typeof startCli> | undefined;
  try {
    const added = await runCli(['replica', 'client', 'add', 'audits', 'depot-7', '--json', ...cfg]);
    assert.equal(added.code, 0, added.stderr);
    const { token } = JSON.parse(added.stdout) as { token: string };
    assert.match(token, /^tmr_[A-Za-z0-9_-]{40,}$/);
    const again = await runCli(['replica', 'client', 'add', 'audits', 'depot-7', ...cfg]);
    assert.equal(again.code, 1);
    assert.match(again.stderr, /exists; revoke it first/);

    serve = startCli(['serve', '--port', '0', ...cfg]);
    let url = '';
    let said = '';
    serve.child.stderr!.on('data', (chunk: Buffer) => {
      said += chunk.toString();
      const match = /on (http:\/\/[\d.:]+)\//.exec(said);
      if (match) url = match[1]!;
    });
    for (let i = 0; i < 600 && !url; i++) await new Promise((r) => setTimeout(r, 50));
    assert.ok(url, `serve printed its address: ${said}`);
    const push = (bearer: string) =>
      fetch(`${url}/api/v1/replica/push`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${bearer}` },
        body: JSON.stringify({ protocol: 1, schemaVersion: 1, clientId: 'depot-7', mutations: [{ id: 1, name: 'createTask', args: { id: 't1', title: 'pump' }, createdAt: '2026-11-25T05:30:00Z', businessDate: '2026-11-24' }] }),
      });
    const ok = await push(token);
    assert.equal(ok.status, 200);
    const body = (await ok.json()) as { lastMutationId: number; results: { status: string }[]; timezone: string };
    assert.deepEqual([body.lastMutationId, body.results[0]!.status, body.timezone], [1, 'applied', 'America/Chicago']);

    const listed = await runCli(['replica', 'client', 'list', ...cfg]);
    assert.equal(listed.code, 0, listed.stderr);
    assert.match(listed.stdout, /^audits {2}depot-7 {2}last mutation 1 {2}added \S+ {2}last seen \S+$/m);
    assert.ok(!listed.stdout.includes(token), 'the credential is never shown again');

    const revoked = await runCli(['replica', 'client', 'revoke', 'audits', 'depot-7', ...cfg]);
    assert.equal(revoked.code, 0, revoked.stderr);
    assert.equal((await push(token)).status, 401, 'a revoked credential stops working at once');
    assert.equal((await runCli(['replica', 'client', 'revoke', 'audits', 'depot-7', ...cfg])).code, 1);

    const unknown = await runCli(['replica', 'client', 'add', 'nope', 'x', ...cfg]);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /no replica "nope"; configured: "audits"/);
    const usage = await runCli(['replica', 'client', 'add', 'audits', ...cfg]);
    assert.equal(usage.code, 2);
    assert.match(usage.stderr, /name the replica and the site/);
    const pruned = await runCli(['replica', 'prune', ...cfg]);
    assert.equal(pruned.code, 0, pruned.stderr);
    assert.match(pruned.stdout, /replica audits: 0 tombstone\(s\) and 0 mutation record\(s\) dropped/);
  } finally {
    serve?.child.kill('SIGTERM');
    await serve?.done;
    await control.drop();
  }
});

test('a replica whose module is missing, or whose tenant is unknown, is a configuration error naming the setting', async () => {
  const control = await freshSchema('replcli');
  try {
    const base = {
      controlPlane: { url: PG_URL, schema: control.schema },
      tenants: [{ id: 'maint', name: 'Maintenance', timezone: 'America/Chicago' }],
      destinations: [{ id: 'none', url: PG_URL, schema: control.schema }],
    };
    const badTenant = await runCli(['replica', 'client', 'list', '--config', writeConfig({ ...base, replicas: [{ id: 'audits', tenant: 'nobody', module: relative('/', EXAMPLE) }] })]);
    assert.equal(badTenant.code, 2);
    assert.match(badTenant.stderr, /replicas\[0\]\.tenant: no tenant "nobody"; configured: "maint"/);
    const missingConfig = writeConfig({ ...base, replicas: [{ id: 'audits', tenant: 'maint', module: './missing.ts' }] });
    const missing = await runCli(['replica', 'prune', '--config', missingConfig]);
    assert.equal(missing.code, 2);
    assert.match(missing.stderr, /replicas\[0\]\.module: cannot load \S+missing\.ts/);
    const doctor = await runCli(['doctor', '--config', missingConfig]);
    assert.equal(doctor.code, 1);
    assert.match(doctor.stdout, /✗ replica audits: cannot load \S+missing\.ts[^\n]*\n {4}fix: fix replicas\[\]\.module of "audits"/);
    const good = await runCli(['doctor', '--config', writeConfig({ ...base, replicas: [{ id: 'audits', tenant: 'maint', module: EXAMPLE }] })]);
    assert.match(good.stdout, /✓ replica audits: schema version 1, tables audit_tasks, readings, 5 mutator\(s\); sites' business timezone America\/Chicago/);
  } finally {
    await control.drop();
  }
});
