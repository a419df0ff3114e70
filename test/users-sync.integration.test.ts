/** connecteam.users as a snapshot: archived users kept, a user gone upstream marked deleted. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTGRES_BACKENDS } from './helpers/postgres.ts';
import { syncHarness } from './helpers/sync-harness.ts';
import { dataset, user } from './helpers/shifts.ts';

for (const backend of POSTGRES_BACKENDS) {
  test(`connecteam.users snapshot on ${backend}: archived kept, absent deleted, kiosk PIN never stored`, async () => {
    const users = Array.from({ length: 12 }, (_, i) => user(201 + i));
    users[3] = { ...users[3]!, isArchived: true, archivedAt: 1_750_000_000 };
    const h = await syncHarness(backend, { dataset: dataset([], users), stream: 'users' });
    try {
      const first = await h.run();
      assert.equal(first.status, 'succeeded', first.error ?? '');
      assert.deepEqual(first.counts, { fetched: 12, created: 12, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
      const archived = (await h.rows(`user_id = 204`))[0]!;
      assert.equal(archived.is_archived, true);
      assert.equal((archived.archived_at as Date).toISOString(), '2025-06-15T15:06:40.000Z');
      assert.ok(!JSON.stringify(await h.rows()).includes('kioskCode'), 'the kiosk code is not stored');

      h.simulator.store.deleteUser(212);
      const second = await h.run();
      assert.deepEqual(second.counts, { fetched: 11, created: 0, updated: 0, unchanged: 11, deleted: 1, dead: 0 });
      assert.notEqual((await h.rows('user_id = 212'))[0]!.deleted_at, null);
      assert.equal((await h.rows('deleted_at IS NULL')).length, 11);
    } finally {
      await h.close();
    }
  });
}

test('a malformed user goes to the dead letters without its kiosk PIN', async () => {
  const broken = { ...user(301), kioskCode: '9876', firstName: 42 } as unknown as ReturnType<typeof user>;
  const h = await syncHarness('postgres', { dataset: dataset([], [user(300), broken]), stream: 'users' });
  try {
    const summary = await h.run();
    assert.equal(summary.counts.dead, 1);
    const [dead] = await h.ledger.deadLetters({ runId: summary.runId });
    assert.match(dead!.reason, /firstName/);
    assert.equal(dead!.key, '301');
    assert.ok(!JSON.stringify(dead!.payload).includes('9876'), 'the PIN is not kept');
  } finally {
    await h.close();
  }
});
