/**
 * `tidemark demo`: the embedded default end to end. Starts the simulators, keeps the ledger and
 * the warehouse in PGlite under .tidemark/demo, syncs Connecteam users and shifts, syncs the shifts
 * again (nothing changes the second time), and prints what it did and where the data is. Then
 * (unless --once) it keeps running like `tidemark start`: schedules for three tenants (Connecteam,
 * YClients, Cliniko), a worker, and the API with the dashboard, printing its URL and a token.
 */
import { mkdirSync, writeFileSync } from 'node:fs';
import { join, resolve } from 'node:path';
import type { Command, CliContext } from '../command.ts';
import { EXIT } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { parseConfig } from '../../config/load.ts';
import type { ConfigInput } from '../../config/schema.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { PostgresDestination } from '../../destinations/postgres/postgres-destination.ts';
import { openPostgres } from '../../db/open.ts';
import { runSync, type RunSummary } from '../../engine/run-sync.ts';
import { businessWindow } from '../../time/window.ts';
import { addDays, daysBetween, todayIn } from '../../time/business-day.ts';
import { startConnecteamSimulator } from '../../connectors/connecteam/simulator/index.ts';
import { formatSummary } from '../format-summary.ts';
import { ProgressLine } from '../progress-line.ts';
import { startLiveDemo, liveDemoTenants, type DemoSimulators } from './demo-live.ts';
import { startYclientsSimulator } from '../../connectors/yclients/simulator/server.ts';
import { startClinikoSimulator } from '../../connectors/cliniko/simulator/server.ts';
import { portOption } from './serve.ts';

const DEMO_FROM = '2026-11-02';
const DEMO_DAYS = 14;
const KEY_ENV = 'TIDEMARK_DEMO_CONNECTEAM_KEY';

function demoConfig(dir: string, simulators: DemoSimulators, port: number): ConfigInput {
  const live = liveDemoTenants(simulators);
  return {
    controlPlane: { url: `pglite:${join(dir, 'control')}` },
    api: { host: '127.0.0.1', port },
    jobs: { cronIntervalSeconds: 5, pollingIntervalSeconds: 1, concurrency: 2 },
    tenants: [
      { id: 'acme', name: 'Acme Productivity (demo)', timezone: 'America/Chicago', businessHours: { start: '08:00', end: '23:00' } },
      ...live.tenants,
    ],
    connections: [{ id: 'acme-connecteam', tenant: 'acme', connector: 'connecteam', baseUrl: simulators.connecteam.url, credentials: { apiKey: { env: KEY_ENV } } }, ...live.connections],
    destinations: [{ id: 'warehouse', url: `pglite:${join(dir, 'warehouse')}` }],
    syncs: [
      { id: 'acme-users', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.users', destination: 'warehouse', schedules: [{ cron: '*/5 * * * *' }] },
      {
        id: 'acme-shifts',
        tenant: 'acme',
        connection: 'acme-connecteam',
        stream: 'connecteam.shifts',
        destination: 'warehouse',
        window: { pastDays: 7, futureDays: 0 },
        windows: { today: { pastDays: 0, futureDays: 0 } },
        schedules: [{ cron: '* * * * *', window: 'today' }, { cron: '0 * * * *', name: 'week' }],
      },
      ...live.syncs,
    ],
  };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the embedded default: simulator + PGlite + a Connecteam sync, end to end',
  usage: `Usage: tidemark demo [--dir DIR] [--port N] [--api-port N] [--once] [--json]

Runs everything on this machine with nothing to install: the Connecteam, YClients and Cliniko
simulators, the ledger and a warehouse in embedded PGlite (default directory .tidemark/demo).
Syncs users, then two weeks of shifts twice, and prints the counts, the shifts per business day,
and where the data is. Then it keeps running like \`tidemark start\`: schedules for three tenants
(every minute, in each tenant's zone), a worker, and the dashboard on http://127.0.0.1:4300/
(--api-port; 0 = any free port) with a token printed to log in. Ctrl-C stops it.
  --port N    the Connecteam simulator's port (default any free port)
  --once      stop after the first syncs (no schedules, no dashboard)`,
  async run(ctx: CliContext) {
    const { values } = parseCommandArgs(ctx.argv, {
      dir: { type: 'string' },
      port: { type: 'string' },
      'api-port': { type: 'string' },
      once: { type: 'boolean' },
      json: { type: 'boolean' },
    });
    const apiPort = portOption(values['api-port']) ?? 4300;
    const dir = resolve(values.dir ?? '.tidemark/demo');
    mkdirSync(dir, { recursive: true });
    const out = (text: string) => {
      if (!values.json) ctx.stdout.write(text);
    };
    // Shifts from DEMO_FROM through tomorrow, so the live "today" schedule has data to read too.
    const days = Math.max(DEMO_DAYS, daysBetween(DEMO_FROM, todayIn('America/Chicago')) + 2);
    const simulator = await startConnecteamSimulator({ port: Number(values.port ?? 0), seed: 1, generate: { from: DEMO_FROM, days } });
    const simulators: DemoSimulators = {
      connecteam: simulator,
      yclients: await startYclientsSimulator({ seed: 1 }),
      cliniko: await startClinikoSimulator({ seed: 1 }),
    };
    const env = { ...ctx.env, [KEY_ENV]: simulator.apiKey, ...liveDemoTenants(simulators).env };
    const input = demoConfig(dir, simulators, apiPort);
    // Keep a copy beside the data so the same syncs can be run by hand (see the last lines printed).
    writeFileSync(join(dir, 'tidemark.config.json'), `${JSON.stringify({ ...input, connections: [{ ...input.connections![0]!, baseUrl: 'http://127.0.0.1:4010' }] }, null, 2)}\n`);
    const config = parseConfig(input, 'demo configuration');
    out(`Simulators: Connecteam ${simulator.url}, YClients ${simulators.yclients.url}, Cliniko ${simulators.cliniko.url}; ledger and warehouse in ${dir}\n\n`);

    const ledger = await openLedger(config, env);
    const warehouse = await openPostgres(`pglite:${join(dir, 'warehouse')}`);
    let warehouseOpen = true;
    const destination = new PostgresDestination(warehouse);
    const summaries: RunSummary[] = [];
    try {
      const window = businessWindow(DEMO_FROM, addDays(DEMO_FROM, DEMO_DAYS), 'America/Chicago');
      for (const [syncId, runWindow] of [['acme-users', null], ['acme-shifts', window], ['acme-shifts', window]] as const) {
        const parts = resolveSync(config, syncId, env);
        await destination.ensureTable(parts.sync.table);
        const line = ctx.interactive && !values.json ? new ProgressLine(ctx.stderr, syncId) : null;
        const summary = await runSync({
          sync: parts.sync,
          window: runWindow,
          client: parts.createClient(),
          destination,
          ledger,
          trigger: 'demo',
          signal: ctx.signal,
          ...(line ? { onProgress: (e) => line.update(e) } : {}),
        });
        line?.done();
        summaries.push(summary);
        out(formatSummary(summary));
        if (summary.status !== 'succeeded') return EXIT.failed;
      }
      const perDay = await warehouse.query<{ business_date: string; shifts: number; minutes: string; open: number }>(
        `SELECT business_date::text AS business_date, count(*)::int AS shifts, coalesce(sum(duration_minutes), 0)::int::text AS minutes,
                count(*) FILTER (WHERE is_open)::int AS open
         FROM connecteam_shifts WHERE tenant_id = 'acme' AND deleted_at IS NULL GROUP BY business_date ORDER BY business_date`,
      );
      if (values.json) {
        ctx.stdout.write(`${JSON.stringify({ dir, runs: summaries, shiftsPerDay: perDay.rows })}\n`);
      } else {
        out('\nShifts per business day (America/Chicago), from the warehouse:\n');
        for (const row of perDay.rows) out(`  ${row.business_date}  ${String(row.shifts).padStart(3)} shifts  ${row.minutes.padStart(6)} min${row.open ? `  (${row.open} open)` : ''}\n`);
        out(
          [
            '',
            'Where the data is:',
            `  warehouse (PGlite): ${join(dir, 'warehouse')}  tables connecteam_users, connecteam_shifts`,
            `  ledger    (PGlite): ${join(dir, 'control')}    schema tidemark: runs, changes, dead_letters`,
            '',
            'Run the same syncs by hand:',
            '  npx tidemark simulate connecteam --port 4010 &',
            `  ${KEY_ENV}=sim-connecteam-key npx tidemark sync acme-shifts --config ${join(dir, 'tidemark.config.json')} --from ${DEMO_FROM} --to ${addDays(DEMO_FROM, DEMO_DAYS)}`,
            '',
          ].join('\n'),
        );
      }
      if (values.once) return EXIT.ok;
      // The worker opens the warehouse itself (one process per PGlite directory).
      await warehouse.close();
      warehouseOpen = false;
      return await startLiveDemo({ ctx, config, env, ledger, json: values.json === true });
    } finally {
      if (warehouseOpen) await warehouse.close();
      await ledger.db.close();
      await Promise.all([simulator.close(), simulators.yclients.close(), simulators.cliniko.close()]);
    }
  },
};
