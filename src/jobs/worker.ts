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

export interface WorkerOptions {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  readonly engine: JobEngine;
  readonly onRun?: (summary: RunSummary, job: JobWithMetadata<unknown>) => void;
  readonly onLost?: (runId: string, reason: string) => void;
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
    }
    return lost;
  };

  await engine.boss.work(
    SYNC_QUEUE,
    {
      perJobResults: true,
      includeMetadata: true,
      batchSize: 1,
      localConcurrency: config.jobs.concurrency,
      pollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
      // NOTIFY wakes a worker only when a job is created ready to run; a retry coming due after its
      // backoff, or a job redriven from the dead-letter queue, sends none. pg-boss's default poll
      // while NOTIFY is live is 30 s, which would delay every retry by up to that much.
      notifyPollingIntervalSeconds: config.jobs.pollingIntervalSeconds,
    },
    async (jobs) =>
      Promise.all(
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
          }),
        ),
      ),
  );

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
