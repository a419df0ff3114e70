/**
 * Our thin interface over pg-boss (DESIGN: the job engine stays swappable). It runs on the
 * control plane: the Postgres server of `DATABASE_URL`/`controlPlane.url`, or the embedded
 * PGlite the ledger already holds (one connection, shared).
 */
import { PgBoss, fromPglite, type Clock, type ConstructorOptions, type JobWithMetadata, type Schedule } from 'pg-boss';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { DEAD_LETTER_QUEUE, SYNC_QUEUE, jobsSchema, syncQueueOptions } from './queues.ts';
import type { SyncJobData } from './sync-job.ts';

export interface JobEngineOptions {
  /** Run the cron timekeeper here (schedules fire from any process that has it; each tick once). */
  readonly schedule?: boolean;
  /** Run pg-boss's monitor here (expired and silent jobs are failed and retried). */
  readonly supervise?: boolean;
  /** A controllable clock (tests): pg-boss reads time and sets timers through it. */
  readonly clock?: Clock;
  /** Where pg-boss reports its own errors (default: stderr). */
  readonly onError?: (error: Error) => void;
}

export interface TriggerResult {
  /** The job created, or null when the trigger was coalesced into an existing queued job. */
  readonly jobId: string | null;
  /** The queued job it was coalesced into, when there was one. */
  readonly queuedJobId: string | null;
}

export class JobEngine {
  readonly boss: PgBoss;
  readonly schema: string;
  private readonly config: Config;

  private constructor(boss: PgBoss, schema: string, config: Config) {
    this.boss = boss;
    this.schema = schema;
    this.config = config;
  }

  /** Start pg-boss on the ledger's control plane and make sure both queues exist with the configured settings. */
  static async open(config: Config, ledger: Ledger, controlUrl: string, options: JobEngineOptions = {}): Promise<JobEngine> {
    const schema = jobsSchema(config.controlPlane.schema);
    const jobs = config.jobs;
    const common: ConstructorOptions = {
      schema,
      schedule: options.schedule ?? false,
      supervise: options.supervise ?? true,
      migrate: true,
      cronMonitorIntervalSeconds: jobs.cronIntervalSeconds,
      // A cron pass files one send-it job per due schedule; each process forwards them to the sync
      // queue 50 at a time, then waits this long: 1 s (pg-boss's floor) forwards 50 a second per
      // process, where 5 s took 250 s for 10,000 hourly schedules on 4 workers. Idle, it is one
      // indexed fetch a second.
      cronWorkerIntervalSeconds: 1,
      monitorIntervalSeconds: jobs.monitorIntervalSeconds,
      superviseIntervalSeconds: jobs.monitorIntervalSeconds,
      instanceName: 'tidemark',
      ...(options.clock ? { clock: options.clock } : {}),
    };
    const pglite = ledger.db.pglite;
    const boss = pglite
      ? new PgBoss({ ...common, db: fromPglite(pglite), backend: 'pglite' })
      : new PgBoss({ ...common, connectionString: controlUrl, application_name: 'tidemark-jobs', max: jobs.concurrency + 4, useListenNotify: true });
    const onError = options.onError ?? ((error: Error) => process.stderr.write(`tidemark jobs: ${error.message}\n`));
    boss.on('error', onError);
    await boss.start();
    const engine = new JobEngine(boss, schema, config);
    await engine.ensureQueues();
    return engine;
  }

  private async ensureQueues(): Promise<void> {
    const options = syncQueueOptions(this.config.jobs);
    if (!(await this.boss.getQueue(DEAD_LETTER_QUEUE))) await this.boss.createQueue(DEAD_LETTER_QUEUE, { deleteAfterSeconds: 0, retentionSeconds: 365 * 86_400 });
    if (!(await this.boss.getQueue(SYNC_QUEUE))) {
      await this.boss.createQueue(SYNC_QUEUE, { policy: 'stately', ...options });
    } else {
      const { deadLetter, retryDelayMax, heartbeatSeconds, notify: _notify, ...rest } = options;
      await this.boss.updateQueue(SYNC_QUEUE, { ...rest, deadLetter: deadLetter ?? null, retryDelayMax: retryDelayMax ?? null, heartbeatSeconds: heartbeatSeconds ?? null });
    }
  }

  /**
   * Ask for a run of a sync now. With a run already queued for the sync, the request is coalesced
   * into it (one follow-up at most): the answer names the queued job.
   */
  async trigger(data: SyncJobData, options: { startAfterSeconds?: number } = {}): Promise<TriggerResult> {
    const jobId = await this.boss.send(SYNC_QUEUE, data, {
      singletonKey: data.syncId,
      ...(options.startAfterSeconds ? { startAfter: options.startAfterSeconds } : {}),
    });
    if (jobId) return { jobId, queuedJobId: null };
    const queued = await this.boss.findJobs(SYNC_QUEUE, { key: data.syncId, queued: true, limit: 1 });
    return { jobId: null, queuedJobId: queued[0]?.id ?? null };
  }

  /** Jobs of a sync, oldest first (queued, active, finished and kept). */
  /** Jobs of a sync waiting to run (created, or waiting for a retry): read by the status endpoint. */
  async queuedJobsOf(syncId: string): Promise<JobWithMetadata<SyncJobData>[]> {
    return this.boss.findJobs<SyncJobData>(SYNC_QUEUE, { key: syncId, queued: true });
  }

  async jobsOf(syncId: string): Promise<JobWithMetadata<SyncJobData>[]> {
    return this.boss.findJobs<SyncJobData>(SYNC_QUEUE, { key: syncId });
  }

  /** The dead-letter queue, oldest first: each job's data, error and attempts. */
  async deadLetters(limit = 100): Promise<JobWithMetadata<SyncJobData>[]> {
    return this.boss.findJobs<SyncJobData>(DEAD_LETTER_QUEUE, { limit });
  }

  /** Move one dead-lettered job back to the sync queue; false when no such job is dead-lettered. */
  async replay(deadJobId: string): Promise<boolean> {
    const moved = await this.boss.redrive(DEAD_LETTER_QUEUE, { ids: [deadJobId], destination: SYNC_QUEUE, limit: 1 });
    return moved > 0;
  }

  async registeredSchedules(): Promise<Schedule[]> {
    return this.boss.getSchedules(SYNC_QUEUE);
  }

  /** Stop: no new jobs are taken; running handlers get `timeoutMs` to finish; the pool is closed (not PGlite). */
  async stop(timeoutMs = 30_000): Promise<void> {
    await this.boss.stop({ graceful: true, timeout: timeoutMs, close: true });
  }
}
