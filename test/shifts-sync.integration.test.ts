/**
 * Connecteam shifts into Postgres and PGlite, end to end through the simulator: the rows a user
 * would find in their table, and the counts the ledger reports.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { POSTGRES_BACKENDS, type PostgresBackend } from './helpers/postgres.ts';
import { syncHarness as baseHarness } from './helpers/sync-harness.ts';
import { dataset, shift, localSeconds } from './helpers/shifts.ts';

const iso = (value: unknown) => (value as Date).toISOString();

function assertConserved(summary: { counts: { fetched: number; created: number; updated: number; unchanged: number; dead: number } }) {
  const c = summary.counts;
  assert.equal(c.fetched, c.created + c.updated + c.unchanged + c.dead, `conservation: ${JSON.stringify(c)}`);
}

// Postgres servers merge through bound arrays, or through COPY staging for large batches: both run.
const VARIANTS: { backend: PostgresBackend; label: string; copyMinRows: number | undefined }[] = POSTGRES_BACKENDS.flatMap((backend): { backend: PostgresBackend; label: string; copyMinRows: number | undefined }[] =>
  backend === 'postgres' ? [{ backend, label: 'postgres', copyMinRows: Infinity }, { backend, label: 'postgres (COPY staging)', copyMinRows: 1 }] : [{ backend, label: backend, copyMinRows: undefined }],
);

for (const { backend, label, copyMinRows } of VARIANTS) {
  const syncHarness = (b: typeof backend, options: Parameters<typeof baseHarness>[1]) => baseHarness(b, { ...options, ...(copyMinRows !== undefined ? { copyMinRows } : {}) });
  describe(`connecteam.shifts on ${label}`, () => {
    test('a second run over unchanged data is all unchanged and writes no row', async () => {
      const shifts = [shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), shift(102, '2026-11-10T10:00', '2026-11-10T18:30'), shift(101, '2026-11-11T09:00', '2026-11-11T17:00')];
      const h = await syncHarness(backend, { dataset: dataset(shifts) });
      try {
        const first = await h.run('2026-11-10', '2026-11-12');
        assert.equal(first.status, 'succeeded', first.error ?? '');
        assert.deepEqual(first.counts, { fetched: 3, created: 3, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
        const before = await h.rows();
        const second = await h.run('2026-11-10', '2026-11-12');
        assert.deepEqual(second.counts, { fetched: 3, created: 0, updated: 0, unchanged: 3, deleted: 0, dead: 0 });
        const after = await h.rows();
        // xmin changes whenever Postgres writes a row version: equal xmin means zero writes.
        assert.deepEqual(after.map((r) => r.xmin), before.map((r) => r.xmin));
        assert.deepEqual(await h.ledger.changes(second.runId), []);
      } finally {
        await h.close();
      }
    });

    test('two real shifts 6 hours apart on one day are two rows, at the right UTC instants (CST and CDT)', async () => {
      const shifts = [
        shift(101, '2026-11-10T08:00', '2026-11-10T12:00'),
        shift(101, '2026-11-10T14:00', '2026-11-10T18:00'),
        shift(101, '2026-10-20T08:00', '2026-10-20T12:00'),
        shift(101, '2026-10-20T14:00', '2026-10-20T18:00'),
      ];
      const h = await syncHarness(backend, { dataset: dataset(shifts) });
      try {
        const summary = await h.run('2026-10-20', '2026-11-11');
        assert.equal(summary.counts.created, 4);
        const rows = await h.rows('deleted_at IS NULL', 'start_at');
        assert.deepEqual(
          rows.map((r) => [r.shift_id, iso(r.start_at), iso(r.end_at), r.business_date, Number(r.duration_minutes)]),
          [
            [shifts[2]!.id, '2026-10-20T13:00:00.000Z', '2026-10-20T17:00:00.000Z', '2026-10-20', 240],
            [shifts[3]!.id, '2026-10-20T19:00:00.000Z', '2026-10-20T23:00:00.000Z', '2026-10-20', 240],
            [shifts[0]!.id, '2026-11-10T14:00:00.000Z', '2026-11-10T18:00:00.000Z', '2026-11-10', 240],
            [shifts[1]!.id, '2026-11-10T20:00:00.000Z', '2026-11-11T00:00:00.000Z', '2026-11-10', 240],
          ],
        );
      } finally {
        await h.close();
      }
    });

    test('shifts across DST changes land at the right UTC instants with their real durations', async () => {
      const fallBack = shift(101, '2026-11-01T00:30', '2026-11-01T04:30'); // CDT → CST: 5 real hours
      const springForward = shift(102, '2026-03-08T00:30', '2026-03-08T04:30'); // CST → CDT: 3 real hours
      const newYork = shift(102, '2026-11-01T09:00', '2026-11-01T13:00', 'America/New_York');
      const h = await syncHarness(backend, { dataset: dataset([fallBack, springForward, newYork]) });
      try {
        await h.run('2026-03-07', '2026-11-03');
        const rows = await h.rows('true', 'start_at');
        assert.deepEqual(
          rows.map((r) => [iso(r.start_at), iso(r.end_at), Number(r.duration_minutes), r.start_timezone]),
          [
            ['2026-03-08T06:30:00.000Z', '2026-03-08T09:30:00.000Z', 180, 'America/Chicago'],
            ['2026-11-01T05:30:00.000Z', '2026-11-01T10:30:00.000Z', 300, 'America/Chicago'],
            ['2026-11-01T14:00:00.000Z', '2026-11-01T18:00:00.000Z', 240, 'America/New_York'],
          ],
        );
      } finally {
        await h.close();
      }
    });

    test('an open shift that closes later updates its row; an edited clock-in updates the same row', async () => {
      const open = shift(101, '2026-11-10T09:00', null);
      const edited = shift(102, '2026-11-10T08:00', '2026-11-10T16:00');
      const h = await syncHarness(backend, { dataset: dataset([open, edited]) });
      try {
        await h.run('2026-11-10', '2026-11-11');
        let rows = await h.rows();
        assert.equal(rows.find((r) => r.shift_id === open.id)?.is_open, true);
        assert.equal(rows.find((r) => r.shift_id === open.id)?.end_at, null);

        h.simulator.store.closeShift(open.id, localSeconds('2026-11-10T17:15'));
        h.simulator.store.updateShift(edited.id, { start: { ...edited.start, timestamp: localSeconds('2026-11-10T07:45') } });
        const second = await h.run('2026-11-10', '2026-11-11');
        assert.deepEqual(second.counts, { fetched: 2, created: 0, updated: 2, unchanged: 0, deleted: 0, dead: 0 });

        rows = await h.rows();
        assert.equal(rows.length, 2, 'still one row per shift');
        const closed = rows.find((r) => r.shift_id === open.id)!;
        assert.equal(closed.is_open, false);
        assert.equal(iso(closed.end_at), '2026-11-10T23:15:00.000Z');
        assert.equal(iso(rows.find((r) => r.shift_id === edited.id)!.start_at), '2026-11-10T13:45:00.000Z');

        const changes = await h.ledger.changes(second.runId);
        const change = changes.find((c) => c.key === edited.id)!;
        assert.equal(change.op, 'updated');
        assert.match(String(change.before?.start_at), /^2026-11-10T14:00:00/);
        assert.match(String(change.after?.start_at), /^2026-11-10T13:45:00/);
      } finally {
        await h.close();
      }
    });

    test('a shift deleted upstream is marked deleted only inside the synced window', async () => {
      const inside = shift(101, '2026-11-10T09:00', '2026-11-10T17:00');
      const keep = shift(102, '2026-11-10T09:00', '2026-11-10T17:00');
      const outside = shift(101, '2026-11-12T09:00', '2026-11-12T17:00');
      const h = await syncHarness(backend, { dataset: dataset([inside, keep, outside]), deleteGuard: { maxFraction: 1, minRows: 0 } });
      try {
        await h.run('2026-11-10', '2026-11-13');
        h.simulator.store.deleteShift(inside.id);
        h.simulator.store.deleteShift(outside.id);
        const summary = await h.run('2026-11-10', '2026-11-11');
        assert.equal(summary.counts.deleted, 1);
        const rows = await h.rows();
        assert.notEqual(rows.find((r) => r.shift_id === inside.id)!.deleted_at, null, 'deleted inside the window');
        assert.equal(rows.find((r) => r.shift_id === outside.id)!.deleted_at, null, 'untouched outside the window');
        assert.equal(rows.find((r) => r.shift_id === keep.id)!.deleted_at, null);
        const changes = await h.ledger.changes(summary.runId);
        assert.deepEqual(changes.map((c) => [c.key, c.op]), [[inside.id, 'deleted']]);
      } finally {
        await h.close();
      }
    });

    test("a shift whose id changes upstream: the old row is deleted, the new one created", async () => {
      const original = shift(101, '2026-11-10T09:00', '2026-11-10T17:00');
      const other = shift(102, '2026-11-10T09:00', '2026-11-10T17:00');
      const h = await syncHarness(backend, { dataset: dataset([original, other]), deleteGuard: { maxFraction: 1, minRows: 0 } });
      try {
        await h.run('2026-11-10', '2026-11-11');
        const newId = h.simulator.store.changeShiftId(original.id);
        const summary = await h.run('2026-11-10', '2026-11-11');
        assert.equal(summary.counts.created, 1);
        assert.equal(summary.counts.deleted, 1);
        const live = await h.rows('deleted_at IS NULL');
        assert.deepEqual(live.map((r) => r.shift_id).sort(), [newId, other.id].sort());
      } finally {
        await h.close();
      }
    });

    test('an empty upstream answer deletes nothing and flags the run', async () => {
      const shifts = [shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), shift(102, '2026-11-10T09:00', '2026-11-10T17:00')];
      const h = await syncHarness(backend, { dataset: dataset(shifts) });
      try {
        await h.run('2026-11-10', '2026-11-11');
        h.simulator.store.clear();
        const summary = await h.run('2026-11-10', '2026-11-11');
        assert.equal(summary.status, 'succeeded');
        assert.equal(summary.counts.deleted, 0);
        assert.deepEqual(summary.warnings.map((w) => w.code), ['empty_read']);
        assert.equal((await h.rows('deleted_at IS NULL')).length, 2);
        const run = await h.ledger.getRun(summary.runId);
        assert.deepEqual(run?.warnings.map((w) => w.code), ['empty_read']);
      } finally {
        await h.close();
      }
    });

    test('a read that drops most of a window deletes nothing and is flagged as truncated', async () => {
      const shifts = Array.from({ length: 30 }, (_, i) => shift(100 + i, '2026-11-10T09:00', '2026-11-10T17:00'));
      const h = await syncHarness(backend, { dataset: dataset(shifts) });
      try {
        await h.run('2026-11-10', '2026-11-11');
        for (const s of shifts.slice(0, 25)) h.simulator.store.deleteShift(s.id);
        const summary = await h.run('2026-11-10', '2026-11-11');
        assert.equal(summary.counts.deleted, 0);
        assert.deepEqual(summary.warnings.map((w) => w.code), ['suspected_truncation']);
        assert.match(summary.warnings[0]!.message, /would delete 25 of 30 live rows/);
        assert.equal((await h.rows('deleted_at IS NULL')).length, 30);
      } finally {
        await h.close();
      }
    });

    test('a malformed shift goes to the dead letters with its reason while the rest land', async () => {
      const shifts = [shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), shift(102, '2026-11-10T09:00', '2026-11-10T17:00')];
      const h = await syncHarness(backend, { dataset: dataset(shifts) });
      try {
        h.simulator.faults.malformedShift = true;
        const summary = await h.run('2026-11-10', '2026-11-11');
        assert.equal(summary.status, 'succeeded');
        assert.equal(summary.counts.dead, 1);
        assert.equal(summary.counts.created, 2);
        assertConserved(summary);
        assert.equal((await h.rows()).length, 2);
        const dead = await h.ledger.deadLetters({ runId: summary.runId });
        assert.equal(dead.length, 1);
        assert.match(dead[0]!.reason, /invalid Connecteam shift: start\.timestamp/);
        assert.equal((dead[0]!.payload as { start: { timestamp: unknown } }).start.timestamp, 'not-a-time');
      } finally {
        await h.close();
      }
    });

    test('batches: many shifts in batches of 7 give exact counts and one row each', async () => {
      const shifts = Array.from({ length: 50 }, (_, i) => shift(100 + (i % 10), `2026-11-${String(10 + (i % 5)).padStart(2, '0')}T${String(6 + Math.floor(i / 10) * 3).padStart(2, '0')}:00`, null));
      const h = await syncHarness(backend, { dataset: dataset(shifts), batchSize: 7 });
      try {
        const summary = await h.run('2026-11-10', '2026-11-15');
        assert.deepEqual(summary.counts, { fetched: 50, created: 50, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
        assert.equal((await h.rows()).length, 50);
        const run = await h.ledger.getRun(summary.runId);
        assert.equal(run?.status, 'succeeded');
        assert.equal(run?.progress && 'percent' in run.progress ? run.progress.percent : null, 100);
      } finally {
        await h.close();
      }
    });
    test('text with tabs, newlines, backslashes, a literal \\N and emoji lands byte for byte', async () => {
      const note = 'tab\there\nnew line\r\nback\\slash \\N not null 🕐 Zoë';
      const s = { ...shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), employeeNote: note, managerNote: '' };
      const h = await syncHarness(backend, { dataset: dataset([s]) });
      try {
        await h.run('2026-11-10', '2026-11-11');
        const [row] = await h.rows();
        assert.equal(row!.employee_note, note);
        assert.equal(row!.manager_note, '', 'an empty string is not NULL');
        assert.equal((row!.raw as { employeeNote: string }).employeeNote, note);
        assert.equal((await h.run('2026-11-10', '2026-11-11')).counts.unchanged, 1);
      } finally {
        await h.close();
      }
    });
  });
}

const syncHarness = baseHarness;

test('429s, 5xx bursts and a truncated body are retried; the run lands everything', async () => {
  const shifts = [shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), shift(102, '2026-11-10T09:00', '2026-11-10T17:00')];
  const h = await syncHarness('postgres', { dataset: dataset(shifts) });
  try {
    Object.assign(h.simulator.faults, { status429: 1, status5xx: 2, truncateNext: 1 });
    const summary = await h.run('2026-11-10', '2026-11-11');
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(summary.counts.created, 2);
    assert.equal(summary.upstream.rateLimited, 1);
    assert.equal(summary.upstream.retries, 4);
    assert.equal((await h.rows()).length, 2);
  } finally {
    await h.close();
  }
});

for (const backend of POSTGRES_BACKENDS) {
  test(`change log on ${backend}: before and after images share one representation, so only real changes differ`, async () => {
    const s = shift(101, '2026-11-10T09:00', '2026-11-10T17:00');
    const h = await syncHarness(backend, { dataset: dataset([s]) });
    try {
      await h.run('2026-11-10', '2026-11-11');
      h.simulator.store.updateShift(s.id, { managerNote: 'approved' });
      const summary = await h.run('2026-11-10', '2026-11-11');
      const [change] = await h.ledger.changes(summary.runId);
      const differing = Object.keys(change!.after!).filter((k) => JSON.stringify(change!.before![k]) !== JSON.stringify(change!.after![k]));
      // The note and its time changed; nothing else may look changed (raw is not in the images).
      assert.deepEqual(differing.sort(), ['manager_note', 'upstream_modified_at']);
      assert.equal('raw' in change!.after!, false);
      assert.equal(change!.before!.user_id, '101');
      assert.equal(change!.before!.start_at, '2026-11-10T15:00:00.000Z');
      assert.equal(change!.before!.duration_minutes, '480');
    } finally {
      await h.close();
    }
  });
}

test('a window answered empty is flagged even when padding days still had shifts', async () => {
  const inWindow = [shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), shift(102, '2026-11-10T09:00', '2026-11-10T12:00')];
  const padding = shift(101, '2026-11-09T09:00', '2026-11-09T17:00'); // the day before: requested as padding
  const h = await syncHarness('postgres', { dataset: dataset([...inWindow, padding]) });
  try {
    await h.run('2026-11-10', '2026-11-11');
    for (const s of inWindow) h.simulator.store.deleteShift(s.id);
    const summary = await h.run('2026-11-10', '2026-11-11');
    assert.equal(summary.counts.fetched, 1, 'the padding day still answered');
    assert.equal(summary.counts.deleted, 0);
    assert.deepEqual(summary.warnings.map((w) => w.code), ['empty_read']);
  } finally {
    await h.close();
  }
});

test('a NUL character in a note is removed instead of failing the batch', async () => {
  const s = { ...shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), employeeNote: 'late\u0000bus' };
  const h = await syncHarness('postgres', { dataset: dataset([s, shift(102, '2026-11-10T09:00', '2026-11-10T17:00')]) });
  try {
    const summary = await h.run('2026-11-10', '2026-11-11');
    assert.equal(summary.status, 'succeeded', summary.error ?? '');
    assert.equal(summary.counts.created, 2);
    const [row] = await h.rows(`shift_id = '${s.id}'`);
    assert.equal(row!.employee_note, 'latebus');
    const again = await h.run('2026-11-10', '2026-11-11');
    assert.equal(again.counts.unchanged, 2, 'and the re-run is still a no-op');
  } finally {
    await h.close();
  }
});
