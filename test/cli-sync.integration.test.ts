/**
 * `tidemark sync` as a process: exit codes, --json, errors that name the tenant and connection
 * without the secret, and a run killed with SIGKILL that resumes from its checkpoint.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { addDays, todayIn } from '../src/time/business-day.ts';
import { freshSchema, pgRows } from './helpers/postgres.ts';
import { acmeConfig, runCli, startCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift } from './helpers/shifts.ts';



test('sync --json prints one summary; migrate then sync; exit code 0', async () => {
  const simulator = await startConnecteamSimulator({ dataset: dataset([shift(101, '2026-11-10T08:00', '2026-11-10T12:00'), shift(101, '2026-11-10T14:00', '2026-11-10T18:00')]), rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const config = writeConfig(acmeConfig(simulator.url, control.schema, dest.schema));
    const env = { ACME_CT_KEY: simulator.apiKey };
    const migrated = await runCli(['migrate', '--config', config], env);
    assert.equal(migrated.code, 0, migrated.stderr);
    assert.match(migrated.stdout, /created .*connecteam_shifts \(sync acme-shifts\)/);

    const result = await runCli(['sync', 'acme-shifts', '--from', '2026-11-10', '--to', '2026-11-11', '--json', '--config', config], env);
    assert.equal(result.code, 0, result.stderr);
    const summary = JSON.parse(result.stdout) as { status: string; counts: Record<string, number>; window: { from: string; to: string; timezone: string } };
    assert.equal(summary.status, 'succeeded');
    assert.deepEqual(summary.counts, { fetched: 2, created: 2, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
    assert.deepEqual(summary.window, { from: '2026-11-10', to: '2026-11-11', timezone: 'America/Chicago' });
    const rows = await pgRows<{ n: number }>(`SELECT count(*)::int AS n FROM "${dest.schema}".connecteam_shifts`);
    assert.equal(rows[0]!.n, 2);

    const users = await runCli(['sync', 'acme-users', '--config', config], env);
    assert.equal(users.code, 0, users.stderr);
    assert.match(users.stdout, /fetched 2 = created 2 \+ updated 0 \+ unchanged 0 \+ dead 0; deleted 0/);
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('--window NAME runs one of the sync\'s named windows in the tenant\'s zone; an unknown name exits 2 naming the known ones', async () => {
  const simulator = await startConnecteamSimulator({ dataset: dataset([]), rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const base = acmeConfig(simulator.url, control.schema, dest.schema);
    const config = writeConfig({ ...base, syncs: base.syncs.map((s) => (s.id === 'acme-shifts' ? { ...s, windows: { today: { futureDays: 1 }, week: { pastDays: 7 } } } : s)) });
    const env = { ACME_CT_KEY: simulator.apiKey };
    const result = await runCli(['sync', 'acme-shifts', '--window', 'today', '--json', '--config', config], env);
    assert.equal(result.code, 0, result.stderr);
    const today = todayIn('America/Chicago');
    assert.deepEqual((JSON.parse(result.stdout) as { window: unknown }).window, { from: today, to: addDays(today, 2), timezone: 'America/Chicago' });

    const unknown = await runCli(['sync', 'acme-shifts', '--window', 'full', '--config', config], env);
    assert.equal(unknown.code, 2);
    assert.match(unknown.stderr, /syncs\[0\]\.windows: sync "acme-shifts" has no window "full"; configured: "today", "week"/);
    const both = await runCli(['sync', 'acme-shifts', '--window', 'today', '--today', '--config', config], env);
    assert.equal(both.code, 2);
    assert.match(both.stderr, /use one of --today, --window NAME or --from\/--to/);
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('bad usage and bad configuration exit 2 with the reason', async () => {
  const none = await runCli(['sync']);
  assert.equal(none.code, 2);
  assert.match(none.stderr, /name exactly one sync/);
  const unknown = await runCli(['frobnicate']);
  assert.equal(unknown.code, 2);
  assert.match(unknown.stderr, /unknown command "frobnicate"/);

  const config = writeConfig({ tenants: [{ id: 'acme', name: 'Acme', timezone: 'Central' }], destinations: [{ id: 'w', url: 'pglite:memory' }] });
  const bad = await runCli(['sync', 'x', '--config', config]);
  assert.equal(bad.code, 2);
  assert.match(bad.stderr, /tenants\[0\]\.timezone: expected an IANA timezone such as "America\/Chicago"; received "Central"/);

  const badWindow = writeConfig(acmeConfig('http://127.0.0.1:9', 'a', 'b'));
  const half = await runCli(['sync', 'acme-shifts', '--from', '2026-11-10', '--config', badWindow], { ACME_CT_KEY: 'k' });
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--from and --to go together/);
});

test('a rejected API key fails the run at once (exit 1), naming tenant and connection, never the key', async () => {
  const simulator = await startConnecteamSimulator({ dataset: dataset([]), rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const config = writeConfig(acmeConfig(simulator.url, control.schema, dest.schema));
    const secret = 'wrong-key-5f3a9c';
    const result = await runCli(['sync', 'acme-shifts', '--today', '--config', config], { ACME_CT_KEY: secret });
    assert.equal(result.code, 1, result.stdout + result.stderr);
    assert.match(result.stdout, /tenant "acme", connection "acme-connecteam"/);
    assert.match(result.stdout, /401/);
    assert.match(result.stdout, /ACME_CT_KEY/);
    assert.ok(!(result.stdout + result.stderr).includes(secret), 'the key never appears in output');
    assert.equal(simulator.stats.requests, 1, 'a 401 is not retried');
    const runs = await pgRows<{ status: string; error: string }>(`SELECT status, error FROM "${control.schema}".runs`);
    assert.equal(runs[0]!.status, 'failed');
    assert.ok(!runs[0]!.error.includes(secret));
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('a run killed with SIGKILL mid-way resumes from its checkpoint: no duplicate, no loss, exact counts', async () => {
  // 400 days × 2 shifts, read in 92-day chunks with latency, merged 25 at a time: many checkpoints.
  const shifts = [];
  for (let day = 0; day < 400; day++) {
    const date = addDays('2025-06-01', day);
    shifts.push(shift(101, `${date}T08:00`, `${date}T12:00`), shift(102, `${date}T14:00`, `${date}T18:00`));
  }
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false, faults: { latencyMs: 400 } });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const config = writeConfig(acmeConfig(simulator.url, control.schema, dest.schema, 25));
    const env = { ACME_CT_KEY: simulator.apiKey };
    const args = ['sync', 'acme-shifts', '--from', '2025-06-01', '--to', addDays('2025-06-01', 400), '--json', '--config', config];
    const first = startCli(args, env);
    // Wait until some batches are committed and checkpointed, then kill without warning.
    let fetched = 0;
    for (let i = 0; i < 200 && fetched < 150; i++) {
      await new Promise((r) => setTimeout(r, 50));
      const rows = await pgRows<{ fetched: number }>(`SELECT fetched FROM "${control.schema}".runs WHERE status = 'running'`).catch(() => []);
      fetched = rows[0]?.fetched ?? 0;
    }
    assert.ok(fetched >= 150, `the run checkpointed before the kill (fetched ${fetched})`);
    first.child.kill('SIGKILL');
    const killed = await first.done;
    assert.equal(killed.signal, 'SIGKILL');
    const left = await pgRows<{ status: string; n: number }>(`SELECT r.status, (SELECT count(*)::int FROM "${dest.schema}".connecteam_shifts) AS n FROM "${control.schema}".runs r`);
    assert.equal(left[0]!.status, 'running', 'the killed run is still marked running');
    assert.ok(left[0]!.n > 0 && left[0]!.n < 800, `part of the data landed (${left[0]!.n})`);

    simulator.faults.latencyMs = 0;
    const second = await runCli(args, env);
    assert.equal(second.code, 0, second.stderr);
    const summary = JSON.parse(second.stdout) as { runId: string; resumed: boolean; counts: { fetched: number; created: number; updated: number; unchanged: number; deleted: number; dead: number } };
    assert.equal(summary.resumed, true);
    assert.equal(summary.counts.fetched, 800, 'every shift counted exactly once across the kill');
    assert.equal(summary.counts.created + summary.counts.unchanged, 800);
    assert.equal(summary.counts.dead + summary.counts.updated + summary.counts.deleted, 0);

    const rows = await pgRows<{ n: number; distinct_ids: number }>(`SELECT count(*)::int AS n, count(DISTINCT shift_id)::int AS distinct_ids FROM "${dest.schema}".connecteam_shifts`);
    assert.deepEqual(rows[0], { n: 800, distinct_ids: 800 });
    const ids = new Set((await pgRows<{ shift_id: string }>(`SELECT shift_id FROM "${dest.schema}".connecteam_shifts`)).map((r) => r.shift_id));
    assert.ok(shifts.every((s) => ids.has(s.id)), 'no shift lost');
    const runs = await pgRows<{ id: string; status: string; resumed_from: string | null }>(
      `SELECT id::text, status, resumed_from::text FROM "${control.schema}".runs ORDER BY id`,
    );
    assert.equal(runs.length, 2);
    assert.deepEqual(runs[0], { id: runs[0]!.id, status: 'failed', resumed_from: null }, 'the killed run is marked failed, not left running');
    assert.deepEqual(runs[1], { id: summary.runId, status: 'succeeded', resumed_from: runs[0]!.id }, 'the next run continued it');
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});
