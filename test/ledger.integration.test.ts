/** The ledger's own guarantees, enforced by the database: one active run per sync, conservation, retention. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Ledger, ActiveRunError, RunTakenOverError } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { POSTGRES_BACKENDS, testDatabase } from './helpers/postgres.ts';

const newRun = { syncId: 's1', tenantId: 'acme', stream: 'connecteam.shifts', mode: 'window' as const, windowFrom: '2026-11-10', windowTo: '2026-11-11', trigger: 'test', owner: 'test:1:x' };
const progress = { records: 0, percent: null, etaSeconds: null };

for (const backend of POSTGRES_BACKENDS) {
  test(`ledger on ${backend}: one active run per sync, conservation checked, old changes pruned`, async () => {
    const db = await testDatabase(backend, 'ledger');
    try {
      const schema = db.schema ?? 'tidemark';
      const first = await migrateLedger(db.client, schema);
      assert.deepEqual(first.applied, [1, 2, 3, 4, 5, 6]);
      assert.deepEqual((await migrateLedger(db.client, schema)).applied, [], 'migrating twice changes nothing');
      const ledger = new Ledger(db.client, schema);

      const run = await ledger.startRun(newRun);
      assert.equal(run.status, 'running');
      // 20 concurrent attempts: the partial unique index lets none of them in.
      const attempts = await Promise.allSettled(Array.from({ length: 20 }, () => ledger.startRun(newRun)));
      assert.ok(attempts.every((a) => a.status === 'rejected' && a.reason instanceof ActiveRunError));
      const refused = (attempts[0] as PromiseRejectedResult).reason as ActiveRunError;
      assert.equal(refused.activeRun?.id, run.id);
      assert.match(refused.message, /sync "s1" already has an active run #\d+/);
      assert.ok(await ledger.startRun({ ...newRun, syncId: 's2' }), 'another sync may run at the same time');

      const broken = { fetched: 5, created: 1, updated: 1, unchanged: 1, deleted: 0, dead: 1 };
      await assert.rejects(
        ledger.finishRun(run.id, newRun.owner, { status: 'succeeded', counts: broken, warnings: [], error: null, upstream: {}, progress }),
        /runs_conservation/,
        'a succeeded run whose counts do not add up is refused',
      );

      await ledger.checkpoint(run.id, newRun.owner, {
        syncId: 's1', tenantId: 'acme', stream: 'connecteam.shifts', table: 't', position: { clock: 0, chunk: 1 },
        counts: { fetched: 2, created: 2, updated: 0, unchanged: 0, deleted: 0, dead: 0 }, progress,
        keys: ['a', 'b'], changes: [{ key: 'a', op: 'created', before: null, after: { v: 1 } }], deadLetters: [{ key: null, reason: 'bad', payload: { x: 1 } }],
      });
      assert.deepEqual((await ledger.seenKeys(run.id)).sort(), ['a', 'b']);
      assert.deepEqual((await ledger.getRun(run.id))?.checkpoint, { clock: 0, chunk: 1 });
      const done = await ledger.finishRun(run.id, newRun.owner, { status: 'succeeded', counts: { fetched: 2, created: 2, updated: 0, unchanged: 0, deleted: 0, dead: 0 }, warnings: [], error: null, upstream: { requests: 3 }, progress });
      assert.equal(done.status, 'succeeded');
      assert.deepEqual(await ledger.seenKeys(run.id), [], 'seen keys are dropped when the run finishes');
      assert.ok(await ledger.startRun(newRun), 'after it finished, the sync can run again');

      assert.equal((await ledger.changes(run.id)).length, 1);
      await db.client.query(`UPDATE "${schema}".changes SET at = now() - interval '31 days'`);
      const pruned = await ledger.prune(30, 90);
      assert.equal(pruned.changes, 1);
      assert.equal((await ledger.changes(run.id)).length, 0);
      assert.equal((await ledger.deadLetters({ syncId: 's1' })).length, 1, 'dead letters stay');
    } finally {
      await db.cleanup();
    }
  });
}

test('a run taken over by another process refuses the old owner\'s writes', async () => {
  const db = await testDatabase(POSTGRES_BACKENDS[0]!, 'ledger');
  try {
    const schema = db.schema ?? 'tidemark';
    await migrateLedger(db.client, schema);
    const ledger = new Ledger(db.client, schema);
    const run = await ledger.startRun(newRun);
    await db.client.query(`UPDATE "${schema}".runs SET owner = 'other:2:y' WHERE id = $1`, [run.id]);
    const counts = { fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, dead: 0 };
    const checkpoint = { syncId: 's1', tenantId: 'acme', stream: 'x', table: 't', position: null, counts, progress, keys: ['a'], changes: [], deadLetters: [] };
    await assert.rejects(ledger.checkpoint(run.id, newRun.owner, checkpoint), (error: unknown) => error instanceof RunTakenOverError && /held by other:2:y/.test(error.message));
    assert.deepEqual(await ledger.seenKeys(run.id), [], 'nothing written for the old owner');
    await assert.rejects(ledger.finishRun(run.id, newRun.owner, { status: 'succeeded', counts, warnings: [], error: null, upstream: {}, progress }), RunTakenOverError);
    assert.equal((await ledger.finishRun(run.id, 'other:2:y', { status: 'succeeded', counts, warnings: [], error: null, upstream: {}, progress })).status, 'succeeded');
  } finally {
    await db.cleanup();
  }
});
