/**
 * `npm run bench`: the old per-shift pattern against Tidemark, syncing N shifts from the Connecteam
 * simulator into Postgres through a latency proxy at 0 and 20 ms RTT, plus the COPY loading limit;
 * then (`--dialects`, default all) the same into MariaDB (proxied, LOAD DATA LOCAL as the limit) and
 * SQLite (embedded). The simulator and the proxies live in this process; every measurement runs in
 * its own child. Prints one table and the targets per dialect, and writes bench/results/latest.json.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { cpus, platform, release } from 'node:os';
import { fileURLToPath } from 'node:url';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { assertReachable, BENCH_PG_URL, withDirectClient } from './bench-database.ts';
import { dialectResults, measureDialectSize, openDialect, type DialectEnv } from './dialect-run.ts';
import { BENCH_SEED, generateOptionsFor, windowFor } from './dataset-size.ts';
import { forkJob } from './fork-job.ts';
import type { JobContext, LoadResult, OldPatternResult, TidemarkResult } from './jobs.ts';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.ts';
import { BenchUsageError, parseBenchOptions, USAGE } from './options.ts';
import { DEFAULT_BATCH, LARGE_BATCH, LOAD_REPEATS, oldPatternMeasured, RTTS_MS, tidemarkBatchSizes } from './plan.ts';
import { formatReport } from './report.ts';
import type { BenchResults, Measurements } from './results.ts';
import { tableRows } from './table-rows.ts';
import { checkTargets } from './targets.ts';

const RESULTS_FILE = fileURLToPath(new URL('./results/latest.json', import.meta.url));

const log = (text: string) => process.stderr.write(`${text}\n`);

async function measureSize(shifts: number, proxies: ReadonlyMap<number, LatencyProxy> | null, m: Measurements, others: readonly DialectEnv[]): Promise<void> {
  const started = performance.now();
  const simulator = await startConnecteamSimulator({ port: 0, seed: BENCH_SEED, generate: generateOptionsFor(shifts), rateLimit: false });
  log(`[${shifts} shifts] simulator ready in ${((performance.now() - started) / 1000).toFixed(1)} s`);
  try {
    if (proxies) await measurePostgresSize(shifts, simulator, proxies, m);
    const base = { shifts, window: windowFor(shifts), simulator: { url: simulator.url, apiKey: simulator.apiKey }, directUrl: BENCH_PG_URL };
    for (const env of others) await measureDialectSize(env, base, log);
  } finally {
    await simulator.close();
  }
}

async function measurePostgresSize(
  shifts: number,
  simulator: { readonly url: string; readonly apiKey: string },
  proxies: ReadonlyMap<number, LatencyProxy>,
  m: Measurements,
): Promise<void> {
  const context = (rttMs: number): JobContext => ({
    shifts,
    window: windowFor(shifts),
    simulator: { url: simulator.url, apiKey: simulator.apiKey },
    directUrl: BENCH_PG_URL,
    proxyUrl: proxies.get(rttMs)!.url(),
    rttMs,
  });
  for (const rttMs of RTTS_MS) {
    const proxy = proxies.get(rttMs)!;
    for (const batchSize of tidemarkBatchSizes(shifts)) {
      const result = await forkJob<TidemarkResult>({ kind: 'tidemark', ...context(rttMs), batchSize }, proxy);
      m.tidemark.push({ shifts, rttMs, batchSize, result });
      log(`[${shifts} shifts, ${rttMs} ms, B=${batchSize}] tidemark cold ${result.cold.seconds.toFixed(3)} s, warm ${result.first.seconds.toFixed(3)} s, no-op ${result.noop.seconds.toFixed(3)} s, ${result.first.roundTrips} RT, ${result.maxRssMb.toFixed(0)} MB`);
    }
    if (oldPatternMeasured(shifts, rttMs)) {
      const result = await forkJob<OldPatternResult>({ kind: 'old', ...context(rttMs) }, proxy);
      m.old.push({ shifts, rttMs, result });
      log(`[${shifts} shifts, ${rttMs} ms] old pattern ${result.seconds.toFixed(3)} s, ${result.roundTrips} RT`);
    }
  }
  const result = await forkJob<LoadResult>(
    { kind: 'load', ...context(0), batchSizes: [DEFAULT_BATCH, LARGE_BATCH], repeats: LOAD_REPEATS },
    proxies.get(0)!,
  );
  m.load.push({ shifts, result });
  log(`[${shifts} shifts, 0 ms] COPY ${result.copy.map((x) => x.seconds.toFixed(3)).join('/')} s, merge B=${DEFAULT_BATCH} ${result.merge[String(DEFAULT_BATCH)]!.map((x) => x.seconds.toFixed(3)).join('/')} s`);
}

async function main(): Promise<number> {
  const options = parseBenchOptions(process.argv.slice(2));
  if (options === 'help') {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  await assertReachable(BENCH_PG_URL);
  const postgres = await withDirectClient(BENCH_PG_URL, async (c) => (await c.query<{ v: string }>("SELECT current_setting('server_version') AS v")).rows[0]!.v);
  const startedAt = new Date();
  const started = performance.now();
  const withPostgres = options.dialects.includes('postgres');
  const proxies = new Map<number, LatencyProxy>();
  const others: DialectEnv[] = [];
  const measurements: Measurements = { tidemark: [], old: [], load: [] };
  try {
    if (withPostgres) for (const rttMs of RTTS_MS) proxies.set(rttMs, await startLatencyProxy({ target: BENCH_PG_URL, rttMs }));
    for (const dialect of options.dialects) if (dialect !== 'postgres') others.push(await openDialect(dialect, log));
    for (const shifts of options.sizes) await measureSize(shifts, withPostgres ? proxies : null, measurements, others);
  } finally {
    for (const proxy of proxies.values()) await proxy.close();
    for (const env of others) await env.close();
  }
  const results: BenchResults = {
    startedAt: startedAt.toISOString(),
    seconds: (performance.now() - started) / 1000,
    machine: { cpus: cpus().length, cpuModel: cpus()[0]?.model.trim() ?? 'unknown', node: process.version, postgres: `PostgreSQL ${postgres}`, platform: `${platform()} ${release()}` },
    sizes: options.sizes,
    rows: withPostgres ? tableRows(measurements, options.sizes) : [],
    targets: withPostgres ? checkTargets(measurements) : [],
    measurements,
    ...(others.length > 0 ? { dialects: others.map((env) => dialectResults(env, options.sizes)) } : {}),
  };
  process.stdout.write(`\n${formatReport(results)}\n`);
  mkdirSync(fileURLToPath(new URL('./results/', import.meta.url)), { recursive: true });
  writeFileSync(RESULTS_FILE, `${JSON.stringify(results, null, 2)}\n`);
  process.stdout.write(`Results written to ${RESULTS_FILE}\n`);
  const targets = [...results.targets, ...(results.dialects ?? []).flatMap((d) => d.targets)];
  return targets.some((t) => t.pass === false) ? 1 : 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    if (error instanceof BenchUsageError) process.stderr.write(`${error.message}\n${USAGE}\n`);
    else process.stderr.write(`bench failed: ${error instanceof Error ? (error.stack ?? error.message) : String(error)}\n`);
    process.exitCode = 2;
  },
);
