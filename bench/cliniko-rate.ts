/**
 * `npm run bench:cliniko`: does a Cliniko sync use its rate limit? A patients sync of 20,000
 * patients (100 a page: 200 requests) against the Cliniko simulator limited to 200 requests per
 * minute, through the production path: the connector's own client (Basic auth, User-Agent, even
 * pacing, its 200-a-minute budget), the engine, and a Postgres table.
 *
 * The minute is shortened (default 20 s) the same way on both sides: the simulator counts 200 per
 * `--minute-ms` and the client's budget gets the same `minuteMs`; nothing else about the client
 * changes. The simulator runs in its own process. Prints the requests per (shortened) minute
 * achieved as a share of the limit and the 429 count; exits 1 below 90 % or on any 429.
 */
import { spawn } from 'node:child_process';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import { clinikoClientOptions } from '../src/connectors/cliniko/connector.ts';
import { patientsStream } from '../src/connectors/cliniko/patients-stream.ts';
import { openPostgres } from '../src/db/open.ts';
import { PostgresDestination } from '../src/destinations/postgres/postgres-destination.ts';
import { runSync } from '../src/engine/run-sync.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { PACING_MARGIN, UpstreamClient } from '../src/upstream/index.ts';
import { assertReachable, BENCH_PG_URL, benchSchemaName, createSchema, dropSchemas } from './bench-database.ts';
import type { SimulatorProcessSettings } from './cliniko-simulator-process.ts';

const USAGE = `Usage: npm run bench:cliniko -- [--patients 20000] [--minute-ms 20000] [--per-minute 200]
  --patients N      patients to sync, 100 a page (default 20,000: 200 requests)
  --minute-ms MS    length of the "minute" on both sides (default 20,000; 60000 is the real one)
  --per-minute N    the simulator's limit and the client's budget (default 200, Cliniko's)
Postgres: TIDEMARK_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).`;
const TARGET_SHARE = 0.9;

interface SimulatorStats {
  readonly stats: { requests: number; served429: number; rateLimitViolations: number; peakInWindow: number };
}

function wholeNumber(flag: string, raw: string | undefined, fallback: number, min: number): number {
  if (raw === undefined) return fallback;
  const value = Number(raw.replaceAll('_', ''));
  if (!Number.isInteger(value) || value < min) throw new RangeError(`--${flag} ${raw}: give a whole number ≥ ${min}\n${USAGE}`);
  return value;
}

/** The simulator in a child process; resolves once it listens. */
async function startSimulatorProcess(settings: SimulatorProcessSettings) {
  const file = fileURLToPath(new URL('./cliniko-simulator-process.ts', import.meta.url));
  const child = spawn(process.execPath, [file, JSON.stringify(settings)], { stdio: ['ignore', 'pipe', 'inherit'] });
  const [line] = await Promise.race([
    (async () => {
      for await (const first of createInterface({ input: child.stdout })) return [first];
      return [undefined];
    })(),
    new Promise<never>((_, reject) => child.once('exit', (code) => reject(new Error(`the simulator process exited (${code}) before listening`)))),
  ]);
  const { apiUrl, apiKey } = JSON.parse(line ?? '{}') as { apiUrl: string; apiKey: string };
  return {
    apiUrl,
    apiKey,
    async stats(): Promise<SimulatorStats['stats']> {
      const answer = (await (await fetch(`${new URL(apiUrl).origin}/__sim/stats`)).json()) as SimulatorStats;
      return answer.stats;
    },
    stop: () => new Promise<void>((resolve) => {
      child.once('exit', () => resolve());
      child.kill('SIGTERM');
    }),
  };
}

async function main(): Promise<number> {
  const { values } = parseArgs({ options: { patients: { type: 'string' }, 'minute-ms': { type: 'string' }, 'per-minute': { type: 'string' }, help: { type: 'boolean', short: 'h' } } });
  if (values.help) {
    process.stdout.write(`${USAGE}\n`);
    return 0;
  }
  const patients = wholeNumber('patients', values.patients, 20_000, 1);
  const minuteMs = wholeNumber('minute-ms', values['minute-ms'], 20_000, 1_000);
  const perMinute = wholeNumber('per-minute', values['per-minute'], 200, 1);
  await assertReachable(BENCH_PG_URL);

  const simulator = await startSimulatorProcess({ patients, perMinute, minuteMs, seed: 1 });
  const schema = benchSchemaName();
  await createSchema(BENCH_PG_URL, schema);
  const db = await openPostgres(BENCH_PG_URL, { searchPath: schema });
  try {
    await migrateLedger(db, schema);
    const destination = new PostgresDestination(db);
    const table = { spec: patientsStream.table, name: patientsStream.table.name, schema };
    await destination.ensureTable(table);
    const settings = {
      tenantId: 'harbour',
      connectionId: 'harbour-cliniko',
      baseUrl: simulator.apiUrl,
      credentials: { apiKey: simulator.apiKey },
      credentialEnv: { apiKey: 'HARBOUR_CLINIKO_KEY' },
      // The connector's default budget unless --per-minute says otherwise (then both sides agree).
      limits: perMinute === 200 ? undefined : { perMinute },
      maxAttempts: 5,
      timeoutMs: 30_000,
      options: { contactEmail: 'bench@tidemark.example' },
    };
    // The production client, with only the length of its minute changed to match the simulator's.
    const client = new UpstreamClient({ ...clinikoClientOptions(settings), minuteMs });
    process.stderr.write(`syncing ${patients.toLocaleString('en')} patients at ${perMinute} requests per ${minuteMs / 1000} s "minute"…\n`);
    const summary = await runSync({
      sync: { id: 'harbour-patients', tenantId: 'harbour', timezone: 'Australia/Sydney', connectionId: 'harbour-cliniko', stream: patientsStream, mode: 'incremental', table, batchSize: 1000, deleteGuard: { maxFraction: 0.5, minRows: 10 }, lookbackMinutes: 10 },
      window: null,
      client,
      destination,
      ledger: new Ledger(db, schema),
    });
    const upstream = await simulator.stats();
    if (summary.status !== 'succeeded') throw new Error(`the sync ${summary.status}: ${summary.error ?? ''}`);

    const perShortMinute = (upstream.requests * minuteMs) / summary.durationMs;
    const share = perShortMinute / perMinute;
    const ceiling = 1 / (1 + PACING_MARGIN);
    const ok = share >= TARGET_SHARE && upstream.served429 === 0 && client.stats.rateLimited === 0;
    const lines = [
      `Cliniko rate benchmark: ${summary.counts.created.toLocaleString('en')} patients in ${upstream.requests} requests (100 a page)`,
      `  limit          ${perMinute} requests per minute, the minute shortened to ${(minuteMs / 1000).toFixed(1)} s on both sides`,
      `  run            ${(summary.durationMs / 1000).toFixed(1)} s (runSync start to finish, Postgres merge included)`,
      `  achieved       ${perShortMinute.toFixed(1)} requests per minute = ${(share * 100).toFixed(1)} % of the limit (target ≥ ${TARGET_SHARE * 100} %; even pacing’s steady rate ${(ceiling * 100).toFixed(1)} %)`,
      `  429 answers    ${upstream.served429} (limit violations counted by the simulator: ${upstream.rateLimitViolations}; client saw ${client.stats.rateLimited})`,
      `  busiest window ${upstream.peakInWindow} of ${perMinute} requests`,
      ok ? 'PASS' : 'FAIL',
    ];
    process.stdout.write(`${lines.join('\n')}\n`);
    return ok ? 0 : 1;
  } finally {
    await db.close();
    await dropSchemas(BENCH_PG_URL, [schema]);
    await simulator.stop();
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    process.stderr.write(`bench:cliniko: ${error instanceof Error ? error.message : String(error)}\n`);
    process.exit(1);
  },
);
