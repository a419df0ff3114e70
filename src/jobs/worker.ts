/**
 * A worker process: takes sync jobs from the queue (`jobs.concurrency` at a time), runs them, and
 * looks for runs whose worker died (no heartbeat; a dead pid on this host) to mark them failed so
 * nothing stays "running" forever. Several workers on several machines share one queue.
 */
import type { JobWithMetadata } from 'pg-boss';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { RunSummary } from '../engine/run-sync.ts';
import { isAbandoned, lostRunReason, newOwner } from '../engine/run-owner.ts';
import { errorMessage } from '../engine/errors.ts';
import { SYNC_QUEUE } from './queues.ts';
import type { JobEngine } from './job-engine.ts';
import { DestinationCache } from './destination-cache.ts';
import { runJob } from './run-job.ts';
import type { Logger } from '../log/logger.ts';

export interface WorkerOptions {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  readonly engine: JobEngine;
  readonly onRun?: (summary: RunSummary, job: JobWithMetadata<unknown>) => void;
  readonly onLost?: (runId: string, reason: string) => void;
  /** Structured logs of each run (start, finish, failure) and of lost runs; none when absent. */
  readonly logger?: Logger;
}

export interface Worker {
  readonly owner: string;
  /** Mark runs whose worker is gone as failed (resumable); returns their ids. */
  reapLostRuns(): Promise<string[]>;
  /** Stop taking jobs, let running ones stop after their current batch, wait for them. */
  stop(): Promise<void>;
}

export async function startWorker(options: WorkerOptions): Promise<Worker> {
  const { config, ledger, engine } = options;
  const owner = newOwner();
  const destinations = new DestinationCache();
  const stopping = new AbortController();
  const staleAfterMs = config.jobs.heartbeatSeconds * 2000;

  const reapLostRuns = async (): Promise<string[]> => {
    const lost: string[] = [];
    for (const run of await ledger.runningRuns()) {
      if (!isAbandoned(run, staleAfterMs)) continue;
      const reason = lostRunReason(run);
      if (!(await ledger.failLostRun(run.id, run.owner, reason))) continue;
      lost.push(run.id);
      await ledger.recordEvent({ kind: 'run_lost', tenantId: run.tenantId, syncId: run.syncId, runId: run.id, message: `run #${run.id} of sync ${run.syncId}: ${reason}`, data: { owner: run.owner } });
      options.onLost?.(run.id, reason);
      options.logger?.warn({ runId: run.id, tenant: run.tenantId, sync: run.syncId, owner: run.owner }, `run lost: ${reason}`);
    }
    return lost;
  };

  // One pg-boss worker per slot (not localConcurrency), so a slot that has just finished a job can
  // be told to fetch again at once: pg-boss otherwise waits a polling interval after every job
  // unless a NOTIFY (a job created) came meanwhile, so a backlog (10,000 hourly schedules due in
  // the same minute) drained at one job per slot per interval. A fetch that finds nothing waits.
  for (let slot = 0; slot < config.jobs.concurrency; slot++) {
    let slotId: string | null = null;
    slotId = await engine.boss.work(
      SYNC_QUEUE,
      {
        perJobResults: true,
        includeMetadata: true,
        batchSize: 1,
        pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
        // NOTIFY wakes a worker only when a job is created ready to run; a retry coming due after its
        // backoff, or a job redriven from the dead-letter queue, sends none. pg-boss's default poll
        // while NOTIFY is live is 30 s, which would delay every retry by up to that much.
        notifyPollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
      },
      async (jobs) => {
        const results = await Promise.all(
          jobs.map((job) =>
            runJob(job, {
              config,
              env: options.env,
              ledger,
              engine,
              destinations,
              signal: stopping.signal,
              owner,
              ...(options.onRun ? { onRun: options.onRun } : {}),
              ...(options.logger ? { logger: options.logger } : {}),
            }),
          ),
        );
        if (slotId !== null && !stopping.signal.aborted) engine.boss.notifyWorker(slotId);
        return results;
      },
    );
  }

  const reaper = setInterval(() => {
    reapLostRuns().catch((error: unknown) => process.stderr.write(`tidemark worker: checking for lost runs failed: ${errorMessage(error)}\n`));
  }, config.jobs.monitorIntervalSeconds * 1000);
  reaper.unref();

  return {
    owner,
    reapLostRuns,
    async stop() {
      clearInterval(reaper);
      stopping.abort(new DOMException('worker stopping', 'AbortError'));
      try {
        await engine.boss.offWork(SYNC_QUEUE, { wait: true });
      } finally {
        await destinations.closeAll();
      }
    },
  };
}
