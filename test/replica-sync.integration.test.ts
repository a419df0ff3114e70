/**
 * Issue 7, point 5: sites syncing with a real server (Postgres) over HTTP, SQLite files on the
 * site: three days offline with more mutations than one push holds, two sites editing one row,
 * a site clock a day wrong, a business-date sweep across DST changes on both sides, 1,000 writes
 * from 5 sites at once, and the sync loop (debounce, retry by itself, single flight).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startReplicaServer, type TestSite } from './helpers/replica-server.ts';
import { SyncLoop } from '../src/replica/site/sync-loop.ts';


/** A clock the test moves. */
function clock(start: string) {
  let now = new Date(start).getTime();
  return { now: () => new Date(now), set: (iso: string) => (now = new Date(iso).getTime()), advance: (ms: number) => (now += ms) };
}

/** A fetch that can be switched off (the site's network down) and counts push/pull requests. */
function switchableFetch() {
  const state = { down: false, pushes: 0, pulls: 0, mutationsPerPush: [] as number[], delayMs: 0 };
  const fetcher: typeof fetch = async (input, init) => {
    if (state.down) throw new TypeError('fetch failed (network down)');
    const url = String(input);
    if (url.endsWith('/push')) {
      state.pushes += 1;
      state.mutationsPerPush.push((JSON.parse(String(init?.body)) as { mutations: unknown[] }).mutations.length);
    } else state.pulls += 1;
    if (state.delayMs) await new Promise((r) => setTimeout(r, state.delayMs));
    return fetch(input, init);
  };
  return { state, fetcher };
}

const tasks = (s: TestSite) => s.site.list('audit_tasks');

test('three days offline with more mutations than one push holds: everything arrives once, in order, in several pushes', async () => {
  const server = await startReplicaServer({ replica: { pushMaxMutations: 100, pullPageSize: 150 } });
  try {
    const time = clock('2026-11-23T12:00:00Z');
    const net = switchableFetch();
    const a = await server.openSite('site-a', { now: time.now, client: { fetch: net.fetcher, pushBatch: 100 } });
    await a.client.sync(); // learns the zone
    net.state.down = true;
    // Three days at the site with no network: 120 tasks a day, each created, noted and every third completed.
    for (let day = 0; day < 3; day++) {
      time.set(`2026-11-${23 + day}T13:00:00Z`);
      for (let i = 0; i < 120; i++) {
        const id = `d${day}-t${i}`;
        await a.site.mutate('createTask', { id, title: `check ${i}` });
        await a.site.mutate('editNote', { id, note: `day ${day}` });
        if (i % 3 === 0) await a.site.mutate('completeTask', { id });
        time.advance(60_000);
      }
    }
    const written = 3 * (120 * 2 + 40);
    assert.equal(a.site.pendingCount(), written);
    await assert.rejects(a.client.sync(), /cannot reach/);
    assert.equal(a.site.pendingCount(), written, 'nothing is lost while offline');

    net.state.down = false;
    const round = await a.client.sync();
    assert.equal(round.pushed, written);
    assert.equal(round.rejected, 0);
    assert.deepEqual(net.state.mutationsPerPush.slice(-9), [100, 100, 100, 100, 100, 100, 100, 100, 40], 'nine pushes of at most 100');
    assert.equal(a.site.pendingCount(), 0);

    const recorded = await server.rows<{ n: string; first: string; last: string; applied: string }>(
      `SELECT count(*) AS n, min(mutation_id) AS first, max(mutation_id) AS last, count(*) FILTER (WHERE status = 'applied') AS applied FROM {{schema}}.replica_mutations WHERE client_id = 'site-a'`,
    );
    assert.deepEqual(recorded[0], { n: String(written), first: '1', last: String(written), applied: String(written) });
    // Applied in the site's order: versions rise with mutation ids.
    const disorder = await server.rows<{ n: string }>(
      `SELECT count(*) AS n FROM (SELECT version < lag(version) OVER (ORDER BY mutation_id) AS back FROM {{schema}}.replica_mutations WHERE client_id = 'site-a') x WHERE back`,
    );
    assert.equal(disorder[0]!.n, '0');
    const byDay = await server.rows<{ done_on: string; n: string }>(
      `SELECT row->>'done_on' AS done_on, count(*) AS n FROM {{schema}}.replica_rows WHERE table_name = 'audit_tasks' AND row->>'done_on' IS NOT NULL GROUP BY 1 ORDER BY 1`,
    );
    assert.deepEqual(byDay, [
      { done_on: '2026-11-23', n: '40' },
      { done_on: '2026-11-24', n: '40' },
      { done_on: '2026-11-25', n: '40' },
    ], 'each completion keeps the business date of the day it was done offline');

    // A new site pulls all 360 tasks in pages of 150.
    const b = await server.openSite('site-b');
    const pulled = await b.client.sync();
    assert.equal(pulled.pages, 3);
    assert.equal(tasks(b).length, 360);
    assert.deepEqual(tasks(b), tasks(a), 'both sites hold exactly the server rows');
  } finally {
    await server.close();
  }
});

test('two sites editing the same row converge to the order the server applied them in', async () => {
  const server = await startReplicaServer();
  try {
    const a = await server.openSite('site-a');
    const b = await server.openSite('site-b');
    await a.site.mutate('createTask', { id: 'pump', title: 'pump' });
    await a.client.sync();
    await b.client.sync();
    // Both edit offline; B reaches the server first, A second: A's edit is the later one.
    await a.site.mutate('editNote', { id: 'pump', note: 'from A' });
    await b.site.mutate('editNote', { id: 'pump', note: 'from B' });
    await b.client.sync();
    await a.client.sync();
    await b.client.sync();
    assert.equal(a.site.get('audit_tasks', { id: 'pump' })!.note, 'from A');
    assert.equal(b.site.get('audit_tasks', { id: 'pump' })!.note, 'from A', "B's local edit is replaced by the server's order");
    // Both complete it: the first completion in the server's order wins, the other is rejected and consumed.
    await a.site.mutate('completeTask', { id: 'pump' });
    await b.site.mutate('completeTask', { id: 'pump' });
    await a.client.sync();
    const second = await b.client.sync();
    assert.equal(second.rejected, 1);
    await a.client.sync();
    for (const site of [a, b]) {
      const row = site.site.get('audit_tasks', { id: 'pump' })!;
      assert.equal(row.done_by, 'site-a', `${site.site.clientId} shows the completion the server kept`);
    }
    assert.match(b.site.rejected()[0]!.error!, /already completed by site-a/);
    const server_row = await server.rows<{ row: Record<string, unknown> }>(`SELECT row FROM {{schema}}.replica_rows WHERE row_key = '["pump"]'`);
    assert.deepEqual(server_row[0]!.row, a.site.get('audit_tasks', { id: 'pump' }));
  } finally {
    await server.close();
  }
});

test("a site clock set a day wrong changes no ordering: the server's order decides, not the sites' timestamps", async () => {
  const server = await startReplicaServer();
  try {
    const ahead = clock('2026-11-26T15:00:00Z'); // a day fast
    const a = await server.openSite('site-a', { now: ahead.now });
    const b = await server.openSite('site-b'); // correct clock: 2026-11-25
    await b.site.mutate('createTask', { id: 'valve', title: 'valve' });
    await b.client.sync();
    await a.client.sync();
    // A (clock a day ahead) edits first and reaches the server first; B edits later.
    await a.site.mutate('editNote', { id: 'valve', note: 'A, stamped tomorrow' });
    await a.client.sync();
    await b.site.mutate('editNote', { id: 'valve', note: 'B, stamped today' });
    await b.client.sync();
    await a.client.sync();
    assert.equal(a.site.get('audit_tasks', { id: 'valve' })!.note, 'B, stamped today', "B's edit came later to the server, so it wins despite A's later timestamp");
    assert.equal(b.site.get('audit_tasks', { id: 'valve' })!.note, 'B, stamped today');
    const rows = await server.rows<{ client_id: string; version: string; client_created_at: Date }>(
      `SELECT client_id, version, client_created_at FROM {{schema}}.replica_mutations WHERE name = 'editNote' ORDER BY version`,
    );
    assert.deepEqual(rows.map((r) => r.client_id), ['site-a', 'site-b'], 'versions follow arrival');
    assert.ok(rows[0]!.client_created_at > rows[1]!.client_created_at, "the sites' own timestamps say the opposite, and are only kept for the record");
  } finally {
    await server.close();
  }
});

for (const zone of ['America/New_York', 'Australia/Lord_Howe']) {
  test(`a business-date sweep across the DST changes agrees on both sides (${zone})`, async () => {
    const server = await startReplicaServer({ timezone: zone, replica: { pushMaxMutations: 1000 } });
    try {
      const time = clock('2026-01-01T00:00:00Z');
      const site = await server.openSite('site-a', { now: time.now });
      await site.client.sync();
      assert.equal(site.site.timezone, zone, 'the zone comes from the server');
      // Every 20 minutes across three days around each of 2026's DST changes in that zone.
      const starts = zone === 'America/New_York' ? ['2026-03-07T00:00:00Z', '2026-10-31T00:00:00Z'] : ['2026-04-03T00:00:00Z', '2026-10-02T00:00:00Z'];
      let n = 0;
      for (const start of starts) {
        time.set(start);
        for (let i = 0; i < 3 * 72; i++, n++) {
          await site.site.mutate('recordReading', { id: `r${n}`, taskId: 'sweep', value: i });
          time.advance(20 * 60_000);
        }
      }
      await site.client.sync();
      const disagree = await server.rows<{ n: string; total: string }>(
        `SELECT count(*) FILTER (WHERE client_business_date <> server_business_date OR client_business_date <> (client_created_at AT TIME ZONE $1)::date) AS n, count(*) AS total
         FROM {{schema}}.replica_mutations`,
        [zone],
      );
      assert.deepEqual(disagree[0], { n: '0', total: String(n) }, 'site, server and Postgres AT TIME ZONE give the same date for every instant');
      const readings = site.site.list('readings');
      const mismatched = await server.rows<{ n: string }>(
        `SELECT count(*) AS n FROM {{schema}}.replica_rows WHERE table_name = 'readings' AND row->>'business_date' <> ((row->>'taken_at')::timestamptz AT TIME ZONE $1)::date::text`,
        [zone],
      );
      assert.equal(mismatched[0]!.n, '0');
      assert.equal(readings.length, n);
    } finally {
      await server.close();
    }
  });
}

test('1,000 writes from 5 sites at once, each syncing by its own loop: nothing lost, nothing doubled', async () => {
  const server = await startReplicaServer({ replica: { pullPageSize: 400 } });
  const loops: SyncLoop[] = [];
  try {
    const sites = await Promise.all([1, 2, 3, 4, 5].map((i) => server.openSite(`site-${i}`)));
    for (const s of sites) {
      const loop = new SyncLoop(s.site, s.client, { debounceMs: 5, intervalMs: 60_000, backoffInitialMs: 20, backoffMaxMs: 200 });
      loops.push(loop);
      await loop.start();
    }
    // Each site writes 200 readings as fast as it can while its loop pushes behind it.
    await Promise.all(
      sites.map(async (s, i) => {
        for (let k = 0; k < 200; k++) {
          await s.site.mutate('recordReading', { id: `s${i + 1}-${k}`, taskId: `site-${i + 1}`, value: k });
          if (k % 25 === 0) await new Promise((r) => setImmediate(r));
        }
      }),
    );
    // Let every loop drain (a final request each; they may already be done).
    await Promise.all(loops.map((loop) => loop.requestSync('test')));
    await Promise.all(loops.map((loop) => loop.requestSync('test: pull what the others pushed')));
    for (const loop of loops) assert.equal(loop.status().pending, 0);

    const totals = await server.rows<{ mutations: string; applied: string; rows: string; distinct_rows: string }>(
      `SELECT (SELECT count(*) FROM {{schema}}.replica_mutations) AS mutations,
              (SELECT count(*) FROM {{schema}}.replica_mutations WHERE status = 'applied') AS applied,
              (SELECT count(*) FROM {{schema}}.replica_rows WHERE table_name = 'readings') AS rows,
              (SELECT count(DISTINCT row->>'id') FROM {{schema}}.replica_rows WHERE table_name = 'readings') AS distinct_rows`,
    );
    assert.deepEqual(totals[0], { mutations: '1000', applied: '1000', rows: '1000', distinct_rows: '1000' });
    const lmids = await server.rows<{ client_id: string; last_mutation_id: string }>(`SELECT client_id, last_mutation_id FROM {{schema}}.replica_clients ORDER BY client_id`);
    assert.deepEqual(lmids.map((r) => r.last_mutation_id), ['200', '200', '200', '200', '200']);
    const versions = await server.rows<{ n: string; distinct_versions: string }>(`SELECT count(*) AS n, count(DISTINCT version) AS distinct_versions FROM {{schema}}.replica_mutations`);
    assert.equal(versions[0]!.distinct_versions, '1000', 'one version per mutation: a total order');
    for (const s of sites) assert.equal(s.site.list('readings').length, 1000, `${s.site.clientId} holds all 1,000 readings`);
  } finally {
    await Promise.all(loops.map((loop) => loop.stop()));
    await server.close();
  }
});

test('the sync loop pushes soon after writes (debounced), retries a failed round by itself with growing waits, and runs one round at a time', async () => {
  const server = await startReplicaServer();
  let loop: SyncLoop | undefined;
  try {
    const net = switchableFetch();
    const s = await server.openSite('site-a', { client: { fetch: net.fetcher } });
    const outcomes: { ok: boolean; reason: string; retryInMs?: number }[] = [];
    loop = new SyncLoop(s.site, s.client, {
      debounceMs: 50,
      intervalMs: 3_600_000,
      backoffInitialMs: 100,
      backoffMaxMs: 2_000,
      offlineRetryMaxMs: 2_000,
      onRound: (o) => outcomes.push('error' in o ? { ok: false, reason: o.reason, retryInMs: o.retryInMs } : { ok: true, reason: o.reason }),
    });
    await loop.start();
    assert.equal(net.state.pushes, 0, 'nothing to push at start');
    // Ten quick writes: one push carries them all.
    for (let i = 0; i < 10; i++) await s.site.mutate('createTask', { id: `t${i}`, title: `t${i}` });
    await waitFor(() => s.site.pendingCount() === 0 && !loop!.status().state.startsWith('sync'));
    assert.deepEqual(net.state.mutationsPerPush, [10]);
    assert.deepEqual(outcomes.map((o) => o.reason), ['start', 'write']);

    // The network goes down: the write's round fails and the loop retries by itself, waiting longer each time.
    net.state.down = true;
    await s.site.mutate('createTask', { id: 'late', title: 'late' });
    await waitFor(() => outcomes.filter((o) => !o.ok).length >= 3);
    const waits = outcomes.filter((o) => !o.ok).map((o) => o.retryInMs!);
    assert.ok(waits[1]! >= waits[0]! && waits[2]! >= waits[1]!, `backoff grows: ${waits.join(', ')} ms`);
    assert.equal(loop.status().state === 'syncing' ? 'offline' : loop.status().state, 'offline');
    assert.equal(loop.status().pending, 1);
    assert.ok(loop.status().nextRetryAt, 'the next retry is scheduled');
    net.state.down = false;
    await waitFor(() => s.site.pendingCount() === 0);
    assert.equal(outcomes.at(-1)!.reason, 'retry', 'the scheduled retry delivered it, nobody pressed sync');
    const late = await server.rows(`SELECT 1 FROM {{schema}}.replica_rows WHERE row_key = '["late"]'`);
    assert.equal(late.length, 1);

    // Single flight: five requests during a slow round give exactly one more round.
    net.state.delayMs = 300;
    const before = outcomes.length;
    const first = loop.requestSync('manual');
    const more = [1, 2, 3, 4, 5].map((i) => loop!.requestSync(`manual ${i}`));
    await Promise.all([first, ...more]);
    assert.equal(outcomes.length - before, 2, 'the round in flight plus one rerun');
  } finally {
    await loop?.stop();
    await server.close();
  }
});

async function waitFor(check: () => boolean, timeoutMs = 20_000): Promise<void> {
  const until = Date.now() + timeoutMs;
  while (!check()) {
    if (Date.now() > until) throw new Error('timed out waiting');
    await new Promise((r) => setTimeout(r, 20));
  }
}

