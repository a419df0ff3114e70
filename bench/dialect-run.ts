/**
 * The MariaDB and SQLite parts of `npm run bench`, per size, against the simulator run.ts started:
 * Tidemark end to end (MariaDB through latency proxies at 0 and 20 ms; SQLite embedded), then merge
 * only against the dialect's loading limit. Every measurement is its own child, as for Postgres.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DatabaseSync } from 'node:sqlite';
import { forkJob, NO_PROXY } from './fork-job.ts';
import type { JobContext, LoadResult, OtherDialect, TidemarkResult } from './jobs.ts';
import { startLatencyProxy, type LatencyProxy } from './latency-proxy.ts';
import { BENCH_MYSQL_URL, openMysqlBenchServer, type MysqlBenchServer } from './mysql-bench-database.ts';
import { DEFAULT_BATCH, LARGE_BATCH, LOAD_REPEATS, RTTS_MS } from './plan.ts';
import { checkDialectTargets } from './dialect-targets.ts';
import type { DialectResults, Measurements } from './results.ts';
import { tableRows, type RowLabels } from './table-rows.ts';

/** Where each dialect's jobs find their destination. */
export interface DialectEnv {
  readonly dialect: OtherDialect;
  readonly server: string;
  readonly rtts: readonly number[];
  /** The destination reached directly (MariaDB database URL), or the directory for SQLite files. */
  readonly direct: string;
  readonly proxies: ReadonlyMap<number, LatencyProxy>;
  readonly measurements: Measurements;
  close(): Promise<void>;
}

type Log = (text: string) => void;

export async function openDialect(dialect: OtherDialect, log: Log): Promise<DialectEnv> {
  const measurements: Measurements = { tidemark: [], old: [], load: [] };
  if (dialect === 'sqlite') {
    const dir = mkdtempSync(join(tmpdir(), 'tidemark-bench-sqlite-'));
    const probe = new DatabaseSync(':memory:');
    const version = (probe.prepare('SELECT sqlite_version() AS v').get() as { v: string }).v;
    probe.close();
    return {
      dialect, server: `SQLite ${version} (node:sqlite)`, rtts: [0], direct: dir, proxies: new Map(), measurements,
      close: async () => rmSync(dir, { recursive: true, force: true }),
    };
  }
  const server: MysqlBenchServer = await openMysqlBenchServer(BENCH_MYSQL_URL, log);
  const proxies = new Map<number, LatencyProxy>();
  try {
    for (const rttMs of RTTS_MS) proxies.set(rttMs, await startLatencyProxy({ target: BENCH_MYSQL_URL, rttMs, protocol: 'mysql' }));
  } catch (error) {
    await server.close();
    throw error;
  }
  return {
    dialect, server: server.version, rtts: RTTS_MS, direct: server.url, proxies, measurements,
    async close() {
      for (const proxy of proxies.values()) await proxy.close();
      await server.close();
    },
  };
}

/** MariaDB samples the merge and LOAD DATA fewer times at 100,000 rows, to keep the run short. */
const loadRepeats = (env: DialectEnv, shifts: number) => (env.dialect === 'mysql' && shifts >= 100_000 ? 2 : LOAD_REPEATS);

export async function measureDialectSize(env: DialectEnv, base: Omit<JobContext, 'proxyUrl' | 'rttMs'>, log: Log): Promise<void> {
  const { dialect, measurements: m } = env;
  const { shifts } = base;
  const via = (rttMs: number) => {
    const proxy = env.proxies.get(rttMs);
    return { proxy: proxy ?? NO_PROXY, proxyUrl: proxy ? proxy.url(new URL(env.direct).pathname.slice(1)) : '' };
  };
  for (const rttMs of env.rtts) {
    const { proxy, proxyUrl } = via(rttMs);
    const job = { kind: 'dialect-tidemark', dialect, destinationDirect: env.direct, ...base, proxyUrl, rttMs, batchSize: DEFAULT_BATCH } as const;
    const result = await forkJob<TidemarkResult>(job, proxy);
    m.tidemark.push({ shifts, rttMs, batchSize: DEFAULT_BATCH, result });
    log(`[${dialect} ${shifts} shifts, ${rttMs} ms, B=${DEFAULT_BATCH}] tidemark cold ${result.cold.seconds.toFixed(3)} s, warm ${result.first.seconds.toFixed(3)} s, no-op ${result.noop.seconds.toFixed(3)} s, ${result.first.roundTrips} RT, ${result.maxRssMb.toFixed(0)} MB`);
  }
  const { proxy, proxyUrl } = via(0);
  const repeats = loadRepeats(env, shifts);
  const job = { kind: 'dialect-load', dialect, destinationDirect: env.direct, ...base, proxyUrl, rttMs: 0, batchSizes: [DEFAULT_BATCH, LARGE_BATCH], repeats } as const;
  const result = await forkJob<LoadResult>(job, proxy);
  m.load.push({ shifts, result });
  log(`[${dialect} ${shifts} shifts, 0 ms] load ${result.copy.map((x) => x.seconds.toFixed(3)).join('/')} s, merge B=${DEFAULT_BATCH} ${result.merge[String(DEFAULT_BATCH)]!.map((x) => x.seconds.toFixed(3)).join('/')} s`);
}

const LABELS: Record<OtherDialect, RowLabels> = {
  mysql: { load: 'LOAD DATA LOCAL INFILE', ratio: 'merge/LOAD DATA', rewritten: 'row updates (Handler_update)', rtts: RTTS_MS },
  sqlite: { load: 'plain INSERT, 1 transaction', ratio: 'merge/INSERT', rewritten: 'WAL frames written', rtts: [0] },
};

export function dialectResults(env: DialectEnv, sizes: readonly number[]): DialectResults {
  const m = env.measurements;
  const rows = tableRows(m, sizes, LABELS[env.dialect]).map((row) => {
    // The load child's own peak RSS on its rows; no wire to count on for SQLite.
    const maxRssMb = row.maxRssMb ?? m.load.find((l) => l.shifts === row.shifts)?.result.maxRssMb ?? null;
    if (env.dialect !== 'sqlite') return { ...row, maxRssMb };
    return { ...row, maxRssMb, roundTrips: null, note: row.note.replace(/; \d+ DB connection\(s\)$/, '') };
  });
  return { dialect: env.dialect, server: env.server, rows, targets: checkDialectTargets(env.dialect, m), measurements: m };
}
