/** A run whose process is gone: marked failed, and resumed by the next run when the plan matches. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { hostname } from 'node:os';
import { syncHarness } from './helpers/sync-harness.ts';
import { dataset, shift } from './helpers/shifts.ts';

// A pid that cannot be alive on this host (above the kernel's pid_max).
const deadOwner = `${hostname()}:4999999:dead`;

test('a lost run is marked failed; a run with the same window resumes from it, one with another window starts afresh', async () => {
  const h = await syncHarness('postgres', { dataset: dataset([shift(101, '2026-11-10T09:00', '2026-11-10T17:00')]) });
  try {
    const plan = { syncId: h.sync.id, tenantId: 'acme', stream: 'connecteam.shifts', mode: 'window' as const, trigger: 'test', owner: deadOwner };
    const orphan = await h.ledger.startRun({ ...plan, windowFrom: '2026-11-10', windowTo: '2026-11-11' });
    const resumed = await h.run('2026-11-10', '2026-11-11');
    assert.notEqual(resumed.runId, orphan.id, 'a new run');
    assert.equal(resumed.resumedFrom, orphan.id, 'which continued the lost one');
    assert.equal(resumed.resumed, true);
    assert.equal(resumed.status, 'succeeded');
    const lost = await h.ledger.getRun(orphan.id);
    assert.equal(lost?.status, 'failed', 'never left running');
    assert.equal(lost?.resumable, false, 'taken over once');
    assert.match(lost?.error ?? '', /lost: its worker \(.*:4999999:dead\) stopped/);
    assert.equal((await h.ledger.getRun(resumed.runId))?.resumedCount, 1);
    const lostEvents = await h.ledger.events({ kind: 'run_lost' });
    assert.deepEqual(lostEvents.map((e) => e.runId), [orphan.id], 'the lost run is reported once, for alerting');

    const other = await h.ledger.startRun({ ...plan, windowFrom: '2026-11-01', windowTo: '2026-11-02' });
    const fresh = await h.run('2026-11-10', '2026-11-11');
    assert.notEqual(fresh.runId, other.id);
    assert.equal(fresh.resumed, false, 'another window: nothing to take over');
    const abandoned = await h.ledger.getRun(other.id);
    assert.equal(abandoned?.status, 'failed');
    assert.equal(abandoned?.resumable, false, 'superseded by a run with another plan');
    assert.match(abandoned?.error ?? '', /lost: its worker \(.*:4999999:dead\) stopped/);

    // A live owner (this process, fresh heartbeat) is not taken over.
    await h.ledger.startRun({ ...plan, owner: `${hostname()}:${process.pid}:other`, windowFrom: '2026-11-10', windowTo: '2026-11-11' });
    await assert.rejects(h.run('2026-11-10', '2026-11-11'), /already has an active run/);
  } finally {
    await h.close();
  }
});
