/**
 * What the schedule benchmark reads back after the tick: every run the tick caused (the ledger),
 * the pg-boss job behind each, and the send-it jobs the cron pass created, all on the database's
 * clock. Latency is measured from the tick instant itself, so it includes the cron pass's phase.
 */
import type pg from 'pg';
import { quoteIdent } from '../src/db/identifiers.ts';
import { DEAD_LETTER_QUEUE, SYNC_QUEUE } from '../src/jobs/queues.ts';

const SEND_IT_QUEUE = '__pgboss__send-it';

export interface Distribution {
  readonly count: number;
  readonly min: number;
  readonly p50: number;
  readonly p90: number;
  readonly p99: number;
  readonly max: number;
  readonly mean: number;
}

/** Nearest-rank percentiles of `values` (ms). */
export function distribution(values: readonly number[]): Distribution | null {
  if (values.length === 0) return null;
  const sorted = [...values].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return {
    count: sorted.length,
    min: sorted[0]!,
    p50: at(0.5),
    p90: at(0.9),
    p99: at(0.99),
    max: sorted[sorted.length - 1]!,
    mean: sorted.reduce((a, b) => a + b, 0) / sorted.length,
  };
}

export interface TickAnalysis {
  /** Run started_at − tick of each sync's first run (ms). */
  readonly tickToStart: Distribution | null;
  /** Sync job created_on − tick: the cron pass and pg-boss's send-it forwarding. */
  readonly tickToJob: Distribution | null;
  /** Job started_on − created_on: waiting in the queue for a worker slot. */
  readonly jobWait: Distribution | null;
  /** Run started_at − job started_on: a worker's own work before the run row exists. */
  readonly pickupToRun: Distribution | null;
  /** Run finished_at − started_at. */
  readonly runDuration: Distribution | null;
  /** When the cron pass inserted the send-it jobs (ms after the tick): first and last. */
  readonly sendIt: { readonly count: number; readonly firstCreated: number | null; readonly lastCreated: number | null; readonly lastCompleted: number | null };
  readonly syncs: number;
  readonly exactlyOnce: number;
  readonly missing: readonly string[];
  /** Syncs with more than one job for the tick. */
  readonly duplicates: readonly string[];
  /** Syncs whose job needed more than one attempt. */
  readonly retried: number;
  readonly failed: number;
  readonly deadLettered: number;
  /** ms after the tick: last run finished; busiest 60 s of run starts. */
  readonly lastFinished: number | null;
  readonly busiestMinuteStarts: number;
  readonly finishedRuns: number;
}

interface RunRow {
  sync_id: string;
  status: string;
  attempt: number | null;
  job_id: string | null;
  started_ms: number | null;
  finished_ms: number | null;
  job_created_ms: number | null;
  job_started_ms: number | null;
}

/** Read the tick's runs and jobs back. `syncIds`: every sync configured (for missing ones). */
export async function analyseTick(
  client: pg.Client,
  controlSchema: string,
  jobsSchema: string,
  trigger: string,
  tick: Date,
  syncIds: readonly string[],
  /** Each sync's own tick (ms) when their schedules are spread; latency is measured from it. */
  ticks?: ReadonlyMap<string, number>,
): Promise<TickAnalysis> {
  const s = quoteIdent(controlSchema);
  const j = quoteIdent(jobsSchema);
  const t = tick.getTime();
  // With spread ticks an hour long, a sync can also fire in the lead time (an hour before its
  // measured tick) or an hour after it: only its job created in [tick, tick + 30 min) is measured.
  const inOccurrence = (syncId: string, createdMs: number | null) => {
    if (!ticks || createdMs === null) return true;
    const own = ticks.get(syncId) ?? t;
    return createdMs >= own - 1000 && createdMs < own + 30 * 60_000;
  };
  const ms = (column: string) => `(extract(epoch FROM ${column}) * 1000)::float8`;
  const runs = (
    await client.query<RunRow>(
      `SELECT r.sync_id, r.status, r.attempt, r.job_id, ${ms('r.started_at')} AS started_ms, ${ms('r.finished_at')} AS finished_ms,
              ${ms('j.created_on')} AS job_created_ms, ${ms('j.started_on')} AS job_started_ms
         FROM ${s}.runs r LEFT JOIN ${j}.job j ON j.name = $2 AND j.id::text = r.job_id
        WHERE r.trigger = $1
        ORDER BY r.id`,
      [trigger, SYNC_QUEUE],
    )
  ).rows;
  const jobs = (
    await client.query<{ sync_id: string; id: string; state: string; retry_count: number; created_ms: number }>(
      `SELECT data->>'syncId' AS sync_id, id::text, state::text, retry_count, ${ms('created_on')} AS created_ms FROM ${j}.job WHERE name = $1 AND data->>'trigger' = $2`,
      [SYNC_QUEUE, trigger],
    )
  ).rows.filter((job) => inOccurrence(job.sync_id, job.created_ms));
  const dead = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${j}.job WHERE name = $1`, [DEAD_LETTER_QUEUE]);
  const sendIt = (
    await client.query<{ n: number; first_created: number | null; last_created: number | null; last_completed: number | null }>(
      `SELECT count(*)::int AS n, ${ms('min(created_on)')} AS first_created, ${ms('max(created_on)')} AS last_created, ${ms('max(completed_on)')} AS last_completed
         FROM ${j}.job WHERE name = $1`,
      [SEND_IT_QUEUE],
    )
  ).rows[0]!;

  const measuredRuns = runs.filter((run) => inOccurrence(run.sync_id, run.job_created_ms));
  const firstRun = new Map<string, RunRow>();
  const runCount = new Map<string, number>();
  for (const run of measuredRuns) {
    if (!firstRun.has(run.sync_id)) firstRun.set(run.sync_id, run);
    runCount.set(run.sync_id, (runCount.get(run.sync_id) ?? 0) + 1);
  }
  const jobCount = new Map<string, number>();
  let retried = 0;
  for (const job of jobs) {
    jobCount.set(job.sync_id, (jobCount.get(job.sync_id) ?? 0) + 1);
    if (job.retry_count > 0) retried++;
  }
  const lastRun = new Map<string, RunRow>();
  for (const run of measuredRuns) lastRun.set(run.sync_id, run);

  const missing: string[] = [];
  const duplicates: string[] = [];
  let exactlyOnce = 0;
  let failed = 0;
  for (const id of syncIds) {
    const nJobs = jobCount.get(id) ?? 0;
    const nRuns = runCount.get(id) ?? 0;
    if (nRuns === 0) missing.push(id);
    if (nJobs > 1) duplicates.push(id);
    const last = lastRun.get(id);
    if (last && last.status !== 'succeeded') failed++;
    if (nJobs === 1 && nRuns === 1 && last?.status === 'succeeded') exactlyOnce++;
  }

  const first = [...firstRun.values()];
  const pick = (f: (run: RunRow) => number | null) => first.map(f).filter((v): v is number => v !== null && Number.isFinite(v));
  const tickOf = (run: RunRow) => ticks?.get(run.sync_id) ?? t;
  const starts = pick((r) => (r.started_ms === null ? null : r.started_ms - tickOf(r))).sort((a, b) => a - b);
  const startInstants = pick((r) => r.started_ms).sort((a, b) => a - b);
  let busiest = 0;
  for (let lo = 0, hi = 0; hi < startInstants.length; hi++) {
    while (startInstants[hi]! - startInstants[lo]! >= 60_000) lo++;
    busiest = Math.max(busiest, hi - lo + 1);
  }
  const finished = measuredRuns.filter((r) => r.finished_ms !== null).map((r) => r.finished_ms! - t);
  return {
    tickToStart: distribution(starts),
    tickToJob: distribution(pick((r) => (r.job_created_ms === null ? null : r.job_created_ms - tickOf(r)))),
    jobWait: distribution(pick((r) => (r.job_started_ms === null || r.job_created_ms === null ? null : r.job_started_ms - r.job_created_ms))),
    pickupToRun: distribution(pick((r) => (r.started_ms === null || r.job_started_ms === null || r.attempt !== 1 ? null : r.started_ms - r.job_started_ms))),
    runDuration: distribution(measuredRuns.filter((r) => r.finished_ms !== null && r.started_ms !== null).map((r) => r.finished_ms! - r.started_ms!)),
    sendIt: {
      count: sendIt.n,
      firstCreated: sendIt.first_created === null ? null : sendIt.first_created - t,
      lastCreated: sendIt.last_created === null ? null : sendIt.last_created - t,
      lastCompleted: sendIt.last_completed === null ? null : sendIt.last_completed - t,
    },
    syncs: syncIds.length,
    exactlyOnce,
    missing,
    duplicates,
    retried,
    failed,
    deadLettered: dead.rows[0]!.n,
    lastFinished: finished.length ? Math.max(...finished) : null,
    busiestMinuteStarts: busiest,
    finishedRuns: finished.length,
  };
}

/** Progress while waiting: jobs sent, runs started and finished for the tick. */
export async function tickProgress(
  client: pg.Client,
  controlSchema: string,
  jobsSchema: string,
  trigger: string,
): Promise<{ jobs: number; pending: number; sendItPending: number; started: number; finished: number; running: number }> {
  const s = quoteIdent(controlSchema);
  const j = quoteIdent(jobsSchema);
  const jobs = await client.query<{ n: number; pending: number }>(
    `SELECT count(*)::int AS n, count(*) FILTER (WHERE state IN ('created', 'retry', 'active'))::int AS pending FROM ${j}.job WHERE name = $1 AND data->>'trigger' = $2`,
    [SYNC_QUEUE, trigger],
  );
  const sendIt = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${j}.job WHERE name = $1 AND state IN ('created', 'retry', 'active')`, [SEND_IT_QUEUE]);
  const runs = await client.query<{ started: number; finished: number; running: number }>(
    `SELECT count(DISTINCT sync_id)::int AS started, count(DISTINCT sync_id) FILTER (WHERE finished_at IS NOT NULL)::int AS finished,
            count(*) FILTER (WHERE status IN ('queued', 'running'))::int AS running
       FROM ${s}.runs WHERE trigger = $1`,
    [trigger],
  );
  const r = runs.rows[0]!;
  return { jobs: jobs.rows[0]!.n, pending: jobs.rows[0]!.pending, sendItPending: sendIt.rows[0]!.n, started: r.started, finished: r.finished, running: r.running };
}
