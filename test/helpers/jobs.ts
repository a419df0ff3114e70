/**
 * Job-engine tests with real processes: a Connecteam simulator in this process, a control plane
 * and a warehouse in their own schemas on the test Postgres, N `tidemark worker` child processes,
 * and the ledger read back to see what happened. `cleanup()` kills what is left and drops the
 * control schema, its `_jobs` schema (pg-boss) and the destination schema.
 */
import type { ChildProcess } from 'node:child_process';
import { setTimeout as sleep } from 'node:timers/promises';
import pg from 'pg';
import { startConnecteamSimulator, type ConnecteamSimulator } from '../../src/connectors/connecteam/simulator/index.ts';
import type { ConnecteamDataset } from '../../src/connectors/connecteam/simulator/types.ts';
import type { FaultOptions } from '../../src/connectors/connecteam/simulator/faults.ts';
import { loadConfig } from '../../src/config/load.ts';
import type { Config } from '../../src/config/schema.ts';
import { openJobs, type OpenJobs } from '../../src/jobs/open-jobs.ts';
import { jobsSchema } from '../../src/jobs/queues.ts';
import { PG_URL, pgRows, uniqueName } from './postgres.ts';
import { acmeConfig, startCli, writeConfig, type CliResult } from './cli.ts';

/** Fast job-engine settings: lost jobs found in ~10 s, schedules evaluated every second. */
export const TEST_JOBS = {
  heartbeatSeconds: 10,
  monitorIntervalSeconds: 1,
  cronIntervalSeconds: 1,
  pollingIntervalSeconds: 0.5,
  retryDelaySeconds: 1,
  retryDelayMaxSeconds: 2,
  attempts: 3,
  concurrency: 2,
} as const;

export interface JobsConfigOptions {
  readonly batchSize?: number;
  /** Schedules per sync id (acme-shifts, acme-users). */
  readonly schedules?: Readonly<Record<string, readonly { cron: string; name?: string; window?: string; missed?: 'skip' | 'once' }[]>>;
  readonly jobs?: Partial<Record<keyof typeof TEST_JOBS, number>>;
}

/** acmeConfig (tenant acme in Chicago, syncs acme-shifts and acme-users) with the job settings above. */
export function jobsConfig(baseUrl: string, controlSchema: string, destinationSchema: string, options: JobsConfigOptions = {}) {
  const base = acmeConfig(baseUrl, controlSchema, destinationSchema, options.batchSize ?? 1000);
  return {
    ...base,
    jobs: { ...TEST_JOBS, ...options.jobs },
    syncs: base.syncs.map((sync) => ({ ...sync, schedules: options.schedules?.[sync.id] ?? [] })),
  };
}

export interface RunRow {
  readonly id: string;
  readonly sync_id: string;
  readonly status: string;
  readonly trigger: string;
  readonly owner: string | null;
  readonly started_at: Date | null;
  readonly finished_at: Date | null;
  readonly resumed_from: string | null;
  readonly resumable: boolean;
  readonly job_id: string | null;
  readonly attempt: number | null;
  readonly window_from: string | null;
  readonly window_to: string | null;
  readonly fetched: number;
  readonly created: number;
  readonly updated: number;
  readonly unchanged: number;
  readonly dead: number;
  readonly error: string | null;
}

/** One line per run, for assertion messages. */
export function formatRuns(runs: readonly RunRow[]): string {
  return runs
    .map((r) => `#${r.id} ${r.sync_id} ${r.status} [${r.trigger}, attempt ${r.attempt ?? '-'}] owner ${r.owner ?? '-'} fetched ${r.fetched}${r.resumed_from ? ` resumed from #${r.resumed_from}` : ''}${r.error ? `: ${r.error}` : ''}`)
    .join('\n');
}

/** The pid in a run owner `host:pid:nonce`. */
export function ownerPid(owner: string | null): number | null {
  const pid = Number(owner?.split(':')[1]);
  return Number.isInteger(pid) ? pid : null;
}

export interface WorkerProcess {
  readonly child: ChildProcess;
  readonly pid: number;
  readonly done: Promise<CliResult>;
  /** What it printed so far. */
  output(): string;
  /** Resolved with its exit once it has exited, else null. */
  exited(): CliResult | null;
}

export interface JobsWorld {
  readonly simulator: ConnecteamSimulator;
  readonly controlSchema: string;
  readonly jobsSchema: string;
  readonly destinationSchema: string;
  readonly configPath: string;
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly workers: WorkerProcess[];
  /** Start `count` `tidemark worker` processes and wait until each is taking jobs. */
  startWorkers(count: number): Promise<WorkerProcess[]>;
  /** The ledger and the job engine in this process (no cron, no supervision); closed by cleanup. */
  jobs(): Promise<OpenJobs>;
  /** Runs in the ledger, oldest first, optionally of one sync. */
  runs(syncId?: string): Promise<RunRow[]>;
  /** The Connecteam shift ids in the destination table, one per row (duplicates kept). */
  destinationShiftIds(): Promise<string[]>;
  /** Every worker's output, for assertion messages. */
  diagnostics(): string;
  cleanup(): Promise<void>;
}

export interface JobsWorldOptions extends JobsConfigOptions {
  readonly dataset: ConnecteamDataset;
  readonly faults?: Partial<FaultOptions>;
}

export async function jobsWorld(options: JobsWorldOptions): Promise<JobsWorld> {
  const simulator = await startConnecteamSimulator({ dataset: options.dataset, rateLimit: false, ...(options.faults ? { faults: options.faults } : {}) });
  const controlSchema = uniqueName('ctl');
  const destinationSchema = uniqueName('dst');
  const configPath = writeConfig(jobsConfig(simulator.url, controlSchema, destinationSchema, options));
  const env: NodeJS.ProcessEnv = { ACME_CT_KEY: simulator.apiKey };
  const { config } = await loadConfig(configPath, { ...process.env, ...env });
  const workers: WorkerProcess[] = [];
  let opened: Promise<OpenJobs> | null = null;

  const world: JobsWorld = {
    simulator,
    controlSchema,
    jobsSchema: jobsSchema(controlSchema),
    destinationSchema,
    configPath,
    config,
    env,
    workers,
    async startWorkers(count) {
      const started = Array.from({ length: count }, () => {
        const { child, done } = startCli(['worker', '--json', '--config', configPath], env);
        let out = '';
        let result: CliResult | null = null;
        child.stdout!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        child.stderr!.on('data', (chunk: Buffer) => (out += chunk.toString()));
        void done.then((r) => (result = r));
        const worker: WorkerProcess = { child, pid: child.pid!, done, output: () => out, exited: () => result };
        workers.push(worker);
        return worker;
      });
      for (const worker of started) {
        await waitUntil(`worker ${worker.pid} to start`, async () => {
          if (worker.exited()) throw new Error(`worker ${worker.pid} exited before it was ready:\n${worker.output()}`);
          return /working on/.test(worker.output());
        }, 60_000);
      }
      return started;
    },
    jobs() {
      opened ??= openJobs(config, { ...process.env, ...env }, { schedule: false, supervise: false });
      return opened;
    },
    runs(syncId) {
      return pgRows<RunRow>(
        `SELECT id::text, sync_id, status, trigger, owner, started_at, finished_at, resumed_from::text, resumable, job_id, attempt,
                window_from::text, window_to::text, fetched, created, updated, unchanged, dead, error
         FROM "${controlSchema}".runs WHERE $1::text IS NULL OR sync_id = $1 ORDER BY id`,
        [syncId ?? null],
      );
    },
    async destinationShiftIds() {
      const rows = await pgRows<{ shift_id: string }>(`SELECT shift_id FROM "${destinationSchema}".connecteam_shifts`);
      return rows.map((r) => r.shift_id);
    },
    diagnostics() {
      return workers.map((w) => `--- worker ${w.pid}${w.exited() ? ` (exited ${JSON.stringify({ code: w.exited()!.code, signal: w.exited()!.signal })})` : ''}\n${w.output()}`).join('\n');
    },
    async cleanup() {
      for (const worker of workers) if (!worker.exited()) worker.child.kill('SIGKILL');
      await Promise.all(workers.map((w) => w.done));
      // Each step even when one before it failed (an engine that never opened, say): a simulator
      // left listening would keep the test process alive.
      await opened?.then((o) => o.close()).catch(() => undefined);
      await simulator.close().catch(() => undefined);
      const client = new pg.Client({ connectionString: PG_URL });
      await client.connect();
      try {
        for (const schema of [controlSchema, jobsSchema(controlSchema), destinationSchema]) await client.query(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
      } finally {
        await client.end();
      }
    },
  };
  return world;
}

/**
 * Poll `probe` until it returns something other than false/null/undefined, and return that; fail
 * after `timeoutMs` naming what was awaited (and `detail()`, when given). A probe may throw to fail at once.
 */
export async function waitUntil<T>(
  what: string,
  probe: () => Promise<T | false | null | undefined> | T | false | null | undefined,
  timeoutMs = 60_000,
  detail?: () => string,
): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${detail ? `\n${detail()}` : ''}`);
    await sleep(200);
  }
}
