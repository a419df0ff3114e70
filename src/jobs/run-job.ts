/**
 * One job of the sync queue: resolve the sync from the configuration, pick its window, run it, and
 * say what pg-boss should do next: completed; failed (retried with backoff while attempts remain,
 * then dead-lettered); dead-lettered at once when retrying cannot help; or, for a run stopped by
 * SIGTERM, completed with a follow-up job that resumes it.
 */
import type { JobResult, JobWithMetadata } from 'pg-boss';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { resolveSync } from '../engine/resolve-sync.ts';
import { runSync, type RunSummary } from '../engine/run-sync.ts';
import { errorMessage, isPermanent } from '../engine/errors.ts';
import { ActiveRunError } from '../ledger/ledger.ts';
import { businessWindow, type BusinessWindow } from '../time/window.ts';
import { syncJobData, type SyncJobData } from './sync-job.ts';
import type { DestinationCache } from './destination-cache.ts';
import type { JobEngine } from './job-engine.ts';
import { runLogger, type Logger } from '../log/logger.ts';

export interface JobContext {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  readonly engine: JobEngine;
  readonly destinations: DestinationCache;
  /** Aborted when the worker is asked to stop (SIGTERM): the run stops after its current batch. */
  readonly signal: AbortSignal;
  readonly owner: string;
  readonly onRun?: (summary: RunSummary, job: JobWithMetadata<unknown>) => void;
  /** Structured logs: each run's start, finish or failure, with runId, tenant and sync on every line. */
  readonly logger?: Logger;
}

function chooseWindow(data: SyncJobData, parts: ReturnType<typeof resolveSync>, createdOn: Date): BusinessWindow | null {
  if (parts.sync.mode !== 'window') return null;
  if (data.from && data.to) return businessWindow(data.from, data.to, parts.sync.timezone);
  // Evaluated at the job's creation, so every attempt of a job reads the same days.
  if (data.window) return parts.namedWindow(data.window, createdOn);
  return parts.defaultWindow(createdOn);
}

function isLastAttempt(job: JobWithMetadata<unknown>): boolean {
  return job.retryCount >= job.retryLimit;
}

/**
 * Ledger retention (old changes, runs, events) is housekeeping for the whole ledger, not part of a
 * run: a worker process has one run in every PRUNE_EVERY_MS prune when it succeeds, not every run.
 * Its DELETE on runs scans the table: against a week of 10,000 hourly syncs (1.68M runs) one scan
 * took ~0.5 s, and after every run that is 10,000 scans an hour (bench/jobs-schedule.ts).
 */
const PRUNE_EVERY_MS = 10 * 60_000;
let lastPruneAt = Number.NEGATIVE_INFINITY;

function pruneDue(now = Date.now()): boolean {
  if (now - lastPruneAt < PRUNE_EVERY_MS) return false;
  lastPruneAt = now;
  return true;
}

export async function runJob(job: JobWithMetadata<unknown>, ctx: JobContext): Promise<JobResult> {
  const deadLetter = async (reason: string, syncId: string | null, runId: string | null, tenantId: string | null): Promise<JobResult> => {
    await ctx.ledger.recordEvent({
      kind: 'run_dead_lettered',
      tenantId,
      syncId,
      runId,
      message: `sync ${syncId ?? '(unknown)'}: job ${job.id} moved to the dead-letter queue after attempt ${job.retryCount + 1}: ${reason}`,
      data: { jobId: job.id, attempt: job.retryCount + 1, reason },
    });
    return { id: job.id, status: 'deadletter', output: { error: reason, runId } };
  };

  const parsed = syncJobData.safeParse(job.data);
  if (!parsed.success) return deadLetter(`the job's data is not a sync job: ${parsed.error.issues[0]?.message ?? 'invalid'}`, null, null, null);
  const data = parsed.data;
  const logFields = { tenant: ctx.config.syncs.find((s) => s.id === data.syncId)?.tenant ?? null, sync: data.syncId, jobId: job.id, attempt: job.retryCount + 1, trigger: data.trigger };
  let log = ctx.logger && runLogger(ctx.logger, { runId: null, ...logFields });

  let summary: RunSummary;
  let tenantId: string | null = null;
  try {
    const parts = resolveSync(ctx.config, data.syncId, ctx.env);
    tenantId = parts.sync.tenantId;
    const window = chooseWindow(data, parts, job.createdOn);
    const destination = await ctx.destinations.get(parts.destinationUrl, parts.sync.table);
    summary = await runSync({
      sync: parts.sync,
      window,
      client: parts.createClient(),
      destination,
      ledger: ctx.ledger,
      trigger: data.trigger,
      owner: ctx.owner,
      job: { id: job.id, attempt: job.retryCount + 1 },
      staleAfterMs: ctx.config.jobs.heartbeatSeconds * 2000,
      signal: ctx.signal,
      ...(pruneDue() ? { retention: { changesDays: ctx.config.ledger.changesRetentionDays, runsDays: ctx.config.ledger.runsRetentionDays } } : {}),
      onStart: (run) => {
        log = ctx.logger && runLogger(ctx.logger, { runId: run.runId, ...logFields });
        log?.info({ window: window ? { from: window.from, to: window.to } : null, resumedFrom: run.resumedFrom }, 'run started');
      },
      onProgress: (event) => log?.debug({ counts: event.counts, progress: event.progress }, 'run progress'),
    });
  } catch (error) {
    // Before a run existed: the sync left the configuration, a bad window, a destination that will not open, another live run.
    const reason = errorMessage(error);
    log?.warn({ error: reason }, error instanceof ActiveRunError ? 'run deferred: the sync is held by another run' : 'job failed before its run started');
    if (error instanceof ActiveRunError) {
      // A run outside the queue (`tidemark sync`) holds the sync: wait for it without spending an
      // attempt. The follow-up is coalesced with one already queued.
      const followUp = await ctx.engine.trigger(data, { startAfterSeconds: ctx.config.jobs.retryDelaySeconds });
      return { id: job.id, status: 'completed', output: { deferred: reason, followUp: followUp.jobId ?? followUp.queuedJobId } };
    }
    if (isPermanent(error) || isLastAttempt(job)) return deadLetter(reason, data.syncId, null, tenantId);
    return { id: job.id, status: 'failed', output: { error: reason } };
  }
  ctx.onRun?.(summary, job);
  const outcome = { status: summary.status, durationMs: summary.durationMs, counts: summary.counts, upstream: summary.upstream, warnings: summary.warnings.map((w) => w.code) };
  if (summary.status === 'succeeded') log?.info(outcome, 'run succeeded');
  else if (summary.status === 'interrupted') log?.warn(outcome, 'run interrupted; a follow-up job resumes it');
  else log?.error({ ...outcome, error: summary.error, permanent: summary.permanent, lastAttempt: isLastAttempt(job) }, 'run failed');

  if (summary.status === 'succeeded') return { id: job.id, status: 'completed', output: { runId: summary.runId, counts: summary.counts } };
  if (summary.status === 'interrupted') {
    // Stopped on request: a follow-up job with the same days resumes the run from its checkpoint
    // (on another worker, or on this one after a restart).
    const followUp = await ctx.engine.trigger({
      syncId: data.syncId,
      trigger: 'resume',
      ...(summary.window ? { from: summary.window.from, to: summary.window.to } : {}),
    });
    return { id: job.id, status: 'completed', output: { runId: summary.runId, interrupted: true, followUp: followUp.jobId ?? followUp.queuedJobId } };
  }
  const reason = summary.error ?? 'failed';
  if (summary.permanent || isLastAttempt(job)) return deadLetter(reason, data.syncId, summary.runId, tenantId);
  return { id: job.id, status: 'failed', output: { error: reason, runId: summary.runId } };
}
