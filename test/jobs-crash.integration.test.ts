/**
 * Issue 5, crash safety with separate `tidemark worker` processes: a worker killed with SIGKILL
 * mid-run (its run is marked failed, the job retried on another worker resumes from the checkpoint)
 * and a worker stopped with SIGTERM (exits 0, its run interrupted and resumed elsewhere). Both end
 * with the warehouse equal to the upstream: every shift once, none twice.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { addDays } from '../src/time/business-day.ts';
import type { DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';
import { pgRows } from './helpers/postgres.ts';
import { runCli } from './helpers/cli.ts';
import { dataset, shift } from './helpers/shifts.ts';
import { formatRuns, jobsWorld, ownerPid, waitUntil, type JobsWorld, type RunRow } from './helpers/jobs.ts';

const FROM = '2025-06-01';
const DAYS = 400;

/** 400 days, one shift a day: read in five 92-day requests, merged 50 at a time. */
function shifts(): DatasetShift[] {
  return Array.from({ length: DAYS }, (_, day) => {
    const date = addDays(FROM, day);
    return shift(day % 2 ? 101 : 102, `${date}T08:00`, `${date}T12:00`);
  });
}

/** Queue a run of the whole range as a user would, and wait until a worker has checkpointed a few batches of it. */
async function triggerAndWaitForCheckpoints(world: JobsWorld): Promise<RunRow> {
  const queued = await runCli(['trigger', 'acme-shifts', '--from', FROM, '--to', addDays(FROM, DAYS), '--config', world.configPath], world.env);
  assert.equal(queued.code, 0, queued.stderr);
  assert.match(queued.stdout, /queued job \S+ for sync acme-shifts/);
  return waitUntil(
    'the run to checkpoint two batches',
    async () => (await world.runs('acme-shifts')).find((r) => r.status === 'running' && r.fetched >= 100),
    60_000,
    () => world.diagnostics(),
  );
}

async function assertWarehouseEqualsUpstream(world: JobsWorld, upstream: readonly DatasetShift[]): Promise<void> {
  const ids = await world.destinationShiftIds();
  assert.equal(ids.length, upstream.length, 'one row per upstream shift');
  assert.equal(new Set(ids).size, ids.length, 'no duplicate rows');
  const present = new Set(ids);
  assert.deepEqual(upstream.filter((s) => !present.has(s.id)).map((s) => s.id), [], 'no shift missing');
}

test('a worker killed with SIGKILL mid-run: the run is marked failed, retried on another worker from its checkpoint; the warehouse equals the upstream', { timeout: 150_000 }, async () => {
  const upstream = shifts();
  // Each request takes 1.5 s, so the run is still reading when the worker is killed.
  const world = await jobsWorld({ dataset: dataset(upstream), batchSize: 50, faults: { latencyMs: 1500 } });
  try {
    const workers = await world.startWorkers(2);
    const killed = await triggerAndWaitForCheckpoints(world);
    const victim = workers.find((w) => w.pid === ownerPid(killed.owner));
    assert.ok(victim, `the run's owner ${killed.owner} is one of the workers`);
    victim.child.kill('SIGKILL');
    const death = await victim.done;
    assert.equal(death.signal, 'SIGKILL');
    const survivor = workers.find((w) => w !== victim)!;
    world.simulator.faults.latencyMs = 50;

    // pg-boss finds the job silent (heartbeatSeconds) and retries it; the retry resumes the run.
    const resumed = await waitUntil(
      'a run resuming the killed one to succeed',
      async () => {
        const runs = await world.runs('acme-shifts');
        const next = runs.find((r) => r.resumed_from === killed.id);
        if (next && next.status !== 'running' && next.status !== 'succeeded') throw new Error(`the resuming run ended ${next.status}\n${formatRuns(runs)}`);
        return next?.status === 'succeeded' ? next : null;
      },
      90_000,
      () => world.diagnostics(),
    );
    const runs = await world.runs('acme-shifts');
    assert.equal(runs.length, 2, formatRuns(runs));
    const lost = runs.find((r) => r.id === killed.id)!;
    assert.equal(lost.status, 'failed', 'the killed run is marked failed, never left running');
    assert.match(lost.error ?? '', /lost: its worker \(.*\) stopped/);
    assert.equal(lost.resumable, false, 'its checkpoint was taken over');
    assert.equal(ownerPid(resumed.owner), survivor.pid, 'finished by the other worker');
    assert.equal(resumed.job_id, killed.job_id, 'the same job, retried');
    assert.equal(resumed.attempt, 2);
    assert.equal(resumed.fetched, upstream.length, 'every shift counted once across the kill');
    assert.equal(resumed.created + resumed.unchanged, upstream.length);
    assert.equal(resumed.updated + resumed.dead, 0);
    await assertWarehouseEqualsUpstream(world, upstream);

    const { engine } = await world.jobs();
    const jobs = await engine.jobsOf('acme-shifts');
    assert.deepEqual(jobs.map((j) => ({ id: j.id, state: j.state, retryCount: j.retryCount })), [{ id: killed.job_id, state: 'completed', retryCount: 1 }]);
    const events = await pgRows<{ kind: string; run_id: string }>(`SELECT kind, run_id::text FROM "${world.controlSchema}".events ORDER BY id`);
    assert.deepEqual(events, [{ kind: 'run_lost', run_id: killed.id }], 'the lost run is reported once');
    assert.equal(survivor.exited(), null, 'the other worker kept running');
  } finally {
    await world.cleanup();
  }
});

test('a worker stopped with SIGTERM mid-run exits 0; its run is interrupted and a follow-up job resumes it on another worker', { timeout: 150_000 }, async () => {
  const upstream = shifts();
  const world = await jobsWorld({ dataset: dataset(upstream), batchSize: 50, faults: { latencyMs: 1500 } });
  try {
    const workers = await world.startWorkers(2);
    const stopped = await triggerAndWaitForCheckpoints(world);
    const victim = workers.find((w) => w.pid === ownerPid(stopped.owner));
    assert.ok(victim, `the run's owner ${stopped.owner} is one of the workers`);
    victim.child.kill('SIGTERM');
    const exit = await waitUntil('the stopped worker to exit', () => victim.exited(), 30_000, () => world.diagnostics());
    assert.equal(exit.code, 0, world.diagnostics());
    assert.match(exit.stderr, /tidemark worker: stopped/);
    const survivor = workers.find((w) => w !== victim)!;
    world.simulator.faults.latencyMs = 50;

    const resumed = await waitUntil(
      'the follow-up run to succeed',
      async () => {
        const runs = await world.runs('acme-shifts');
        const next = runs.find((r) => r.resumed_from === stopped.id);
        if (next && next.status !== 'running' && next.status !== 'succeeded') throw new Error(`the follow-up run ended ${next.status}\n${formatRuns(runs)}`);
        return next?.status === 'succeeded' ? next : null;
      },
      90_000,
      () => world.diagnostics(),
    );
    const runs = await world.runs('acme-shifts');
    assert.equal(runs.length, 2, formatRuns(runs));
    const interrupted = runs.find((r) => r.id === stopped.id)!;
    assert.equal(interrupted.status, 'interrupted', 'stopped on request, not failed');
    assert.ok(interrupted.fetched >= 100 && interrupted.fetched < upstream.length, `it checkpointed part of the read (${interrupted.fetched})`);
    assert.equal(resumed.trigger, 'resume');
    assert.notEqual(resumed.job_id, stopped.job_id, 'a follow-up job, not a retry');
    assert.equal(resumed.attempt, 1);
    assert.equal(ownerPid(resumed.owner), survivor.pid, 'finished by the other worker');
    assert.deepEqual([resumed.window_from, resumed.window_to], [FROM, addDays(FROM, DAYS)], 'the same days');
    assert.equal(resumed.fetched, upstream.length, 'every shift counted once across the stop');
    assert.equal(resumed.created + resumed.unchanged, upstream.length);
    assert.equal(resumed.updated + resumed.dead, 0);
    await assertWarehouseEqualsUpstream(world, upstream);

    const { engine } = await world.jobs();
    const jobs = await engine.jobsOf('acme-shifts');
    assert.deepEqual(
      jobs.map((j) => ({ id: j.id, state: j.state, retryCount: j.retryCount })),
      [
        { id: stopped.job_id, state: 'completed', retryCount: 0 },
        { id: resumed.job_id, state: 'completed', retryCount: 0 },
      ],
      'the stopped job completed (no attempt spent) and its follow-up ran',
    );
  } finally {
    await world.cleanup();
  }
});
