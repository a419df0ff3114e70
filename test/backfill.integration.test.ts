/** A backfill over a long range: split into upstream-sized windows, with progress that only goes up. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { syncHarness } from './helpers/sync-harness.ts';
import { dataset, shift } from './helpers/shifts.ts';
import { addDays } from '../src/time/business-day.ts';
import type { RunProgressEvent } from '../src/engine/run-sync.ts';

test('a one-year backfill is read in ≤92-day requests, with rising progress and an ETA', async () => {
  const shifts = Array.from({ length: 365 }, (_, day) => shift(101 + (day % 2), `${addDays('2025-12-01', day)}T09:00`, `${addDays('2025-12-01', day)}T17:00`));
  const h = await syncHarness('postgres', { dataset: dataset(shifts), batchSize: 20 });
  try {
    const events: RunProgressEvent[] = [];
    const summary = await h.run('2025-12-01', addDays('2025-12-01', 365), { onProgress: (e) => events.push(e) });
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(summary.counts.created, 365);
    // 367 days with padding → 4 chunks of at most 92 days, plus the time clock list.
    assert.equal(h.simulator.stats.byRoute['GET /time-clock/v1/time-clocks/{timeClockId}/time-activities'], 4);
    assert.equal(h.simulator.stats.byRoute['GET /time-clock/v1/time-clocks'], 1);
    const percents = events.map((e) => e.progress.percent ?? 0);
    assert.ok(events.length >= 18, `a progress event per batch (${events.length})`);
    assert.deepEqual(percents, [...percents].sort((a, b) => a - b), 'progress never goes back');
    assert.equal(percents.at(-1), 100);
    assert.ok(events.some((e) => e.progress.etaSeconds !== null && e.progress.percent! < 100), 'an ETA while running');
    assert.deepEqual(events.map((e) => e.counts.fetched), [...events.map((e) => e.counts.fetched)].sort((a, b) => a - b));
  } finally {
    await h.close();
  }
});
