/** `tidemark demo` (npm start): the first syncs, then live schedules and the dashboard with a token. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startCli } from './helpers/cli.ts';

interface Line {
  readonly dashboard?: string;
  readonly token?: string;
  readonly runs?: readonly { readonly status: string }[];
}

test('the demo syncs, then serves the dashboard and an API token, and stops cleanly on SIGTERM', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-demo-'));
  const demo = startCli(['demo', '--dir', dir, '--api-port', '0', '--json']);
  let stdout = '';
  demo.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  try {
    const deadline = Date.now() + 90_000;
    let live: Line | undefined;
    while (!live && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 250));
      live = stdout
        .split('\n')
        .filter((l) => l.startsWith('{'))
        .map((l) => JSON.parse(l) as Line)
        .find((l) => l.dashboard);
    }
    assert.ok(live?.dashboard && live.token, `the demo printed a dashboard URL and a token:\n${stdout}`);
    const first = JSON.parse(stdout.split('\n')[0]!) as Line;
    assert.deepEqual(first.runs?.map((r) => r.status), ['succeeded', 'succeeded', 'succeeded']);

    const page = await fetch(live.dashboard);
    assert.equal(page.status, 200, 'the dashboard is served');
    assert.match(await page.text(), /Tidemark/);
    const unauthorized = await fetch(`${live.dashboard}api/v1/tenants/acme/status`);
    assert.equal(unauthorized.status, 401);
    // The live schedules: every sync of the three tenants has run within a minute.
    let tenants: { syncs: { syncId: string; lastSuccessAt: string | null }[] }[] = [];
    while (Date.now() < deadline) {
      tenants = await Promise.all(
        ['acme', 'tverskaya', 'harbour'].map(async (t) => {
          const answer = await fetch(`${live.dashboard}api/v1/tenants/${t}/status`, { headers: { authorization: `Bearer ${live.token}` } });
          assert.equal(answer.status, 200);
          return (await answer.json()) as { syncs: { syncId: string; lastSuccessAt: string | null }[] };
        }),
      );
      if (tenants.every((t) => t.syncs.every((s) => s.lastSuccessAt !== null))) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const synced = tenants.flatMap((t) => t.syncs.filter((s) => s.lastSuccessAt !== null).map((s) => s.syncId)).sort();
    assert.deepEqual(synced, ['acme-shifts', 'acme-users', 'harbour-appointments', 'harbour-practitioners', 'tverskaya-schedules', 'tverskaya-staff']);
  } finally {
    demo.child.kill('SIGTERM');
  }
  const done = await demo.done;
  assert.equal(done.code, 0, done.stderr);
});
