/**
 * `tidemark simulate <connector>`: serve an upstream API from a seeded data set or a fixture until
 * stopped, for the demo, tests, benchmarks and trying a config without real credentials.
 * Each connector is one entry in SIMULATORS; the flags shared by all are parsed here once.
 */
import type { CliContext, Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { assertIsoDate } from '../../time/business-day.ts';
import {
  ConnecteamFixtureError,
  loadDatasetFile,
  startConnecteamSimulator,
} from '../../connectors/connecteam/simulator/index.ts';
import { loadDatasetFile as loadYclientsDataset, startYclientsSimulator } from '../../connectors/yclients/simulator/index.ts';
import { startClinikoSimulator } from '../../connectors/cliniko/simulator/index.ts';

interface SimulateSettings {
  readonly host: string;
  /** Undefined: the connector's default port. */
  readonly port: number | undefined;
  readonly seed: number;
  readonly apiKey: string | undefined;
  /** Undefined: the connector's default; false: no limit. */
  readonly rateLimit: { perMinute: number; perDay: number } | false | undefined;
  readonly latencyMs: number;
  readonly fixture: string | undefined;
  readonly generate: { from?: string; days?: number; users?: number; shifts?: number };
}

interface RunningSimulator {
  readonly url: string;
  /** The credentials it accepts, as a user writes them into env variables, e.g. "X-API-KEY sim-connecteam-key". */
  readonly credentials: string;
  /** e.g. "12 users, 170 shifts". */
  readonly contents: string;
  close(): Promise<void>;
}

interface SimulatorEntry {
  /** A fixed port by default, so a config written once keeps working. */
  readonly defaultPort: number;
  start(settings: SimulateSettings & { readonly port: number }): Promise<RunningSimulator>;
}

const SIMULATORS: Readonly<Record<string, SimulatorEntry>> = {
  connecteam: {
    defaultPort: 4010,
    async start(settings) {
      const simulator = await startConnecteamSimulator({
        host: settings.host,
        port: settings.port,
        apiKey: settings.apiKey,
        seed: settings.seed,
        dataset: settings.fixture === undefined ? undefined : loadDatasetFile(settings.fixture),
        generate: settings.generate,
        rateLimit: settings.rateLimit,
        faults: { latencyMs: settings.latencyMs },
      });
      const counts = simulator.store.counts();
      return {
        url: simulator.url,
        credentials: `X-API-KEY ${simulator.apiKey}`,
        contents: `${counts.users} users, ${counts.shifts} shifts`,
        close: () => simulator.close(),
      };
    },
  },
  yclients: {
    defaultPort: 4020,
    async start(settings) {
      const limit = settings.rateLimit;
      const simulator = await startYclientsSimulator({
        host: settings.host,
        port: settings.port,
        seed: settings.seed,
        ...(settings.apiKey !== undefined ? { partnerToken: settings.apiKey } : {}),
        dataset: settings.fixture === undefined ? undefined : loadYclientsDataset(settings.fixture),
        generate: settings.generate.users === undefined ? {} : { staffPerCompany: settings.generate.users },
        // YClients: 5 a second and 200 a minute per IP, no day budget: --rate-limit M/D sets the minute.
        rateLimit: limit === undefined || limit === false ? limit : { perSecond: 5, perMinute: limit.perMinute },
        faults: { latencyMs: settings.latencyMs },
      });
      const counts = simulator.store.counts();
      const companies = simulator.store.companies().map((company) => `${company.id} ${company.timezone}`).join(', ');
      return {
        url: simulator.url,
        credentials: `partner token ${simulator.partnerToken}, user token ${simulator.userToken}`,
        contents: `${counts.companies} companies (${companies}), ${counts.staff} staff, ${counts.services} services`,
        close: () => simulator.close(),
      };
    },
  },
  cliniko: {
    defaultPort: 4030,
    async start(settings) {
      if (settings.fixture !== undefined) throw new RangeError('the Cliniko simulator serves a seeded data set only; drop --fixture');
      // Cliniko: 200 a minute per user, no day budget: --rate-limit M/D sets the minute. --users and
      // --shifts size the patients and appointments; --from/--days place the appointments.
      const limit = settings.rateLimit;
      const { from, days, users, shifts } = settings.generate;
      const simulator = await startClinikoSimulator({
        host: settings.host,
        port: settings.port,
        seed: settings.seed,
        ...(settings.apiKey !== undefined ? { apiKey: settings.apiKey } : {}),
        generate: { from, days, patients: users, appointments: shifts },
        rateLimit: limit === undefined || limit === false ? limit : { perMinute: limit.perMinute },
        faults: { latencyMs: settings.latencyMs },
      });
      const counts = simulator.store.counts();
      return {
        url: simulator.apiUrl,
        credentials: `API key ${simulator.apiKey} (shard ${simulator.shard})`,
        contents: `${counts.patients} patients, ${counts.practitioners} practitioners, ${counts.appointments} appointments`,
        close: () => simulator.close(),
      };
    },
  },
};

const CONNECTORS = Object.keys(SIMULATORS).join(', ');

function wholeNumber(flag: string, raw: string | undefined, min: number, max = Number.MAX_SAFE_INTEGER): number | undefined {
  if (raw === undefined) return undefined;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < min || value > max) {
    throw new UsageError(`--${flag} "${raw}" is not a whole number from ${min} to ${max}`);
  }
  return value;
}

function rateLimitFlag(raw: string | undefined, off: boolean | undefined): SimulateSettings['rateLimit'] {
  if (off && raw !== undefined) throw new UsageError('--rate-limit and --no-rate-limit contradict each other; pass one');
  if (off) return false;
  if (raw === undefined) return undefined;
  const match = /^(\d+)\/(\d+)$/.exec(raw);
  const [perMinute, perDay] = [Number(match?.[1]), Number(match?.[2])];
  if (match === null || perMinute < 1 || perDay < 1) {
    throw new UsageError(`--rate-limit "${raw}" is not PER_MINUTE/PER_DAY; e.g. 5/100 (SBP), 100/10000 (Expert) or 200/20000 (Enterprise)`);
  }
  return { perMinute, perDay };
}

function parseSettings(argv: readonly string[]): { connector: string; settings: SimulateSettings } {
  const { values, positionals } = parseCommandArgs(
    argv,
    {
      host: { type: 'string' },
      port: { type: 'string' },
      seed: { type: 'string' },
      fixture: { type: 'string' },
      days: { type: 'string' },
      from: { type: 'string' },
      users: { type: 'string' },
      shifts: { type: 'string' },
      'api-key': { type: 'string' },
      'rate-limit': { type: 'string' },
      'no-rate-limit': { type: 'boolean' },
      latency: { type: 'string' },
    },
    true,
  );
  const [connector, ...extra] = positionals;
  if (connector === undefined) throw new UsageError(`name the upstream to simulate: ${CONNECTORS}`);
  if (extra.length > 0) throw new UsageError(`unexpected argument "${extra[0]}"; simulate one upstream at a time`);
  if (values.from !== undefined) {
    try {
      assertIsoDate(values.from, '--from');
    } catch (error) {
      throw new UsageError(error instanceof Error ? error.message : String(error));
    }
  }
  const generate = {
    from: values.from,
    days: wholeNumber('days', values.days, 1, 3660),
    users: wholeNumber('users', values.users, 1, 100_000),
    shifts: wholeNumber('shifts', values.shifts, 0),
  };
  const generateFlags = Object.entries(generate).filter(([, value]) => value !== undefined).map(([name]) => `--${name}`);
  if (values.fixture !== undefined && generateFlags.length > 0) {
    throw new UsageError(`--fixture serves the file as it is; drop ${generateFlags.join(', ')} or drop --fixture`);
  }
  return {
    connector,
    settings: {
      host: values.host ?? '127.0.0.1',
      port: wholeNumber('port', values.port, 0, 65_535),
      seed: wholeNumber('seed', values.seed, 0) ?? 1,
      apiKey: values['api-key'],
      rateLimit: rateLimitFlag(values['rate-limit'], values['no-rate-limit']),
      latencyMs: wholeNumber('latency', values.latency, 0, 600_000) ?? 0,
      fixture: values.fixture,
      generate,
    },
  };
}

function untilAborted(signal: AbortSignal): Promise<void> {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    signal.addEventListener('abort', () => resolve(), { once: true });
  });
}

export const simulateCommand: Command = {
  name: 'simulate',
  summary: 'serve a simulated upstream API (connecteam) for demos, tests and benchmarks',
  usage: `Usage: tidemark simulate <upstream> [options]

Serves the upstream's real API shape from a seeded data set (same seed, same answers) or a JSON
fixture, until Ctrl-C. Upstreams: ${CONNECTORS}.

  --port N              port to listen on (connecteam 4010, yclients 4020, cliniko 4030; 0 = any free port)
  --host H              address to listen on (default 127.0.0.1)
  --seed N              data set seed (default 1)
  --fixture FILE        serve this JSON data set ({timeClocks, users, shifts}) instead
  --from YYYY-MM-DD     first generated business date (default 2026-11-02)
  --days N              generated business dates (default 14)
  --users N             generated users (default 12)
  --shifts N            exactly N shifts in total (e.g. 500, 10000, 100000 for benchmarks)
  --api-key KEY         the key to accept (Connecteam X-API-KEY, YClients partner token, Cliniko API key)
  --rate-limit M/D      requests per minute/per day (default 200/20000; SBP is 5/100)
  --no-rate-limit       no limit and no rate-limit headers
  --latency MS          added to every answer

Example: tidemark simulate connecteam --port 4010 --shifts 10000
Faults at runtime: curl -X POST localhost:4010/__sim/faults -d '{"status429":2}'`,

  async run(ctx: CliContext) {
    const { connector, settings } = parseSettings(ctx.argv);
    const entry = SIMULATORS[connector];
    if (entry === undefined) throw new UsageError(`unknown upstream "${connector}"; accepted: ${CONNECTORS}`);
    const port = settings.port ?? entry.defaultPort;
    let running: RunningSimulator;
    try {
      running = await entry.start({ ...settings, port });
    } catch (error) {
      const message = error instanceof Error ? error.message : String(error);
      if (error instanceof ConnecteamFixtureError || error instanceof RangeError) {
        ctx.stderr.write(`tidemark simulate ${connector}: ${message}\n`);
        return EXIT.usage;
      }
      if (error instanceof Error && 'code' in error && error.code === 'EADDRINUSE') {
        ctx.stderr.write(`tidemark simulate ${connector}: port ${port} is in use; pass --port with another port, or --port 0 for any free one\n`);
        return EXIT.failed;
      }
      throw error;
    }
    ctx.stdout.write(`${connector} simulator on ${running.url} (accepts ${running.credentials}); ${running.contents}\n`);
    await untilAborted(ctx.signal);
    await running.close();
    return EXIT.ok;
  },
};
