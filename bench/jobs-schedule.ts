/**
 * `npm run bench:jobs`: 10,000 syncs (2,500 tenants × 4 streams) scheduled hourly, 4 `tidemark
 * worker` processes on one Postgres, the Connecteam and Cliniko simulators in processes of their
 * own. Every schedule is the hourly cron "M * * * *" in its tenant's zone, M chosen so that the
 * next firing of every one of them is the same instant (the tick), a minute or two away. Prints the
 * tick-to-start latency (run started_at − tick: p50, p99, max) against the target p99 < 60 s, where
 * that time went, runs per minute, how many syncs ran exactly once, and the ledger's size after a
 * simulated week (10,000 × 24 × 7 runs), measured from the tick's real rows.
 *
 * Exit code: 0 target met and every sync ran exactly once, 1 otherwise, 2 bad flags or setup.
 */
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { availableParallelism, tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseArgs } from 'node:util';
import pg from 'pg';
import { jobsSchema as jobsSchemaOf } from '../src/jobs/queues.ts';
import { analyseTick, tickProgress } from './jobs-analysis.ts';
import { BENCH_ZONES, ENV, SCHEDULE_NAME, STREAMS, buildConfig, localMinute, syncTicks, type JobsSettings } from './jobs-config.ts';
import { HOURS_PER_WEEK, measureLedger, simulateWeek, type MeasuredLedger, type WeekLedger } from './jobs-ledger-size.ts';
import { machineCpu, openLog, postgresCpuSeconds, processCpuSeconds, runTidemark, startSimulator, startWorker, type RunningSimulator, type RunningWorker } from './jobs-processes.ts';
import { formatReport, type BenchReport } from './jobs-report.ts';
import { startCountingProxy, type CountingProxy } from './jobs-round-trips.ts';
import { BENCH_PG_URL, assertReachable, benchSchemaName, createSchema, dropSchemas } from './bench-database.ts';

const USAGE = `Usage: npm run bench:jobs -- [--syncs 10000] [--workers 4] [--concurrency 4] [options]
  --syncs N          syncs to schedule, 4 per tenant (default 10,000: 2,500 tenants)
  --workers N        \`tidemark worker\` processes (default 4)
  --concurrency N    jobs.concurrency: runs one worker executes at once (default 4, the configuration's default)
  --polling S        jobs.pollingIntervalSeconds (default 2)
  --cron-interval S  jobs.cronIntervalSeconds: how often schedules are evaluated (default 5; the configuration's is 30)
  --spread M         spread the hourly minute over M minutes from the tick (60: every sync on "H * * * *",
                     the hashed minute; fewer: the same hash over M minutes); default 1: all at the tick
  --lead S           at least this many seconds from start to the tick (default: 60 + 4 s per 1,000 syncs)
  --timeout S        give up waiting this long after the tick (default 900)
  --count-round-trips  route the workers through a counting proxy: database round trips per run, by pool
  --no-week          skip the synthetic week (extrapolate the ledger's size from the tick's rows only)
  --keep             keep the schemas and the temporary directory (config, worker log)
Postgres: TIDEMARK_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).`;

const TARGET_P99_MS = 60_000;

class UsageError extends Error {}

function whole(flag: string, raw: string | undefined, fallback: number, min: number, max: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isFinite(value) || value < min || value > max) throw new UsageError(`--${flag} ${raw}: give a number from ${min} to ${max}`);
  return value;
}

function parseOptions(argv: string[]) {
  let values;
  try {
    ({ values } = parseArgs({
      args: argv,
      options: {
        syncs: { type: 'string' },
        workers: { type: 'string' },
        concurrency: { type: 'string' },
        polling: { type: 'string' },
        'cron-interval': { type: 'string' },
        lead: { type: 'string' },
        spread: { type: 'string' },
        timeout: { type: 'string' },
        'no-week': { type: 'boolean' },
        'count-round-trips': { type: 'boolean' },
        keep: { type: 'boolean' },
        help: { type: 'boolean', short: 'h' },
      },
    }));
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  if (values.help) return null;
  const syncs = Math.round(whole('syncs', values.syncs, 10_000, 1, 100_000));
  const jobs: JobsSettings = {
    concurrency: Math.round(whole('concurrency', values.concurrency, 4, 1, 256)),
    pollingIntervalSeconds: whole('polling', values.polling, 2, 0.5, 60),
    cronIntervalSeconds: Math.round(whole('cron-interval', values['cron-interval'], 5, 1, 45)),
    monitorIntervalSeconds: 30,
    keepJobsDays: 7,
  };
  return {
    syncs,
    workers: Math.round(whole('workers', values.workers, 4, 1, 64)),
    jobs,
    spreadMinutes: Math.round(whole('spread', values.spread, 1, 1, 60)),
    leadSeconds: whole('lead', values.lead, 60 + Math.ceil((syncs / 1000) * 4), 5, 3600),
    timeoutSeconds: whole('timeout', values.timeout, 900, 30, 7200),
    week: !values['no-week'],
    countRoundTrips: Boolean(values['count-round-trips']),
    keep: Boolean(values.keep),
  };
}

/** Ctrl-C or SIGTERM: stop waiting, stop the children, drop the schemas (a second signal exits at once). */
const interrupted = new AbortController();
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.on(signal, () => {
    if (interrupted.signal.aborted) process.exit(130);
    process.stderr.write(`\nbench:jobs: ${signal}: stopping the workers and simulators, dropping the schemas…\n`);
    interrupted.abort(new Error(`interrupted by ${signal}`));
  });
}

function sleep(ms: number): Promise<void> {
  return new Promise((resolve, reject) => {
    if (interrupted.signal.aborted) return reject(interrupted.signal.reason as Error);
    const onAbort = () => {
      clearTimeout(timer);
      reject(interrupted.signal.reason as Error);
    };
    const timer = setTimeout(() => {
      interrupted.signal.removeEventListener('abort', onAbort);
      resolve();
    }, Math.max(0, ms));
    interrupted.signal.addEventListener('abort', onAbort, { once: true });
  });
}
const say = (line: string) => process.stderr.write(`${line}\n`);

async function main(): Promise<number> {
  const options = parseOptions(process.argv.slice(2));
  if (options === null) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  await assertReachable(BENCH_PG_URL);
  const benchStarted = performance.now();
  const destinationSchema = benchSchemaName();
  const controlSchema = `${destinationSchema}_ctl`;
  const jobsSchema = jobsSchemaOf(controlSchema);
  const weekSchema = `${destinationSchema}_week`;
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-jobs-'));
  const log = openLog(join(dir, 'workers.log'));
  const trigger = `schedule:${SCHEDULE_NAME}`;
  const simulators: RunningSimulator[] = [];
  const workers: RunningWorker[] = [];
  let proxy: CountingProxy | null = null;
  const db = new pg.Client({ connectionString: BENCH_PG_URL, application_name: 'tidemark-bench-jobs' });
  await db.connect();
  await createSchema(BENCH_PG_URL, destinationSchema);
  try {
    // Upstreams: a small business each (6 users and a few shifts a day around today; 2 patients,
    // 6 practitioners), no rate limit, so a run is a handful of small requests.
    const today = new Date();
    const from = new Date(today.getTime() - 86_400_000).toISOString().slice(0, 10);
    const [connecteam, cliniko] = await Promise.all([
      startSimulator('connecteam', ['--users', '6', '--from', from, '--days', '3'], log),
      startSimulator('cliniko', ['--users', '2', '--shifts', '0'], log),
    ]);
    simulators.push(connecteam, cliniko);

    const tick = new Date(Math.ceil((Date.now() + options.leadSeconds * 1000) / 60_000) * 60_000);
    const config = buildConfig({ syncs: options.syncs, tick, controlSchema, destinationSchema, connecteamUrl: connecteam.url, clinikoUrl: cliniko.url, jobs: options.jobs, spreadMinutes: options.spreadMinutes });
    // Each sync's own tick (all the same unless --spread); latency is measured from it.
    const ticks = syncTicks(config, tick);
    const lastTick = Math.max(...ticks.values());
    const configFile = join(dir, 'tidemark.config.json');
    writeFileSync(configFile, JSON.stringify(config));
    const syncIds = (config.syncs ?? []).map((s) => s.id);
    proxy = options.countRoundTrips ? await startCountingProxy(BENCH_PG_URL) : null;
    const env: NodeJS.ProcessEnv = { ...process.env, [ENV.pgUrl]: proxy?.url ?? BENCH_PG_URL, [ENV.connecteamKey]: connecteam.apiKey, [ENV.clinikoKey]: cliniko.apiKey };
    delete env.DATABASE_URL;
    const tenants = config.tenants?.length ?? 0;
    say(`bench:jobs: ${syncIds.length.toLocaleString('en')} syncs for ${tenants.toLocaleString('en')} tenants; tick ${tick.toISOString()} (in ${((tick.getTime() - Date.now()) / 1000).toFixed(0)} s)${options.spreadMinutes > 1 ? `, spread to ${new Date(lastTick).toISOString()}` : ''}; files in ${dir}`);

    const applyStarted = performance.now();
    const applied = await runTidemark(['schedules', 'apply', '--config', configFile], env);
    const applySeconds = (performance.now() - applyStarted) / 1000;
    say(`  ${applied.trim()} in ${applySeconds.toFixed(1)} s`);
    const registered = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${jobsSchema}.schedule`);

    // Each worker holds up to concurrency + 4 connections for pg-boss, 4 for the ledger and 4 per destination.
    const maxConnections = Number((await db.query<{ max_connections: string }>('SHOW max_connections')).rows[0]!.max_connections);
    const perWorker = options.jobs.concurrency + 4 + 4 + 4;
    if (perWorker * options.workers > maxConnections * 0.8) {
      say(`  warning: ${options.workers} workers may open ${perWorker * options.workers} connections (${perWorker} each) against max_connections ${maxConnections}; lower --concurrency if runs fail with "too many clients"`);
    }
    const workersStarted = performance.now();
    workers.push(...(await Promise.all(Array.from({ length: options.workers }, (_, i) => startWorker(i + 1, configFile, env, log)))));
    const workersSeconds = (performance.now() - workersStarted) / 1000;
    const readyBeforeTick = (tick.getTime() - Date.now()) / 1000;
    say(`  ${workers.length} workers ready in ${workersSeconds.toFixed(1)} s; ${readyBeforeTick.toFixed(0)} s before the tick`);
    if (readyBeforeTick < 1) throw new Error(`the workers were ready ${(-readyBeforeTick).toFixed(0)} s after the tick; rerun with a longer --lead (now ${options.leadSeconds} s)`);

    await sleep(tick.getTime() - Date.now());
    proxy?.reset();
    const cpuAtTick = { machine: machineCpu(), postgres: postgresCpuSeconds(), workers: workers.map((w) => processCpuSeconds(w.child.pid)), simulators: simulators.map((s) => processCpuSeconds(s.child.pid)) };
    const deadline = lastTick + options.timeoutSeconds * 1000;
    // Stay past the last tick's 60-second due window plus two passes, so a duplicate send would show.
    const earliestEnd = lastTick + 60_000 + 2 * options.jobs.cronIntervalSeconds * 1000 + 2_000;
    let drained: number | null = null;
    let peakConnections = 0;
    for (;;) {
      await sleep(5_000);
      const p = await tickProgress(db, controlSchema, jobsSchema, trigger);
      const clients = await db.query<{ n: number }>(`SELECT count(*)::int AS n FROM pg_stat_activity WHERE backend_type = 'client backend'`);
      peakConnections = Math.max(peakConnections, clients.rows[0]!.n);
      const at = (Date.now() - tick.getTime()) / 1000;
      say(`  t+${at.toFixed(0).padStart(3)} s: ${p.jobs} jobs sent, ${p.pending} pending; runs started ${p.started}, finished ${p.finished} of ${syncIds.length}`);
      // Quiet: nothing left to forward, queued or running. Once the due window has passed too, a
      // schedule that has not fired by now never will for this tick (reported as missing).
      const quiet = p.pending === 0 && p.sendItPending === 0 && p.running === 0 && p.jobs > 0;
      if (quiet && drained === null) drained = Date.now();
      if (!quiet) drained = null;
      if ((quiet && Date.now() >= earliestEnd) || Date.now() >= deadline) break;
    }
    const cpuAtEnd = { machine: machineCpu(), postgres: postgresCpuSeconds(), workers: workers.map((w) => processCpuSeconds(w.child.pid)), simulators: simulators.map((s) => processCpuSeconds(s.child.pid)) };
    const roundTrips = proxy?.counts() ?? null;
    const upstream = { connecteam: await connecteam.requests(), cliniko: await cliniko.requests() };
    say('  stopping the workers (SIGTERM)…');
    const exitCodes = await Promise.all(workers.map((w) => w.stop()));

    const analysis = await analyseTick(db, controlSchema, jobsSchema, trigger, tick, syncIds, ticks);
    say('  measuring the ledger…');
    const measured: MeasuredLedger = await measureLedger(db, controlSchema, jobsSchema);
    let week: WeekLedger | null = null;
    if (options.week) {
      say(`  building a synthetic week (${HOURS_PER_WEEK} copies of the tick's runs and jobs)…`);
      week = await simulateWeek(db, controlSchema, jobsSchema, weekSchema, trigger);
    }
    const cpuSpan = (a: number | null | undefined, b: number | null | undefined) => (a == null || b == null ? null : b - a);
    const machineSpan =
      cpuAtTick.machine && cpuAtEnd.machine ? (cpuAtEnd.machine.busy - cpuAtTick.machine.busy) / Math.max(1, cpuAtEnd.machine.total - cpuAtTick.machine.total) : null;
    const zones = BENCH_ZONES.map((zone) => ({ zone, cron: `${localMinute(tick, zone)} * * * *` }));
    const report: BenchReport = {
      syncs: syncIds.length,
      tenants,
      streams: STREAMS.map((s) => s.stream),
      workers: options.workers,
      jobs: options.jobs,
      tick,
      spreadMinutes: options.spreadMinutes,
      lastTick: new Date(lastTick),
      zones,
      applySeconds,
      registered: registered.rows[0]!.n,
      workersSeconds,
      analysis,
      targetP99Ms: TARGET_P99_MS,
      cpu: {
        machineBusy: machineSpan,
        cores: availableParallelism(),
        workersSeconds: cpuAtEnd.workers.reduce<number>((sum, end, i) => sum + (cpuSpan(cpuAtTick.workers[i], end) ?? 0), 0),
        postgresSeconds: cpuSpan(cpuAtTick.postgres, cpuAtEnd.postgres),
        simulatorsSeconds: cpuAtEnd.simulators.reduce<number>((sum, end, i) => sum + (cpuSpan(cpuAtTick.simulators[i], end) ?? 0), 0),
        // From the (first) tick to the last run's end: with spread ticks the machine idles between minutes.
        windowSeconds: analysis.lastFinished !== null ? analysis.lastFinished / 1000 : ((drained ?? Date.now()) - tick.getTime()) / 1000,
      },
      upstream,
      connections: { peak: peakConnections, max: maxConnections, perWorker },
      roundTrips,
      workerRuns: workers.map((w) => w.counts.runs),
      workerExitCodes: exitCodes,
      measured,
      week,
      benchSeconds: (performance.now() - benchStarted) / 1000,
      logFile: join(dir, 'workers.log'),
    };
    process.stdout.write(`${formatReport(report)}\n`);
    const met = analysis.tickToStart !== null && analysis.tickToStart.p99 < TARGET_P99_MS && analysis.exactlyOnce === analysis.syncs;
    return met ? 0 : 1;
  } finally {
    await Promise.allSettled(workers.map((w) => w.stop()));
    await Promise.allSettled(simulators.map((s) => s.stop()));
    await proxy?.close();
    await db.end();
    log.end();
    if (!options.keep) {
      await dropSchemas(BENCH_PG_URL, [weekSchema, jobsSchema, controlSchema, destinationSchema]);
      rmSync(dir, { recursive: true, force: true });
    } else {
      say(`kept: schemas ${destinationSchema}, ${controlSchema}, ${jobsSchema}, ${weekSchema}; files in ${dir}`);
    }
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    const usage = error instanceof UsageError ? `\n${USAGE}` : '';
    process.stderr.write(`bench:jobs: ${error instanceof Error ? error.message : String(error)}${usage}\n`);
    process.exit(2);
  },
);
