/** The schedule benchmark's printed report: latency against the target, where it went, exactly-once, and the ledger's size. */
import type { Distribution, TickAnalysis } from './jobs-analysis.ts';
import type { JobsSettings } from './jobs-config.ts';
import { HOURS_PER_WEEK, type MeasuredLedger, type WeekLedger } from './jobs-ledger-size.ts';

export interface BenchReport {
  readonly syncs: number;
  readonly tenants: number;
  readonly streams: readonly string[];
  readonly workers: number;
  readonly jobs: JobsSettings;
  readonly tick: Date;
  /** Minutes the syncs' hourly minute is spread over (1: all at the tick). */
  readonly spreadMinutes: number;
  readonly lastTick: Date;
  readonly zones: readonly { zone: string; cron: string }[];
  readonly applySeconds: number;
  readonly registered: number;
  readonly workersSeconds: number;
  readonly analysis: TickAnalysis;
  readonly targetP99Ms: number;
  readonly cpu: { machineBusy: number | null; cores: number; workersSeconds: number; postgresSeconds: number | null; simulatorsSeconds: number; windowSeconds: number };
  readonly upstream: { connecteam: number; cliniko: number };
  readonly connections: { peak: number; max: number; perWorker: number };
  /** Round trips per application_name from the tick until quiet (--count-round-trips), else null. */
  readonly roundTrips: Record<string, { roundTrips: number; connections: number }> | null;
  readonly workerRuns: readonly number[];
  readonly workerExitCodes: readonly (number | null)[];
  readonly measured: MeasuredLedger;
  readonly week: WeekLedger | null;
  readonly benchSeconds: number;
  readonly logFile: string;
}

const n = (value: number) => Math.round(value).toLocaleString('en-US');
const s = (ms: number | null | undefined) => (ms === null || ms === undefined ? 'n/a' : `${(ms / 1000).toFixed(1)} s`);
const mb = (bytes: number) => (bytes >= 10 * 1024 ** 3 ? `${(bytes / 1024 ** 3).toFixed(1)} GB` : `${(bytes / 1024 ** 2).toFixed(bytes >= 100 * 1024 ** 2 ? 0 : 1)} MB`);
const perRow = (bytes: number, rows: number) => (rows > 0 ? `${n(bytes / rows)} B/row` : 'n/a');

function dist(d: Distribution | null): string {
  if (d === null) return 'n/a';
  return `p50 ${s(d.p50)}, p90 ${s(d.p90)}, p99 ${s(d.p99)}, max ${s(d.max)} (min ${s(d.min)}, n ${n(d.count)})`;
}

function latency(report: BenchReport): string[] {
  const a = report.analysis;
  const d = a.tickToStart;
  const met = d !== null && d.p99 < report.targetP99Ms;
  const drain = a.lastFinished;
  const perMinute = drain && drain > 0 ? (a.finishedRuns / drain) * 60_000 : null;
  return [
    `Tick to start (run started_at − ${report.spreadMinutes > 1 ? "the sync's own tick" : 'tick'}), first run of each sync:`,
    `  ${dist(d)}`,
    `  target p99 < ${report.targetP99Ms / 1000} s: ${met ? 'MET' : 'NOT MET'}`,
    `  where it went:`,
    `    tick → sync job created (cron pass + send-it)   ${dist(a.tickToJob)}`,
    `    job created → taken by a worker (queue wait)    ${dist(a.jobWait)}`,
    `    taken → run row started (our work before it)     ${dist(a.pickupToRun)}`,
    `    run duration (started → finished)               ${dist(a.runDuration)}`,
    `  cron pass: ${n(a.sendIt.count)} send-it jobs inserted ${s(a.sendIt.firstCreated)}..${s(a.sendIt.lastCreated)} after the tick, the last forwarded ${s(a.sendIt.lastCompleted)} after it`,
    `Throughput: ${n(a.finishedRuns)} runs finished by ${s(drain)} after the tick = ${perMinute === null ? 'n/a' : n(perMinute)} runs per minute; busiest 60 s of starts: ${n(a.busiestMinuteStarts)}`,
    `Exactly once: ${n(a.exactlyOnce)} of ${n(a.syncs)} syncs ran exactly once (one job, one succeeded run); missing ${n(a.missing.length)}${a.missing.length ? ` (${a.missing.slice(0, 5).join(', ')}${a.missing.length > 5 ? ', …' : ''})` : ''}, duplicate ${n(a.duplicates.length)}${a.duplicates.length ? ` (${a.duplicates.slice(0, 5).join(', ')})` : ''}, retried ${n(a.retried)}, not succeeded ${n(a.failed)}, dead-lettered ${n(a.deadLettered)}`,
  ];
}

function machine(report: BenchReport): string[] {
  const c = report.cpu;
  const runs = Math.max(1, report.analysis.finishedRuns);
  const perRun = (seconds: number) => `${((seconds / runs) * 1000).toFixed(1)} ms/run`;
  return [
    `CPU from the tick until every run had finished (${c.windowSeconds.toFixed(0)} s × ${c.cores} cores = ${(c.windowSeconds * c.cores).toFixed(0)} core-s): ` +
      `workers ${c.workersSeconds.toFixed(1)} s (${perRun(c.workersSeconds)}), Postgres ${c.postgresSeconds === null ? 'n/a' : `${c.postgresSeconds.toFixed(1)} s (${perRun(c.postgresSeconds)})`}, ` +
      `simulators ${c.simulatorsSeconds.toFixed(1)} s; machine ${c.machineBusy === null ? 'n/a' : `${(c.machineBusy * 100).toFixed(0)} % busy`} (everything on it, other work included)`,
    `Postgres connections: peak ${n(report.connections.peak)} client backends on the server (all databases) of max_connections ${n(report.connections.max)}; each worker may hold ${report.connections.perWorker} (pg-boss concurrency + 4, ledger 4, destination 4)`,
    ...(report.roundTrips
      ? [
          `Database round trips per run (counting proxy, tick until quiet, every statement of the workers): ` +
            Object.entries(report.roundTrips)
              .sort(([a], [b]) => a.localeCompare(b))
              .map(([app, c]) => `${app} ${(c.roundTrips / runs).toFixed(1)}`)
              .join(', ') +
            `; total ${(Object.values(report.roundTrips).reduce((sum, c) => sum + c.roundTrips, 0) / runs).toFixed(1)}`,
        ]
      : []),
    `Upstream requests: Connecteam ${n(report.upstream.connecteam)}, Cliniko ${n(report.upstream.cliniko)}; runs per worker: ${report.workerRuns.map(n).join(', ')}; worker exit codes ${report.workerExitCodes.join(', ')}`,
  ];
}

function ledger(report: BenchReport): string[] {
  const m = report.measured;
  const weekRuns = report.syncs * HOURS_PER_WEEK;
  const runBytes = m.runs.rows > 0 ? m.runs.totalBytes / m.runs.rows : 0;
  const jobRows = m.syncJobs + m.sendItJobs;
  const jobBytes = m.jobs.rows > 0 ? m.jobs.totalBytes / m.jobs.rows : 0;
  const lines = [
    `Ledger after a simulated week (${n(report.syncs)} syncs × 24 × 7 = ${n(weekRuns)} runs):`,
    `  measured after the tick: runs ${n(m.runs.rows)} rows ${mb(m.runs.totalBytes)} (${perRow(m.runs.totalBytes, m.runs.rows)}: heap ${perRow(m.runs.heapBytes, m.runs.rows)}, indexes ${perRow(m.runs.indexBytes, m.runs.rows)}, rest TOAST/FSM)`,
    `    changes ${n(m.changes.rows)} rows ${mb(m.changes.totalBytes)} (${perRow(m.changes.totalBytes, m.changes.rows)}; the first run of a sync records every row it creates, an unchanged re-run none)` +
      `; seen keys left ${n(m.seenKeys.rows)} (deleted when a run finishes); events ${n(m.events.rows)}`,
    `    pg-boss ${m.jobs.table}: ${n(m.jobs.rows)} rows ${mb(m.jobs.totalBytes)} (${perRow(m.jobs.totalBytes, m.jobs.rows)}), of which ${n(m.syncJobs)} sync jobs and ${n(m.sendItJobs)} send-it jobs: ${n(jobRows / Math.max(1, report.syncs))} rows per scheduled run`,
    `  extrapolated from those bytes per row: runs ${mb(runBytes * weekRuns)}, pg-boss jobs ${mb(jobBytes * (jobRows / Math.max(1, report.syncs)) * weekRuns)}`,
  ];
  const w = report.week;
  if (w) {
    lines.push(
      `  synthetic week (the tick's rows copied ${w.copies}×, an hour apart, into tables LIKE the real ones INCLUDING ALL, vacuumed; built in ${w.seconds.toFixed(0)} s):`,
      `    runs ${n(w.runs.rows)} rows: ${mb(w.runs.totalBytes)} (${perRow(w.runs.totalBytes, w.runs.rows)}; heap ${mb(w.runs.heapBytes)}, indexes ${mb(w.runs.indexBytes)})`,
      `    pg-boss jobs ${n(w.jobs.rows)} rows (sync + send-it): ${mb(w.jobs.totalBytes)} (${perRow(w.jobs.totalBytes, w.jobs.rows)})`,
      `    ledger + job tables after a week: ${mb(w.runs.totalBytes + w.jobs.totalBytes)}`,
      `  retention: jobs.keepJobsDays ${report.jobs.keepJobsDays} caps pg-boss at a week (${mb(w.jobs.totalBytes)} steady); ledger.runsRetentionDays 90 lets runs grow to 90 days = ` +
        `${n(report.syncs * 24 * 90)} runs ≈ ${mb((w.runs.totalBytes * 90) / 7)}; changes are kept 30 days and scale with upstream changes, not with runs`,
      `  retention's DELETE on runs (runsRetentionDays 90; the plan shows whether the finished_at index of ledger migration 5 is used) against the week's runs: ${w.pruneMs.toFixed(0)} ms (${w.prunePlan})`,
      `    after every run (as before) that is ${n(report.syncs)} scans an hour = ${((w.pruneMs * report.syncs) / 3_600_000).toFixed(2)} s of Postgres per second, ~${((w.pruneMs * report.syncs * 90) / 7 / 3_600_000).toFixed(1)} at 90 days;` +
        ` once per worker every 10 minutes (src/jobs/run-job.ts) ${report.workers * 6} scans an hour = ${((w.pruneMs * report.workers * 6) / 1000).toFixed(0)} s of Postgres an hour, ~${((w.pruneMs * report.workers * 6 * 90) / 7 / 1000).toFixed(0)} s at 90 days`,
    );
  }
  return lines;
}

export function formatReport(report: BenchReport): string {
  const j = report.jobs;
  const zones = report.zones.map((z) => `${z.zone} "${z.cron}"`).join(', ');
  return [
    `Schedule benchmark: ${n(report.syncs)} syncs (${n(report.tenants)} tenants × ${report.streams.length} streams: ${report.streams.join(', ')}), each hourly in its tenant's zone`,
    report.spreadMinutes > 1
      ? `  ticks spread over ${report.spreadMinutes} minutes, ${report.tick.toISOString()} to ${report.lastTick.toISOString()} (${report.spreadMinutes >= 60 ? 'every sync on "H * * * *": its hashed minute' : "each sync's minute from the same hash over the first minutes"}); latency is from each sync's own tick`
      : `  tick ${report.tick.toISOString()}: ${zones}`,
    `  ${report.workers} × \`tidemark worker\`; jobs: concurrency ${j.concurrency}, pollingIntervalSeconds ${j.pollingIntervalSeconds}, cronIntervalSeconds ${j.cronIntervalSeconds}, monitorIntervalSeconds ${j.monitorIntervalSeconds}, keepJobsDays ${j.keepJobsDays}`,
    `  \`tidemark schedules apply\`: ${n(report.registered)} schedules registered in ${report.applySeconds.toFixed(1)} s; workers ready in ${report.workersSeconds.toFixed(1)} s`,
    ...latency(report),
    ...machine(report),
    ...ledger(report),
    `Bench took ${(report.benchSeconds / 60).toFixed(1)} min; worker log ${report.logFile}`,
  ].join('\n');
}
