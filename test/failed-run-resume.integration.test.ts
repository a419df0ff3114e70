/**
 * A run that fails mid-read is finished with the counts of its last checkpoint (which match the
 * keys recorded with it), so the run that resumes it counts every record exactly once and passes
 * the ledger's conservation check. Before, the failed run kept records it had read but not merged
 * in `fetched`, and its successor counted them again: `runs_conservation` refused to finish it.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncHarness } from './helpers/sync-harness.ts';
import { dataset, shift } from './helpers/shifts.ts';

test('a run failing between two reads resumes with every record counted once', async () => {
  // 151 days: two ≤92-day chunks, so two requests; 7 shifts in each.
  const shifts = [
    ...Array.from({ length: 7 }, (_, i) => shift(101, `2026-01-${String(10 + i).padStart(2, '0')}T09:00`, `2026-01-${String(10 + i).padStart(2, '0')}T17:00`)),
    ...Array.from({ length: 7 }, (_, i) => shift(102, `2026-05-${String(10 + i).padStart(2, '0')}T09:00`, `2026-05-${String(10 + i).padStart(2, '0')}T17:00`)),
  ];
  const h = await syncHarness('postgres', { dataset: dataset(shifts), batchSize: 5 });
  try {
    const failed = await h.run('2026-01-01', '2026-06-01', {
      // After the first batch of the first chunk is merged, the upstream starts failing: the
      // second chunk's request never succeeds while two records of the first wait in the batcher.
      onProgress: () => {
        h.simulator.faults.status5xx = 1000;
      },
    });
    assert.equal(failed.status, 'failed', failed.error ?? '');
    const failedRun = await h.ledger.getRun(failed.runId);
    assert.equal(failedRun?.status, 'failed');
    assert.equal(failedRun?.resumable, true);
    assert.equal(failedRun!.fetched, failedRun!.created + failedRun!.updated + failedRun!.unchanged + failedRun!.dead, 'the failed run records only what it merged');
    assert.ok(failedRun!.fetched >= 5 && failedRun!.fetched < 14, `some records merged before the failure (${failedRun!.fetched})`);

    h.simulator.faults.status5xx = 0;
    const resumed = await h.run('2026-01-01', '2026-06-01');
    assert.equal(resumed.status, 'succeeded', resumed.error ?? '');
    assert.equal(resumed.resumedFrom, failed.runId);
    assert.equal(resumed.counts.fetched, 14, 'every shift counted exactly once across the failure');
    assert.equal(resumed.counts.created + resumed.counts.unchanged, 14);
    assert.equal((await h.rows()).length, 14);
  } finally {
    await h.close();
  }
});
