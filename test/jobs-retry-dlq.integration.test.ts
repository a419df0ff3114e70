/**
 * Failures of queued runs, with a worker and the Connecteam simulator in this process and the
 * control plane and warehouse on the test Postgres:
 * - an upstream that answers 503 every time: the job is retried with backoff (three runs, attempts
 *   1, 2, 3, one job id), then dead-lettered with its error and an event; `tidemark dlq list`
 *   shows it, and `tidemark dlq replay` sends it back once the upstream is healthy;
 * - a rejected API key (401) and a sync no longer in the configuration are not retried: one try,
 *   straight to the dead-letter queue, event recorded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import type { JobWithMetadata } from 'pg-boss';
import { startConnecteamSimulator, type ConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { openJobs, type OpenJobs } from '../src/jobs/open-jobs.ts';
import { startWorker, type Worker } from '../src/jobs/worker.ts';
import { SYNC_QUEUE } from '../src/jobs/queues.ts';
import type { SyncJobData } from '../src/jobs/sync-job.ts';
import type { RunSummary } from '../src/engine/run-sync.ts';
import { freshSchema, pgRows } from './helpers/postgres.ts';
import { runCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift } from './helpers/shifts.ts';
import { connecteamJobsConfig, freshControlPlane, waitFor } from './helpers/job-engine.ts';

interface RunRow {
  id: string;
  status: string;
  trigger: string;
  job_id: string | null;
  attempt: number | null;
  error: string | null;
  started_at: Date;
  finished_at: Date | null;
}

interface DlqRow {
  id: string;
  syncId: string;
  trigger: string;
  window: string | null;
  attempts: number;
  failedAt: string;
  error: string;
}

interface Setup {
  readonly simulator: ConnecteamSimulator;
  readonly controlSchema: string;
  readonly destinationSchema: string;
  readonly configPath: string;
  readonly env: NodeJS.ProcessEnv;
  readonly jobs: OpenJobs;
  readonly worker: Worker;
  readonly summaries: { summary: RunSummary; jobId: string; attempt: number }[];
  runs(): Promise<RunRow[]>;
  dlqList(): Promise<DlqRow[]>;
  deadLetters(): Promise<JobWithMetadata<SyncJobData>[]>;
  close(): Promise<void>;
}

/** Simulator, control plane, warehouse, one worker in this process; `apiKey` is what the config's env holds. */
async function setup(options: { apiKey?: string; status5xx?: number } = {}): Promise<Setup> {
  const simulator = await startConnecteamSimulator({
    dataset: dataset([shift(101, '2026-11-10T08:00', '2026-11-10T12:00'), shift(102, '2026-11-10T14:00', '2026-11-10T18:00')]),
    rateLimit: false,
    faults: { status5xx: options.status5xx ?? 0 },
  });
  const control = await freshControlPlane();
  const destination = await freshSchema('dst');
  const raw = connecteamJobsConfig({
    controlSchema: control.schema,
    destinationSchema: destination.schema,
    baseUrl: simulator.url,
    jobs: { attempts: 3, retryDelaySeconds: 1, retryDelayMaxSeconds: 8, pollingIntervalSeconds: 0.5, monitorIntervalSeconds: 5 },
  });
  const configPath = writeConfig(raw);
  const config = parseConfig(raw);
  const env = { ACME_CT_KEY: options.apiKey ?? simulator.apiKey };
  const errors: string[] = [];
  const jobs = await openJobs(config, env, { schedule: false, supervise: true, onError: (error) => errors.push(error.message) });
  const summaries: Setup['summaries'] = [];
  const worker = await startWorker({
    config,
    env,
    ledger: jobs.ledger,
    engine: jobs.engine,
    onRun: (summary, job) => summaries.push({ summary, jobId: job.id, attempt: job.retryCount + 1 }),
  });
  return {
    simulator,
    controlSchema: control.schema,
    destinationSchema: destination.schema,
    configPath,
    env,
    jobs,
    worker,
    summaries,
    runs: () =>
      pgRows<RunRow>(`SELECT id::text, status, trigger, job_id, attempt, error, started_at, finished_at FROM "${control.schema}".runs ORDER BY id`),
    async dlqList() {
      const listed = await runCli(['dlq', 'list', '--json', '--config', configPath], env);
      assert.equal(listed.code, 0, listed.stderr);
      return JSON.parse(listed.stdout) as DlqRow[];
    },
    deadLetters: () => jobs.engine.deadLetters(),
    async close() {
      try {
        await worker.stop();
      } finally {
        await jobs.close();
        await simulator.close();
        await control.drop();
        await destination.drop();
      }
    },
  };
}

test('a run failing every attempt is retried with backoff, then dead-lettered with its error; dlq list shows it; dlq replay runs it again', async () => {
  const s = await setup({ status5xx: 1_000_000 });
  try {
    const triggered = await s.jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', from: '2026-11-10', to: '2026-11-11' });
    assert.ok(triggered.jobId, 'a job was queued');
    const jobId = triggered.jobId;

    const dead = await waitFor('the job in the dead-letter queue', async () => (await s.deadLetters()).find((d) => d.sourceId === jobId), {
      timeoutMs: 90_000,
      describe: async () => JSON.stringify(await s.runs()),
    });

    // Three runs in the ledger: one per attempt, all of the same job, all failed with the upstream's 503.
    const runs = await s.runs();
    assert.deepEqual(
      runs.map((r) => [r.status, r.job_id, r.attempt]),
      [
        ['failed', jobId, 1],
        ['failed', jobId, 2],
        ['failed', jobId, 3],
      ],
    );
    for (const run of runs) assert.match(run.error ?? '', /503/, `run #${run.id}: ${run.error}`);
    // Backoff: each retry waits at least retryDelay × 2^(attempt-1) seconds (1 s, then 2 s) after the
    // failure, and is picked up once due: well within retryDelayMaxSeconds (8) plus generous slack,
    // not at pg-boss's 30-second backstop poll for queues woken by NOTIFY.
    for (let i = 1; i < runs.length; i++) {
      const waited = runs[i]!.started_at.getTime() - runs[i - 1]!.finished_at!.getTime();
      assert.ok(waited >= 1000 * 2 ** (i - 1) - 50, `attempt ${i + 1} started ${waited} ms after attempt ${i} failed`);
      assert.ok(waited < 20_000, `attempt ${i + 1} started ${waited} ms after attempt ${i} failed: retries wait for a poll they should not`);
    }
    assert.ok(s.simulator.stats.served5xx >= 3, `the upstream was asked once per attempt (${s.simulator.stats.served5xx} 503s)`);

    // The dead-lettered job keeps its data, its attempts and its last error.
    assert.deepEqual(dead.data, { syncId: 'acme-shifts', trigger: 'manual', from: '2026-11-10', to: '2026-11-11' });
    assert.equal(dead.sourceName, SYNC_QUEUE);
    assert.equal(dead.sourceRetryCount, 2);
    assert.match((dead.sourceOutput as { error?: string } | null)?.error ?? '', /503/);
    const [original] = await s.jobs.engine.boss.findJobs(SYNC_QUEUE, { id: jobId });
    assert.equal(original?.state, 'failed');

    // An alert event names the sync, the job and the attempt.
    const events = await s.jobs.ledger.events({ kind: 'run_dead_lettered' });
    assert.equal(events.length, 1, JSON.stringify(events));
    assert.equal(events[0]!.syncId, 'acme-shifts');
    assert.equal(events[0]!.tenantId, 'acme');
    assert.equal(events[0]!.runId, runs[2]!.id);
    assert.deepEqual({ jobId: events[0]!.data.jobId, attempt: events[0]!.data.attempt }, { jobId, attempt: 3 });
    assert.match(events[0]!.message, /acme-shifts.*dead-letter queue after attempt 3.*503/);

    // `tidemark dlq list --json` shows it, as does the plain listing.
    const listed = await s.dlqList();
    assert.equal(listed.length, 1, JSON.stringify(listed));
    assert.equal(listed[0]!.id, dead.id);
    assert.equal(listed[0]!.syncId, 'acme-shifts');
    assert.equal(listed[0]!.trigger, 'manual');
    assert.equal(listed[0]!.window, '2026-11-10..2026-11-11');
    assert.equal(listed[0]!.attempts, 3);
    assert.match(listed[0]!.error, /503/);
    const plain = await runCli(['dlq', 'list', '--config', s.configPath], s.env);
    assert.equal(plain.code, 0, plain.stderr);
    assert.match(plain.stdout, new RegExp(`${dead.id}  acme-shifts  manual 2026-11-10\\.\\.2026-11-11  3 attempt\\(s\\)`));
    assert.match(plain.stdout, /1 dead-lettered job\(s\); replay one with: tidemark dlq replay <id>/);
    assert.equal(s.summaries.length, 3);

    // Replaying an id that is not dead-lettered exits 1 and says how to find one.
    const unknown = await runCli(['dlq', 'replay', '00000000-0000-0000-0000-000000000000', '--config', s.configPath], s.env);
    assert.equal(unknown.code, 1, unknown.stdout + unknown.stderr);
    assert.match(unknown.stderr, /no dead-lettered job 00000000-0000-0000-0000-000000000000; `tidemark dlq list` shows them/);

    // Fix the upstream, replay: the job goes back to the sync queue and the worker runs it to success.
    s.simulator.faults.status5xx = 0;
    const replayed = await runCli(['dlq', 'replay', dead.id, '--config', s.configPath], s.env);
    assert.equal(replayed.code, 0, replayed.stdout + replayed.stderr);
    assert.match(replayed.stdout, new RegExp(`job ${dead.id} moved back to the sync queue; a worker will run it`));

    const succeeded = await waitFor('the replayed run to succeed', async () => (await s.runs()).find((r) => r.status === 'succeeded'), {
      timeoutMs: 60_000,
      describe: async () => JSON.stringify(await s.runs()),
    });
    assert.equal(succeeded.attempt, 1, 'a replay starts its attempts afresh');
    assert.notEqual(succeeded.job_id, jobId);
    const replayedJob = (await s.jobs.engine.jobsOf('acme-shifts')).find((j) => j.id === succeeded.job_id);
    assert.equal(replayedJob?.singletonKey, 'acme-shifts', 'the replayed job is still keyed by its sync (one queued run per sync)');
    assert.equal(replayedJob?.state, 'completed');
    const rows = await pgRows<{ n: number }>(`SELECT count(*)::int AS n FROM "${s.destinationSchema}".connecteam_shifts`);
    assert.equal(rows[0]!.n, 2, 'the replayed run merged both shifts');
    assert.deepEqual(await s.dlqList(), [], 'the dead-letter queue is empty after the replay');
    const after = await runCli(['dlq', 'list', '--config', s.configPath], s.env);
    assert.match(after.stdout, /the dead-letter queue is empty/);
    assert.equal((await s.jobs.ledger.events({ kind: 'run_dead_lettered' })).length, 1, 'no new dead-letter event');
  } finally {
    await s.close();
  }
});

test('bad credentials (401) are not retried: one run, straight to the dead-letter queue, event recorded', async () => {
  const s = await setup({ apiKey: 'wrong-key-8c1d' });
  try {
    const { jobId } = await s.jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'manual', from: '2026-11-10', to: '2026-11-11' });
    assert.ok(jobId);
    const dead = await waitFor('the job in the dead-letter queue', async () => (await s.deadLetters()).find((d) => d.sourceId === jobId), {
      describe: async () => JSON.stringify(await s.runs()),
    });
    assert.equal(dead.sourceRetryCount, 0, 'dead-lettered on its first attempt');
    const error = (dead.sourceOutput as { error?: string } | null)?.error ?? '';
    assert.match(error, /401/);
    assert.match(error, /ACME_CT_KEY/, 'the error names the setting to fix');
    assert.ok(!error.includes('wrong-key-8c1d'), 'never the key itself');

    const runs = await s.runs();
    assert.deepEqual(
      runs.map((r) => [r.status, r.job_id, r.attempt]),
      [['failed', jobId, 1]],
    );
    assert.equal(s.simulator.stats.requests, 1, 'the upstream was asked once');
    const events = await s.jobs.ledger.events({ kind: 'run_dead_lettered' });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.runId, runs[0]!.id);
    assert.equal(events[0]!.data.attempt, 1);

    const listed = await s.dlqList();
    assert.deepEqual(
      listed.map((l) => [l.id, l.syncId, l.attempts]),
      [[dead.id, 'acme-shifts', 1]],
    );
    assert.match(listed[0]!.error, /401/);

    // Nothing else happens afterwards: no retry was scheduled.
    const [original] = await s.jobs.engine.boss.findJobs(SYNC_QUEUE, { id: jobId });
    assert.equal(original?.state, 'failed');
    assert.equal((await s.runs()).length, 1);
  } finally {
    await s.close();
  }
});

test('a job naming a sync no longer in the configuration goes to the dead-letter queue, not retried', async () => {
  const s = await setup();
  try {
    const { jobId } = await s.jobs.engine.trigger({ syncId: 'acme-removed', trigger: 'schedule:nightly' });
    assert.ok(jobId);
    const dead = await waitFor('the job in the dead-letter queue', async () => (await s.deadLetters()).find((d) => d.sourceId === jobId));
    assert.equal(dead.sourceRetryCount, 0);
    assert.match((dead.sourceOutput as { error?: string } | null)?.error ?? '', /no sync "acme-removed"; configured: .*acme-shifts/);
    assert.deepEqual(await s.runs(), [], 'no run was started');
    assert.equal(s.simulator.stats.requests, 0);

    const events = await s.jobs.ledger.events({ kind: 'run_dead_lettered' });
    assert.equal(events.length, 1);
    assert.equal(events[0]!.syncId, 'acme-removed');
    assert.equal(events[0]!.runId, null);

    const listed = await s.dlqList();
    assert.deepEqual(
      listed.map((l) => [l.id, l.syncId, l.trigger, l.attempts]),
      [[dead.id, 'acme-removed', 'schedule:nightly', 1]],
    );

    // A job whose data is not a sync job at all is dead-lettered too.
    const junk = await s.jobs.engine.boss.send(SYNC_QUEUE, { hello: 'world' });
    assert.ok(junk);
    const junkDead = await waitFor('the malformed job in the dead-letter queue', async () => (await s.deadLetters()).find((d) => d.sourceId === junk));
    assert.equal(junkDead.sourceRetryCount, 0);
    assert.match((junkDead.sourceOutput as { error?: string } | null)?.error ?? '', /not a sync job/);
  } finally {
    await s.close();
  }
});
