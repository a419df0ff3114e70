/**
 * Issue 7 ("every local write reaches the server exactly once"): the replica protocol end to end,
 * on real Postgres (a fresh control schema per test) and real SQLite site files, over HTTP.
 * Replays, lost answers, gaps, poison mutations, credentials, paging, resets, restores, the time.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { TokenStore } from '../src/api/tokens.ts';
import type { ReplicaRow } from '../src/replica/definition.ts';
import { pullResponseSchema, type PullResponse } from '../src/replica/protocol.ts';
import type { SiteReplica } from '../src/replica/site/site-replica.ts';
import { ReplicaSyncError } from '../src/replica/site/sync-client.ts';
import { startReplicaServer, type ReplicaTestServer } from './helpers/replica-server.ts';

type Json = Record<string, unknown>;
type Path = 'push' | 'pull';

interface Exchange {
  readonly path: Path;
  readonly request: Json;
  readonly status: number;
  readonly body: Json;
}

/** A mutation as a site sends it; 15:00Z on 2026-03-10 is 11:00 that day in New York (the server's zone). */
const mutation = (id: number, name: string, args: Json) => ({ id, name, args, createdAt: '2026-03-10T15:00:00.000Z', businessDate: '2026-03-10' });
const pushBody = (clientId: string, mutations: unknown[], extra: Json = {}) => ({ protocol: 1, schemaVersion: 1, clientId, mutations, ...extra });
const pullBody = (clientId: string, cookie: string | null, extra: Json = {}) => ({ protocol: 1, schemaVersion: 1, clientId, cookie, ...extra });

/** One raw request to the server, as any HTTP client would send it. */
async function call(server: ReplicaTestServer, path: Path, token: string | null, body: unknown): Promise<{ status: number; body: Json }> {
  const response = await fetch(`${server.url}/api/v1/replica/${path}`, {
    method: 'POST',
    headers: { 'content-type': 'application/json', ...(token === null ? {} : { authorization: `Bearer ${token}` }) },
    body: JSON.stringify(body),
  });
  const text = await response.text();
  return { status: response.status, body: (text ? JSON.parse(text) : null) as Json };
}

/** A fetch for a sync client that records every exchange (request body, status, answer body). */
function recordingFetch(log: Exchange[]): typeof fetch {
  return async (input, init) => {
    const response = await fetch(input, init);
    const text = await response.clone().text();
    const path: Path = String(input instanceof Request ? input.url : input).endsWith('/push') ? 'push' : 'pull';
    log.push({ path, request: JSON.parse(String(init?.body ?? 'null')) as Json, status: response.status, body: (text ? JSON.parse(text) : null) as Json });
    return response;
  };
}

const byId = (rows: ReplicaRow[]) => [...rows].sort((a, b) => String(a.id).localeCompare(String(b.id)));

/** The server's live rows of a table (no tombstones). */
async function serverRows(server: ReplicaTestServer, table: string): Promise<ReplicaRow[]> {
  const rows = await server.rows<{ row: ReplicaRow }>(`SELECT row FROM {{schema}}.replica_rows WHERE replica_id = 'audits' AND table_name = $1 AND deleted_at IS NULL`, [table]);
  return byId(rows.map((r) => r.row));
}

async function assertSiteEqualsServer(server: ReplicaTestServer, site: SiteReplica): Promise<void> {
  for (const table of ['audit_tasks', 'readings']) {
    assert.deepEqual(byId(site.list(table)), await serverRows(server, table), `${site.clientId}: ${table} equals the server's`);
  }
}

async function mutations(server: ReplicaTestServer, clientId: string): Promise<{ mutation_id: number; name: string; status: string; error: string | null }[]> {
  const rows = await server.rows<{ mutation_id: string; name: string; status: string; error: string | null }>(
    `SELECT mutation_id, name, status, error FROM {{schema}}.replica_mutations WHERE replica_id = 'audits' AND client_id = $1 ORDER BY mutation_id`,
    [clientId],
  );
  return rows.map((r) => ({ mutation_id: Number(r.mutation_id), name: r.name, status: r.status, error: r.error }));
}

async function lastMutationId(server: ReplicaTestServer, clientId: string): Promise<number> {
  const rows = await server.rows<{ last_mutation_id: string }>(`SELECT last_mutation_id FROM {{schema}}.replica_clients WHERE replica_id = 'audits' AND client_id = $1`, [clientId]);
  return Number(rows[0]?.last_mutation_id);
}

async function spaceVersion(server: ReplicaTestServer): Promise<number> {
  const rows = await server.rows<{ version: string }>(`SELECT version FROM {{schema}}.replica_spaces WHERE replica_id = 'audits'`);
  return Number(rows[0]?.version);
}

async function count(server: ReplicaTestServer, sql: string, params: unknown[] = []): Promise<number> {
  const rows = await server.rows<{ n: string }>(`SELECT count(*) AS n FROM ${sql}`, params);
  return Number(rows[0]?.n);
}

/** The server comes back from a backup taken after site-a's mutation 2: it lost 3…5 (createTask t3…t5) and what they did. */
async function restoreBackupTakenAfterMutation2(server: ReplicaTestServer): Promise<void> {
  await server.rows(`UPDATE {{schema}}.replica_clients SET last_mutation_id = 2 WHERE replica_id = 'audits' AND client_id = 'site-a'`);
  await server.rows(`DELETE FROM {{schema}}.replica_mutations WHERE replica_id = 'audits' AND client_id = 'site-a' AND mutation_id BETWEEN 3 AND 5`);
  await server.rows(`DELETE FROM {{schema}}.replica_rows WHERE replica_id = 'audits' AND row_key IN ('["t3"]', '["t4"]', '["t5"]')`);
}

const outboxStates = (site: SiteReplica) =>
  (site.db.prepare('SELECT mutation_id, state FROM sync_outbox ORDER BY mutation_id').all() as { mutation_id: number; state: string }[]).map((r) => [Number(r.mutation_id), r.state]);

test('the same push sent twice is applied once: the replay answers skipped and changes nothing', async () => {
  const server = await startReplicaServer();
  try {
    const token = await server.addClient('site-a');
    const body = pushBody('site-a', [
      mutation(1, 'createTask', { id: 't1', title: 'pump' }),
      mutation(2, 'editNote', { id: 't1', note: 'leaking' }),
      mutation(3, 'completeTask', { id: 't1' }),
    ]);
    const first = await call(server, 'push', token, body);
    assert.equal(first.status, 200);
    assert.equal(first.body.lastMutationId, 3);
    assert.deepEqual(first.body.results, [1, 2, 3].map((id) => ({ id, status: 'applied' })));
    const versionAfterFirst = await spaceVersion(server);
    assert.equal(versionAfterFirst, 3);

    const replay = await call(server, 'push', token, body);
    assert.equal(replay.status, 200);
    assert.equal(replay.body.lastMutationId, 3);
    assert.deepEqual(replay.body.results, [1, 2, 3].map((id) => ({ id, status: 'skipped' })));

    assert.deepEqual((await mutations(server, 'site-a')).map((m) => [m.mutation_id, m.status]), [[1, 'applied'], [2, 'applied'], [3, 'applied']]);
    const tasks = await serverRows(server, 'audit_tasks');
    assert.equal(tasks.length, 1, 'the task exists once');
    assert.equal(tasks[0]!.note, 'leaking');
    assert.equal(tasks[0]!.done_by, 'site-a');
    assert.equal(await count(server, `{{schema}}.replica_rows WHERE replica_id = 'audits'`), 1);
    assert.equal(await spaceVersion(server), versionAfterFirst, 'the replay took no version');
    assert.equal(await lastMutationId(server, 'site-a'), 3);
  } finally {
    await server.close();
  }
});

test('an answer lost after the server committed: the retry is skipped, each mutation applied exactly once', async () => {
  const server = await startReplicaServer();
  try {
    const log: Exchange[] = [];
    const record = recordingFetch(log);
    let dropped = 0;
    const dropFirstPushAnswer: typeof fetch = async (input, init) => {
      const response = await record(input, init);
      if (dropped === 0 && String(input).endsWith('/push')) {
        dropped += 1;
        await response.arrayBuffer(); // the server has answered: it committed
        throw new TypeError('fetch failed: socket hang up');
      }
      return response;
    };
    const { site, client } = await server.openSite('site-a', { client: { fetch: dropFirstPushAnswer } });
    await site.mutate('createTask', { id: 't1', title: 'pump' });
    await site.mutate('recordReading', { id: 'r1', taskId: 't1', value: 4.5, unit: 'bar' });
    await site.mutate('editNote', { id: 't1', note: 'checked' });

    const lost = await client.sync().then(
      () => assert.fail('the first sync must fail: its answer was lost'),
      (error: unknown) => error,
    );
    assert.ok(lost instanceof ReplicaSyncError, String(lost));
    assert.equal(lost.status, null, 'unreachable, not an answer');
    assert.deepEqual(outboxStates(site), [[1, 'pending'], [2, 'pending'], [3, 'pending']], 'nothing is acked without an answer');
    assert.deepEqual(log[0]?.body.results, [1, 2, 3].map((id) => ({ id, status: 'applied' })), 'the server did apply them');

    const round = await client.sync();
    assert.equal(round.pushed, 3);
    assert.equal(round.rejected, 0);
    const retry = log.filter((e) => e.path === 'push')[1]!;
    assert.equal(retry.status, 200);
    assert.deepEqual(retry.body.results, [1, 2, 3].map((id) => ({ id, status: 'skipped' })));
    assert.equal(retry.body.lastMutationId, 3);

    assert.deepEqual((await mutations(server, 'site-a')).map((m) => [m.mutation_id, m.status]), [[1, 'applied'], [2, 'applied'], [3, 'applied']]);
    assert.equal(await count(server, `{{schema}}.replica_rows WHERE replica_id = 'audits' AND table_name = 'audit_tasks'`), 1);
    assert.equal(await count(server, `{{schema}}.replica_rows WHERE replica_id = 'audits' AND table_name = 'readings'`), 1);
    assert.equal(await spaceVersion(server), 3, 'three mutations, three versions: none applied twice');
    assert.deepEqual(outboxStates(site), [[1, 'acked'], [2, 'acked'], [3, 'acked']]);
    assert.equal(site.pendingCount(), 0);
    await assertSiteEqualsServer(server, site);
    assert.equal(site.get('audit_tasks', { id: 't1' })?.note, 'checked');
  } finally {
    await server.close();
  }
});

test('an out-of-order id is refused with the last applied id; a replayed id with other args is a mismatch', async () => {
  const server = await startReplicaServer();
  try {
    const token = await server.addClient('site-a');
    assert.equal((await call(server, 'push', token, pushBody('site-a', [mutation(1, 'createTask', { id: 't1', title: 'pump' })]))).status, 200);

    const gap = await call(server, 'push', token, pushBody('site-a', [mutation(3, 'createTask', { id: 't3', title: 'valve' })]));
    assert.equal(gap.status, 409);
    assert.equal(gap.body.error, 'out_of_order');
    assert.equal(gap.body.lastMutationId, 1);
    assert.match(String(gap.body.message), /send 2 next/);
    assert.deepEqual((await mutations(server, 'site-a')).map((m) => m.mutation_id), [1], 'nothing of id 3 is recorded');
    assert.equal(await count(server, `{{schema}}.replica_rows WHERE replica_id = 'audits' AND row_key = '["t3"]'`), 0);
    assert.equal(await lastMutationId(server, 'site-a'), 1);
    assert.equal(await spaceVersion(server), 1);

    const inOrder = await call(server, 'push', token, pushBody('site-a', [mutation(2, 'createTask', { id: 't2', title: 'filter' }), mutation(3, 'createTask', { id: 't3', title: 'valve' })]));
    assert.equal(inOrder.status, 200);
    assert.deepEqual(inOrder.body.results, [{ id: 2, status: 'applied' }, { id: 3, status: 'applied' }]);
    assert.equal(inOrder.body.lastMutationId, 3);
    assert.deepEqual((await serverRows(server, 'audit_tasks')).map((t) => t.id), ['t1', 't2', 't3']);

    const mismatch = await call(server, 'push', token, pushBody('site-a', [mutation(2, 'createTask', { id: 't2', title: 'something else' })]));
    assert.equal(mismatch.status, 409);
    assert.equal(mismatch.body.error, 'client_state_mismatch');
    assert.equal(mismatch.body.lastMutationId, 3);
    assert.equal((await serverRows(server, 'audit_tasks')).find((t) => t.id === 't2')?.title, 'filter', 'the applied mutation stands');
    assert.equal((await mutations(server, 'site-a')).length, 3);
  } finally {
    await server.close();
  }
});

test('a poison mutation is rejected and consumed; those after it apply, and the site drops its local effect', async () => {
  const server = await startReplicaServer();
  try {
    const a = await server.openSite('site-a');
    const log: Exchange[] = [];
    const b = await server.openSite('site-b', { client: { fetch: recordingFetch(log) } });
    await a.site.mutate('createTask', { id: 't1', title: 'pump' });
    await a.client.sync();
    await b.client.sync();
    assert.ok(b.site.get('audit_tasks', { id: 't1' }), 'B has the task before going offline');

    // B is offline (does not sync) while A deletes the task.
    await a.site.mutate('deleteTask', { id: 't1' });
    await a.client.sync();
    assert.equal(await b.site.mutate('completeTask', { id: 't1' }), 1, 'locally the task is still there');
    await b.site.mutate('createTask', { id: 't2', title: 'valve' });
    await b.site.mutate('editNote', { id: 't2', note: 'tight' });
    await b.site.mutate('recordReading', { id: 'r1', taskId: 't2', value: 7, unit: 'bar' });

    const round = await b.client.sync();
    assert.equal(round.pushed, 4);
    assert.equal(round.rejected, 1);
    const pushed = log.filter((e) => e.path === 'push');
    assert.equal(pushed.length, 1);
    assert.deepEqual(pushed[0]!.body.results, [
      { id: 1, status: 'rejected', error: 'no task t1 (deleted?)' },
      { id: 2, status: 'applied' },
      { id: 3, status: 'applied' },
      { id: 4, status: 'applied' },
    ]);
    assert.deepEqual(await mutations(server, 'site-b'), [
      { mutation_id: 1, name: 'completeTask', status: 'rejected', error: 'no task t1 (deleted?)' },
      { mutation_id: 2, name: 'createTask', status: 'applied', error: null },
      { mutation_id: 3, name: 'editNote', status: 'applied', error: null },
      { mutation_id: 4, name: 'recordReading', status: 'applied', error: null },
    ]);
    assert.equal(await lastMutationId(server, 'site-b'), 4);

    assert.deepEqual(b.site.rejected().map((e) => [e.mutationId, e.name, e.state, e.error]), [[1, 'completeTask', 'rejected', 'no task t1 (deleted?)']]);
    assert.deepEqual(outboxStates(b.site), [[1, 'rejected'], [2, 'acked'], [3, 'acked'], [4, 'acked']]);
    const pulls = log.filter((e) => e.path === 'pull');
    assert.deepEqual(pulls.at(-1)!.request.refetch, [{ table: 'audit_tasks', key: { id: 't1' } }], 'the rejected mutation’s row was asked for again');
    assert.deepEqual(pulls.at(-1)!.body.refetched, [{ op: 'delete', table: 'audit_tasks', key: { id: 't1' } }]);
    assert.equal(b.site.get('audit_tasks', { id: 't1' }), null, 'the completed-but-deleted task is gone on B too');
    assert.deepEqual(b.site.toRefetch(), [], 'refetched once');
    await assertSiteEqualsServer(server, b.site);
    await a.client.sync();
    await assertSiteEqualsServer(server, a.site);

    // An unknown mutator name (an older or newer site build) is rejected and consumed too.
    const tokenC = await server.addClient('site-c');
    const unknown = await call(server, 'push', tokenC, pushBody('site-c', [mutation(1, 'archiveTask', { id: 't2' }), mutation(2, 'editNote', { id: 't2', note: 'from c' })]));
    assert.equal(unknown.status, 200);
    assert.equal(unknown.body.lastMutationId, 2);
    const results = unknown.body.results as { id: number; status: string; error?: string }[];
    assert.equal(results[0]!.status, 'rejected');
    assert.match(results[0]!.error ?? '', /no mutator "archiveTask"/);
    assert.deepEqual(results[1], { id: 2, status: 'applied' });
    assert.deepEqual((await mutations(server, 'site-c')).map((m) => [m.mutation_id, m.status]), [[1, 'rejected'], [2, 'applied']]);
    assert.equal(await lastMutationId(server, 'site-c'), 2);
  } finally {
    await server.close();
  }
});

test('credentials: only a live site credential, and only as its own client, may push or pull', async () => {
  const server = await startReplicaServer();
  try {
    const tokenA = await server.addClient('site-a');
    await server.addClient('site-b');
    const api = await new TokenStore(server.ledger.db, server.schema).create('ops', ['*'], 'operate');
    const push = (clientId: string) => pushBody(clientId, [mutation(1, 'createTask', { id: 't1', title: 'pump' })]);
    const pull = (clientId: string) => pullBody(clientId, null);
    const nothingRecorded = async () => {
      assert.equal(await count(server, `{{schema}}.replica_mutations`), 0);
      assert.equal(await count(server, `{{schema}}.replica_rows`), 0);
      assert.equal(await lastMutationId(server, 'site-a'), 0);
      assert.equal(await lastMutationId(server, 'site-b'), 0);
    };

    for (const path of ['push', 'pull'] as const) {
      const body = path === 'push' ? push : pull;
      for (const token of [null, api.token, 'garbage', 'tmr_not-a-real-credential', tokenA.replace(/.$/, (c) => (c === 'A' ? 'B' : 'A'))]) {
        const answer = await call(server, path, token, body('site-a'));
        assert.equal(answer.status, 401, `${path} with ${token === null ? 'no token' : token.slice(0, 8)}…`);
        assert.match(String(answer.body.error), /replica client credential/);
      }
      const other = await call(server, path, tokenA, body('site-b'));
      assert.equal(other.status, 403, `${path} as another client`);
      assert.match(String(other.body.error), /belongs to client "site-a"/);
      await nothingRecorded();
    }

    assert.equal(await server.service.clients.revoke('audits', 'site-a'), true);
    for (const path of ['push', 'pull'] as const) {
      const answer = await call(server, path, tokenA, path === 'push' ? push('site-a') : pull('site-a'));
      assert.equal(answer.status, 401, `${path} after revocation`);
    }
    await nothingRecorded();
  } finally {
    await server.close();
  }
});

test('pulls page through the changes in commit order; cookies advance; deletes reach other sites', async () => {
  const server = await startReplicaServer({ replica: { pullPageSize: 7 } });
  try {
    const a = await server.openSite('site-a');
    const log: Exchange[] = [];
    const b = await server.openSite('site-b', { client: { fetch: recordingFetch(log) } });
    for (let i = 0; i < 30; i++) await a.site.mutate('createTask', { id: `task-${String(i).padStart(2, '0')}`, title: `task ${i}` });
    await a.client.sync();
    assert.equal((await serverRows(server, 'audit_tasks')).length, 30);

    assert.equal(b.site.cookie, null);
    const first = await b.client.sync();
    assert.equal(first.pages, 5, '30 rows in pages of 7');
    assert.equal(first.pulled, 30);
    assert.deepEqual(log.map((e) => (e.body.changes as unknown[]).length), [7, 7, 7, 7, 2]);
    assert.deepEqual(log.map((e) => e.body.hasMore), [true, true, true, true, false]);
    await assertSiteEqualsServer(server, b.site);
    const cookieAfterFirst = b.site.cookie;
    assert.ok(cookieAfterFirst);

    const idle = await b.client.sync();
    assert.equal(idle.pulled, 0);
    assert.equal(idle.pages, 1);
    assert.equal(b.site.cookie, cookieAfterFirst, 'nothing new: the cookie stays');

    const c = await server.openSite('site-c');
    const fresh = await c.client.sync();
    assert.equal(fresh.pulled, 30);
    assert.deepEqual(byId(c.site.list('audit_tasks')), byId(b.site.list('audit_tasks')));

    // Nine readings on one task, then the task deleted with them: ten tombstones of ONE version,
    // so a page boundary falls inside a version.
    for (let i = 0; i < 9; i++) await a.site.mutate('recordReading', { id: `r${i}`, taskId: 'task-00', value: i });
    await a.client.sync();
    const readings = await b.client.sync();
    assert.equal(readings.pulled, 9);
    assert.equal(readings.pages, 2);
    assert.notEqual(b.site.cookie, cookieAfterFirst, 'the cookie advances');
    assert.equal(b.site.list('readings').length, 9);

    await a.site.mutate('deleteTask', { id: 'task-00' });
    await a.client.sync();
    log.length = 0;
    const deletes = await b.client.sync();
    assert.equal(deletes.pulled, 10);
    assert.equal(deletes.pages, 2);
    assert.ok(log.every((e) => (e.body.changes as { op: string }[]).every((change) => change.op === 'delete')));
    assert.equal(b.site.get('audit_tasks', { id: 'task-00' }), null);
    assert.deepEqual(b.site.list('readings'), []);
    await assertSiteEqualsServer(server, b.site);

    // A site starting now ends with the live rows (29 tasks, no readings).
    const d = await server.openSite('site-d');
    const download = await d.client.sync();
    assert.deepEqual([download.pulled, download.pages], [29, 5], 'a download from nothing carries no tombstone of a row deleted before it began');
    assert.equal(d.site.list('audit_tasks').length, 29);
    await assertSiteEqualsServer(server, d.site);
    await c.client.sync();
    await assertSiteEqualsServer(server, c.site);
  } finally {
    await server.close();
  }
});

test('a cookie older than the pruned tombstones gets reset: the site ends with exactly the server’s rows', async () => {
  const server = await startReplicaServer();
  try {
    const a = await server.openSite('site-a');
    const b = await server.openSite('site-b');
    for (const id of ['t1', 't2', 't3']) await a.site.mutate('createTask', { id, title: id });
    await a.site.mutate('recordReading', { id: 'r1', taskId: 't1', value: 1 });
    await a.client.sync();
    await b.client.sync();
    assert.equal(b.site.list('audit_tasks').length, 3);
    const oldCookie = b.site.cookie;

    await a.site.mutate('deleteTask', { id: 't1' });
    await a.client.sync();
    const pruned = await server.service.prune('audits', new Date(Date.now() + 1000));
    assert.equal(pruned.tombstones, 2, 'the task and its reading');
    assert.equal(await count(server, `{{schema}}.replica_rows WHERE deleted_at IS NOT NULL`), 0);

    const raw = await call(server, 'pull', b.token, pullBody('site-b', oldCookie));
    assert.equal(raw.status, 200);
    assert.equal(raw.body.reset, true);
    assert.equal(raw.body.hasMore, false);
    assert.deepEqual(
      (raw.body.changes as { op: string; row: ReplicaRow }[]).map((c) => [c.op, c.row.id]),
      [['put', 't2'], ['put', 't3']],
    );

    const round = await b.client.sync();
    assert.equal(round.reset, true);
    assert.equal(b.site.get('audit_tasks', { id: 't1' }), null, 'the deleted task is gone though its tombstone was pruned');
    assert.deepEqual(b.site.list('readings'), []);
    assert.deepEqual(b.site.list('audit_tasks').map((t) => t.id), ['t2', 't3']);
    await assertSiteEqualsServer(server, b.site);

    // A site that saw the delete is not reset.
    const level = await a.client.sync();
    assert.equal(level.reset, false);
    await assertSiteEqualsServer(server, a.site);

    // Once reset, the site's new cookie is past the horizon: the next pull is not a reset again.
    const again = await call(server, 'pull', b.token, pullBody('site-b', b.site.cookie));
    assert.equal(again.body.reset, false, 'the cookie of a reset page is past the horizon');
    assert.deepEqual(again.body.changes, []);
    assert.equal((await b.client.sync()).reset, false);

    // A reset answered in several pages: the second page goes on from the first.
    const page1 = await call(server, 'pull', b.token, pullBody('site-b', oldCookie, { limit: 1 }));
    assert.equal(page1.body.reset, true);
    assert.equal(page1.body.hasMore, true);
    const page2 = await call(server, 'pull', b.token, pullBody('site-b', page1.body.cookie as string, { limit: 10 }));
    assert.equal(page2.body.reset, false, 'the second page of a reset is not a reset');
    assert.equal(page2.body.hasMore, false);
    assert.deepEqual([...(page1.body.changes as { row: ReplicaRow }[]), ...(page2.body.changes as { row: ReplicaRow }[])].map((change) => change.row.id), ['t2', 't3']);
  } finally {
    await server.close();
  }
});


test('a pull page is not applied while a local mutation newer than the server’s acknowledgement is pending', async () => {
  const server = await startReplicaServer();
  try {
    const a = await server.openSite('site-a');
    const b = await server.openSite('site-b');
    await a.site.mutate('createTask', { id: 't1', title: 'pump' });
    await a.site.mutate('createTask', { id: 't2', title: 'valve' });
    await a.client.sync();

    const raw = await call(server, 'pull', b.token, pullBody('site-b', null));
    assert.equal(raw.status, 200);
    const answer: PullResponse = pullResponseSchema.parse(raw.body);
    assert.equal(answer.lastMutationId, 0);
    assert.equal(answer.changes.length, 2);

    await b.site.mutate('createTask', { id: 't3', title: 'filter' });
    assert.equal(await b.site.applyPull(answer), 'pending-newer');
    assert.deepEqual(b.site.list('audit_tasks').map((t) => t.id), ['t3'], 'rows unchanged');
    assert.equal(b.site.cookie, null, 'cookie unchanged');
    assert.equal(b.site.pendingCount(), 1);

    await b.client.sync();
    assert.equal(b.site.pendingCount(), 0);
    assert.ok(b.site.cookie);
    assert.deepEqual(b.site.list('audit_tasks').map((t) => t.id), ['t1', 't2', 't3']);
    await assertSiteEqualsServer(server, b.site);
    await a.client.sync();
    await assertSiteEqualsServer(server, a.site);
  } finally {
    await server.close();
  }
});

test('a server restored from a backup gets the acknowledged mutations it lost again, then the new one', async () => {
  const server = await startReplicaServer();
  try {
    const log: Exchange[] = [];
    const a = await server.openSite('site-a', { client: { fetch: recordingFetch(log) } });
    for (let i = 1; i <= 5; i++) await a.site.mutate('createTask', { id: `t${i}`, title: `task ${i}` });
    await a.client.sync();
    assert.deepEqual(outboxStates(a.site).map(([, state]) => state), ['acked', 'acked', 'acked', 'acked', 'acked']);
    assert.equal(await lastMutationId(server, 'site-a'), 5);

    await restoreBackupTakenAfterMutation2(server);

    assert.equal(await a.site.mutate('createTask', { id: 't6', title: 'task 6' }), 6);
    log.length = 0;
    const round = await a.client.sync();
    const pushes = log.filter((e) => e.path === 'push');
    assert.deepEqual(pushes.map((e) => [e.status, (e.request.mutations as { id: number }[]).map((m) => m.id)]), [
      [409, [6]],
      [200, [3, 4, 5, 6]],
    ]);
    assert.equal(pushes[0]!.body.error, 'out_of_order');
    assert.equal(pushes[0]!.body.lastMutationId, 2);
    assert.deepEqual(pushes[1]!.body.results, [3, 4, 5, 6].map((id) => ({ id, status: 'applied' })));
    assert.equal(round.pushed, 4);

    assert.equal(await lastMutationId(server, 'site-a'), 6);
    assert.deepEqual((await mutations(server, 'site-a')).map((m) => [m.mutation_id, m.status]), [1, 2, 3, 4, 5, 6].map((id) => [id, 'applied']));
    assert.deepEqual((await serverRows(server, 'audit_tasks')).map((t) => t.id), ['t1', 't2', 't3', 't4', 't5', 't6']);
    assert.deepEqual(outboxStates(a.site).map(([, state]) => state), ['acked', 'acked', 'acked', 'acked', 'acked', 'acked']);
    await assertSiteEqualsServer(server, a.site);
  } finally {
    await server.close();
  }
});

test('a server restored from a backup gets the lost mutations again even when the site has nothing new to push', async () => {
  const server = await startReplicaServer();
  try {
    const a = await server.openSite('site-a');
    for (let i = 1; i <= 5; i++) await a.site.mutate('createTask', { id: `t${i}`, title: `task ${i}` });
    await a.client.sync();
    await restoreBackupTakenAfterMutation2(server);

    // The pull answers lastMutationId 2 while the site holds acknowledgements up to 5: it sends 3…5 again.
    await a.client.sync();
    assert.equal(await lastMutationId(server, 'site-a'), 5);
    assert.deepEqual((await mutations(server, 'site-a')).map((m) => [m.mutation_id, m.status]), [1, 2, 3, 4, 5].map((id) => [id, 'applied']));
    assert.deepEqual((await serverRows(server, 'audit_tasks')).map((t) => t.id), ['t1', 't2', 't3', 't4', 't5']);
    await assertSiteEqualsServer(server, a.site);
  } finally {
    await server.close();
  }
});

test('a site on another schema version is told to upgrade (409 schema_mismatch), and nothing is applied', async () => {
  const server = await startReplicaServer();
  try {
    const token = await server.addClient('site-a');
    const push = await call(server, 'push', token, pushBody('site-a', [mutation(1, 'createTask', { id: 't1', title: 'pump' })], { schemaVersion: 2 }));
    assert.equal(push.status, 409);
    assert.equal(push.body.error, 'schema_mismatch');
    assert.equal(push.body.schemaVersion, 1);
    assert.match(String(push.body.message), /upgrade the site/);
    const pull = await call(server, 'pull', token, pullBody('site-a', null, { schemaVersion: 2 }));
    assert.equal(pull.status, 409);
    assert.equal(pull.body.error, 'schema_mismatch');
    assert.equal(await count(server, `{{schema}}.replica_mutations`), 0);
    assert.equal(await count(server, `{{schema}}.replica_rows`), 0);
    assert.equal(await lastMutationId(server, 'site-a'), 0);
  } finally {
    await server.close();
  }
});

test('every answer carries the server’s zone (America/New_York), and the site adopts it', async () => {
  const server = await startReplicaServer();
  try {
    const log: Exchange[] = [];
    const a = await server.openSite('site-a', { client: { fetch: recordingFetch(log) } });
    assert.equal(a.site.timezone, 'UTC', 'the site was opened with UTC');
    await a.site.mutate('createTask', { id: 't1', title: 'pump' });
    await a.client.sync();
    await a.site.mutate('editNote', { id: 't1', note: 'second round' });
    await a.client.sync();

    assert.deepEqual(log.map((e) => [e.path, e.status]), [['push', 200], ['pull', 200], ['push', 200], ['pull', 200]]);
    for (const exchange of log) {
      assert.equal(exchange.body.timezone, 'America/New_York', `${exchange.path} answer`);
      assert.match(String(exchange.body.businessDate), /^\d{4}-\d{2}-\d{2}$/);
      assert.ok(!Number.isNaN(Date.parse(String(exchange.body.serverTime))));
    }
    assert.equal(a.site.timezone, 'America/New_York');
    // 03:00 UTC is still the previous day in New York: the site now dates its work there.
    assert.equal(a.site.businessDate(new Date('2026-03-11T03:00:00Z')), '2026-03-10');
    const reopened = await server.openSite('site-a', { path: a.path, token: a.token });
    assert.equal(reopened.site.timezone, 'America/New_York', 'kept in the site database');
  } finally {
    await server.close();
  }
});
