/**
 * Issue 5, with separate `tidemark worker` processes on one Postgres: every scheduled tick runs
 * exactly once however many workers evaluate the schedules, and 50 concurrent triggers of one sync
 * give one active run at a time (the rest coalesced into at most one follow-up). Each test has its
 * own control plane, workers and warehouse; they run one after the other to keep the number of
 * Postgres connections modest (each worker holds about seven).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { applySchedules } from '../src/jobs/schedules.ts';
import type { SyncJobData } from '../src/jobs/sync-job.ts';
import type { TriggerResult } from '../src/jobs/job-engine.ts';
import { addDays, todayIn } from '../src/time/business-day.ts';
import { pgRows } from './helpers/postgres.ts';
import { runCli } from './helpers/cli.ts';
import { dataset, shift } from './helpers/shifts.ts';
import { formatRuns, jobsWorld, ownerPid, waitUntil } from './helpers/jobs.ts';

const minuteOf = (at: Date | number): number => Math.floor(new Date(at).getTime() / 60_000);

test('50 concurrent triggers of one sync while three workers run: one active run at a time, the rest coalesced', { timeout: 180_000 }, async () => {
  const from = '2025-06-01';
  const days = 200;
  const shifts = [];
  for (let day = 0; day < days; day++) {
    const date = addDays(from, day);
    shifts.push(shift(101, `${date}T08:00`, `${date}T12:00`), shift(102, `${date}T14:00`, `${date}T18:00`));
  }
  // Each request takes 5 s at first, so the first run is still reading while more triggers arrive.
  const world = await jobsWorld({ dataset: dataset(shifts), batchSize: 50, faults: { latencyMs: 5000 } });
  try {
    const { engine } = await world.jobs();
    await world.startWorkers(3);
    const data: SyncJobData = { syncId: 'acme-shifts', trigger: 'manual', from, to: addDays(from, days) };
    const trigger50 = () => Promise.all(Array.from({ length: 50 }, () => engine.trigger(data)));
    const created = (results: readonly TriggerResult[]) => results.flatMap((r) => (r.jobId ? [r.jobId] : []));

    // Wave 1, with no run active: one job queued (a second when a worker took the first meanwhile).
    const first = await trigger50();
    const firstIds = created(first);
    assert.ok(firstIds.length >= 1 && firstIds.length <= 2, `wave 1 created ${firstIds.length} job(s)`);
    for (const result of first) {
      if (!result.jobId) assert.ok(result.queuedJobId === null || firstIds.includes(result.queuedJobId), 'a coalesced trigger names the queued job');
    }

    // Wave 2 (and the CLI), while the first run reads: at most one follow-up exists in all.
    const running = await waitUntil('the first run to start', async () => (await world.runs('acme-shifts')).find((r) => r.status === 'running'), 60_000, () => world.diagnostics());
    const [second, cli] = await Promise.all([
      trigger50(),
      runCli(['trigger', 'acme-shifts', '--from', data.from!, '--to', data.to!, '--json', '--config', world.configPath], world.env),
    ]);
    assert.equal(cli.code, 0, cli.stderr);
    const cliAnswer = JSON.parse(cli.stdout) as { jobId: string | null; coalescedInto: string | null };
    const stillRunning = (await world.runs('acme-shifts')).find((r) => r.id === running.id);
    assert.equal(stillRunning?.status, 'running', 'the first run was still active while the second wave arrived (else the bound below does not apply)');
    const allIds = [...firstIds, ...created(second), ...(cliAnswer.jobId ? [cliAnswer.jobId] : [])];
    assert.ok(allIds.length <= 2, `one active and at most one queued job: ${allIds.length} created by 101 triggers`);
    if (!cliAnswer.jobId) assert.ok(cliAnswer.coalescedInto === null || allIds.includes(cliAnswer.coalescedInto), 'the CLI names the job it was coalesced into');

    // Let the runs finish quickly, then wait until no job of the sync is left to run.
    world.simulator.faults.latencyMs = 50;
    const jobs = await waitUntil(
      'every job of the sync to finish',
      async () => {
        const all = await engine.jobsOf('acme-shifts');
        return all.every((j) => j.state === 'completed' || j.state === 'failed' || j.state === 'cancelled') ? all : null;
      },
      120_000,
      () => world.diagnostics(),
    );
    assert.deepEqual(new Set(jobs.map((j) => j.id)), new Set(allIds), 'no job beyond the ones the triggers created');
    assert.ok(jobs.every((j) => j.state === 'completed' && j.retryCount === 0), `every job completed at its first attempt: ${JSON.stringify(jobs.map((j) => ({ state: j.state, retries: j.retryCount, output: j.output })))}`);

    const runs = await world.runs('acme-shifts');
    assert.equal(runs.length, allIds.length, 'one run per job');
    assert.deepEqual(new Set(runs.map((r) => r.job_id)), new Set(allIds));
    assert.ok(runs.every((r) => r.status === 'succeeded' && r.attempt === 1), formatRuns(runs));
    // Never two at once: each run started after the one before it finished.
    for (let i = 1; i < runs.length; i++) {
      assert.ok(runs[i]!.started_at! >= runs[i - 1]!.finished_at!, `run #${runs[i]!.id} started before run #${runs[i - 1]!.id} finished`);
    }
    // The ledger's one-active-run index never had to refuse a run.
    assert.doesNotMatch(world.diagnostics(), /already has an active run/);
    const events = await pgRows<{ kind: string }>(`SELECT kind FROM "${world.controlSchema}".events`);
    assert.deepEqual(events, [], 'nothing lost, nothing dead-lettered');

    const ids = await world.destinationShiftIds();
    assert.equal(ids.length, shifts.length, 'one row per shift');
    assert.equal(new Set(ids).size, shifts.length);
    const present = new Set(ids);
    assert.ok(shifts.every((s) => present.has(s.id)), 'every shift present');
  } finally {
    await world.cleanup();
  }
});

test('three workers, two syncs scheduled every minute: each tick runs exactly once', { timeout: 240_000 }, async () => {
  const today = todayIn('America/Chicago');
  const world = await jobsWorld({
    dataset: dataset([shift(101, `${today}T08:00`, `${today}T12:00`), shift(102, `${today}T13:00`, `${today}T17:00`)]),
    schedules: { 'acme-shifts': [{ cron: '* * * * *', name: 'minutely' }], 'acme-users': [{ cron: '* * * * *', name: 'minutely' }] },
  });
  try {
    // Three workers start together on an empty control plane (each migrates the ledger and pg-boss).
    const workers = await world.startWorkers(3);

    // Register the schedules in minute M, not in its last seconds. pg-boss sends an occurrence that
    // came due in the last 60 s, so minute M's own tick fires at once, then one tick per minute
    // boundary while the workers run.
    const { engine } = await world.jobs();
    await waitUntil('a minute with time left in it', () => new Date().getUTCSeconds() < 52, 30_000);
    const registeredFrom = Date.now();
    await applySchedules(engine, world.config);
    const registered = minuteOf(registeredFrom);
    assert.equal(minuteOf(Date.now()), registered, 'registered within the minute');

    // The scheduled runs of a sync, each with the minute its job was created in: the tick it came
    // from (the cron pass sends a due occurrence within a second or two).
    const scheduled = (syncId: string) =>
      pgRows<{ id: string; status: string; attempt: number | null; owner: string | null; job_id: string | null; tick: number | null }>(
        `SELECT r.id::text, r.status, r.attempt, r.owner, r.job_id, floor(extract(epoch FROM j.created_on) / 60)::int AS tick
         FROM "${world.controlSchema}".runs r LEFT JOIN "${world.jobsSchema}".job j ON j.id = r.job_id::uuid
         WHERE r.sync_id = $1 AND r.trigger = 'schedule:minutely' ORDER BY r.id`,
        [syncId],
      );
    // Wait across two minute boundaries: until both syncs finished the run of minute M+2's tick.
    await waitUntil(
      "both syncs' runs of the tick two minutes after registration",
      async () => {
        for (const syncId of ['acme-shifts', 'acme-users']) {
          const runs = await scheduled(syncId);
          if (runs.some((r) => r.status === 'running') || !runs.some((r) => r.tick !== null && r.tick >= registered + 2)) return false;
        }
        return true;
      },
      200_000,
      () => world.diagnostics(),
    );
    const stopFrom = Date.now();
    for (const worker of workers) worker.child.kill('SIGTERM');
    const exits = await Promise.all(workers.map((w) => w.done));
    const stoppedBy = Date.now();
    assert.deepEqual(exits.map((e) => e.code), [0, 0, 0], world.diagnostics());

    // Ticks that must have run: every minute from M to the one the stop was asked in; ticks that
    // may have run: up to the workers' exit.
    const span = (a: number, b: number) => Array.from({ length: Math.max(0, b - a + 1) }, (_, i) => a + i);
    const must = span(registered, minuteOf(stopFrom));
    const may = span(registered, minuteOf(stoppedBy));
    const owners = new Set<number | null>();
    for (const syncId of ['acme-shifts', 'acme-users']) {
      const runs = await scheduled(syncId);
      const lines = runs.map((r) => `#${r.id} ${r.status} attempt ${r.attempt} tick M${r.tick === null ? '?' : `+${r.tick - registered}`} by ${r.owner}`).join('\n');
      assert.ok(runs.every((r) => r.status === 'succeeded' && r.attempt === 1), `${syncId}: every scheduled run succeeded at once\n${lines}`);
      assert.equal(new Set(runs.map((r) => r.job_id)).size, runs.length, `${syncId}: one run per job\n${lines}`);
      const ticks = runs.map((r) => r.tick!);
      assert.equal(new Set(ticks).size, ticks.length, `${syncId}: no tick ran twice\n${lines}`);
      assert.ok(
        must.every((m) => ticks.includes(m)) && ticks.every((m) => may.includes(m)),
        `${syncId}: one run per tick, M..M+${minuteOf(stopFrom) - registered} (at most to M+${minuteOf(stoppedBy) - registered})\n${lines}`,
      );
      for (const run of runs) owners.add(ownerPid(run.owner));
    }
    assert.ok([...owners].every((pid) => workers.some((w) => w.pid === pid)), 'every run was made by one of the workers');
    const shiftIds = await world.destinationShiftIds();
    assert.equal(shiftIds.length, 2, "today's two shifts landed once each");
  } finally {
    await world.cleanup();
  }
});
