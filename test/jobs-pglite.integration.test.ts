/**
 * The embedded default: control plane (ledger and pg-boss) and warehouse in PGlite data
 * directories, one process. A trigger runs; a second trigger while it runs queues one follow-up and
 * a third is coalesced into that; the warehouse gets the rows; closing the job engine leaves our
 * PGlite to the ledger, which closes it and releases its directory. Then the same as a user runs
 * it: `tidemark trigger` twice (coalesced), `tidemark start`, SIGTERM, exit 0, and the ledger read
 * back from the directory afterwards.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { openPostgres } from '../src/db/open.ts';
import { openJobs } from '../src/jobs/open-jobs.ts';
import { applySchedules } from '../src/jobs/schedules.ts';
import { startWorker } from '../src/jobs/worker.ts';
import { jobsSchema } from '../src/jobs/queues.ts';
import { runCli, startCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift } from './helpers/shifts.ts';
import { connecteamJobsConfig, waitFor } from './helpers/job-engine.ts';

const SHIFTS = [
  shift(101, '2026-11-10T08:00', '2026-11-10T12:00'),
  shift(102, '2026-11-10T14:00', '2026-11-10T18:00'),
  shift(101, '2026-11-11T08:00', '2026-11-11T12:00'),
];

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  job_id: string | null;
  attempt: number | null;
  created: number;
  unchanged: number;
}

function pgliteConfig(dir: string, baseUrl: string) {
  return connecteamJobsConfig({
    controlUrl: `pglite:${join(dir, 'control')}`,
    controlSchema: 'tidemark',
    destinationUrl: `pglite:${join(dir, 'warehouse')}`,
    baseUrl,
    shifts: { windows: { today: { futureDays: 1 } }, schedules: [{ cron: '0 5 * * *', window: 'today' }] },
    jobs: { pollingIntervalSeconds: 0.5, cronIntervalSeconds: 5, monitorIntervalSeconds: 5 },
  });
}

/** Reopen a closed PGlite directory (this fails while another handle still holds its lock) and read from it. */
async function readDirectory<T>(url: string, sql: string): Promise<T[]> {
  const db = await openPostgres(url);
  try {
    return (await db.query<T>(sql)).rows;
  } finally {
    await db.close();
  }
}

const RUNS_SQL = 'SELECT id::text, status, trigger, job_id, attempt, created, unchanged FROM tidemark.runs ORDER BY id';

test('one process on PGlite: a trigger runs, a second while it runs queues one follow-up, a third is coalesced; rows arrive; close releases PGlite', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-pglite-jobs-'));
  // Slow answers while the triggers are sent, so the first run is certainly still running.
  const simulator = await startConnecteamSimulator({ dataset: dataset(SHIFTS), rateLimit: false, faults: { latencyMs: 1500 } });
  const raw = pgliteConfig(dir, simulator.url);
  const config = parseConfig(raw);
  const env = { ACME_CT_KEY: simulator.apiKey };
  const errors: string[] = [];
  const jobs = await openJobs(config, env, { schedule: true, supervise: true, onError: (error) => errors.push(error.message) });
  let closed = false;
  try {
    assert.equal(jobs.ledger.db.kind, 'pglite');
    const drift = await applySchedules(jobs.engine, config);
    assert.deepEqual(drift.missing.map((m) => m.key), ['acme-shifts/today']);
    assert.deepEqual((await jobs.engine.registeredSchedules()).map((s) => [s.key, s.cron, s.timezone]), [['acme-shifts/today', '0 5 * * *', 'America/Chicago']]);

    const finished: string[] = [];
    const worker = await startWorker({ config, env, ledger: jobs.ledger, engine: jobs.engine, onRun: (summary) => finished.push(summary.status) });
    try {
      const window = { from: '2026-11-10', to: '2026-11-12' };
      const first = await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', ...window });
      assert.ok(first.jobId, 'the first trigger queues a job');
      const running = await waitFor('the first run to be running', async () => (await jobs.ledger.runningRuns()).find((r) => r.syncId === 'acme-shifts'), {
        describe: async () => JSON.stringify((await jobs.ledger.db.query(RUNS_SQL)).rows),
      });

      // While it runs: one follow-up is queued, and any further trigger is coalesced into it.
      const second = await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', ...window });
      assert.ok(second.jobId, 'a trigger while a run is active queues one follow-up');
      assert.notEqual(second.jobId, first.jobId);
      const third = await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', ...window });
      assert.deepEqual(third, { jobId: null, queuedJobId: second.jobId }, 'a third trigger is coalesced into the queued follow-up');
      const fourth = await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', ...window });
      assert.deepEqual(fourth, { jobId: null, queuedJobId: second.jobId });

      simulator.faults.latencyMs = 0;
      const runs = await waitFor(
        'the run and its one follow-up to succeed',
        async () => {
          const rows = (await jobs.ledger.db.query<RunRow>(RUNS_SQL)).rows;
          return rows.length === 2 && rows.every((r) => r.status === 'succeeded') ? rows : null;
        },
        { describe: async () => JSON.stringify((await jobs.ledger.db.query(RUNS_SQL)).rows) },
      );
      assert.equal(runs[0]!.id, running.id);
      assert.deepEqual(
        runs.map((r) => [r.job_id, r.attempt, r.created, r.unchanged]),
        [
          [first.jobId, 1, 3, 0],
          [second.jobId, 1, 0, 3],
        ],
        'the follow-up re-read the same days and found them unchanged',
      );
      const sent = await jobs.engine.jobsOf('acme-shifts');
      assert.deepEqual(
        sent.map((j) => [j.id, j.state]).sort(),
        [
          [first.jobId, 'completed'],
          [second.jobId, 'completed'],
        ].sort(),
        'four triggers made two jobs',
      );
      assert.deepEqual(finished, ['succeeded', 'succeeded']);
    } finally {
      await worker.stop();
    }

    // Stopping the job engine does not close the PGlite the ledger shares with it.
    await jobs.engine.stop();
    const stillOpen = await jobs.ledger.db.query<{ n: number }>('SELECT count(*)::int AS n FROM tidemark.runs');
    assert.equal(stillOpen.rows[0]!.n, 2);
    await jobs.close();
    closed = true;
    assert.deepEqual(errors, [], 'pg-boss reported no errors');

    // Both directories were closed and unlocked: they open again, with everything written.
    const after = await readDirectory<RunRow>(`pglite:${join(dir, 'control')}`, RUNS_SQL);
    assert.deepEqual(after.map((r) => r.status), ['succeeded', 'succeeded']);
    const registered = await readDirectory<{ key: string }>(`pglite:${join(dir, 'control')}`, `SELECT key FROM ${jobsSchema('tidemark')}.schedule`);
    assert.deepEqual(registered.map((r) => r.key), ['acme-shifts/today']);
    const rows = await readDirectory<{ n: number }>(`pglite:${join(dir, 'warehouse')}`, 'SELECT count(*)::int AS n FROM connecteam_shifts');
    assert.equal(rows[0]!.n, 3);
  } finally {
    if (!closed) await jobs.close().catch(() => undefined);
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});

test('`tidemark trigger` twice (coalesced), then `tidemark start` on PGlite runs it; SIGTERM exits 0; the ledger reads back from the directory', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-pglite-start-'));
  const simulator = await startConnecteamSimulator({ dataset: dataset(SHIFTS), rateLimit: false });
  try {
    const configPath = writeConfig(pgliteConfig(dir, simulator.url));
    const env = { ACME_CT_KEY: simulator.apiKey };

    // Queued while no worker runs: the second trigger is coalesced into the first.
    const first = await runCli(['trigger', 'acme-shifts', '--from', '2026-11-10', '--to', '2026-11-12', '--json', '--config', configPath], env);
    assert.equal(first.code, 0, first.stderr);
    const queued = JSON.parse(first.stdout) as { jobId: string | null; coalescedInto: string | null };
    assert.ok(queued.jobId);
    assert.equal(queued.coalescedInto, null);
    const second = await runCli(['trigger', 'acme-shifts', '--from', '2026-11-10', '--to', '2026-11-12', '--config', configPath], env);
    assert.equal(second.code, 0, second.stderr);
    assert.equal(second.stdout, `sync acme-shifts already has a run queued (job ${queued.jobId}); this trigger is coalesced into it\n`);

    // One process: registers the schedule, works the queue; stops on SIGTERM.
    const started = startCli(['start', '--json', '--config', configPath], env);
    let stdout = '';
    started.child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const run = await waitFor(
      'the queued run to finish in tidemark start',
      () => {
        const line = stdout.split('\n').find((l) => l.startsWith('{'));
        return line ? (JSON.parse(line) as { event: string; jobId: string; status: string; counts: Record<string, number>; trigger: string }) : null;
      },
      { timeoutMs: 90_000, describe: () => stdout },
    );
    assert.equal(run.event, 'run');
    assert.equal(run.jobId, queued.jobId);
    assert.equal(run.status, 'succeeded');
    assert.equal(run.trigger, 'manual');
    assert.deepEqual(run.counts, { fetched: 3, created: 3, updated: 0, unchanged: 0, deleted: 0, dead: 0 });

    started.child.kill('SIGTERM');
    const result = await started.done;
    assert.equal(result.code, 0, result.stderr);
    assert.match(result.stderr, /tidemark start: 1 schedule\(s\) registered \(1 added, 0 changed, 0 removed\)/);
    assert.match(result.stderr, /tidemark start: stopped/);
    assert.equal(result.stdout.trim().split('\n').length, 1, `one run: ${result.stdout}`);

    // The directories are free again and hold what the process wrote.
    const runs = await readDirectory<RunRow>(`pglite:${join(dir, 'control')}`, RUNS_SQL);
    assert.deepEqual(
      runs.map((r) => [r.status, r.trigger, r.job_id, r.attempt, r.created]),
      [['succeeded', 'manual', queued.jobId, 1, 3]],
    );
    const rows = await readDirectory<{ n: number }>(`pglite:${join(dir, 'warehouse')}`, 'SELECT count(*)::int AS n FROM connecteam_shifts');
    assert.equal(rows[0]!.n, 3);
    // And the schedule `start` registered is there for the next start (nothing drifts).
    const listed = await runCli(['schedules', 'list', '--json', '--config', configPath], env);
    assert.equal(listed.code, 0, listed.stdout + listed.stderr);
    const schedules = JSON.parse(listed.stdout) as { schedules: { key: string; registered: string }[]; extra: unknown[] };
    assert.deepEqual(schedules.schedules.map((s) => [s.key, s.registered]), [['acme-shifts/today', 'yes']]);
    assert.deepEqual(schedules.extra, []);
  } finally {
    await simulator.close();
    rmSync(dir, { recursive: true, force: true });
  }
});
