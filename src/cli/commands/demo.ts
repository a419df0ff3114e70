/**
 * `tidemark demo`: the embedded default end to end. Starts the Connecteam simulator, keeps the
 * ledger and the warehouse in PGlite under .tidemark/demo, syncs users and shifts, syncs the shifts
 * again (nothing changes the second time), and prints what it did and where the data is.
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
import { addDays } from '../../time/business-day.ts';
import { startConnecteamSimulator } from '../../connectors/connecteam/simulator/index.ts';
import { formatSummary } from '../format-summary.ts';
import { ProgressLine } from '../progress-line.ts';

const DEMO_FROM = '2026-11-02';
const DEMO_DAYS = 14;
const KEY_ENV = 'TIDEMARK_DEMO_CONNECTEAM_KEY';

function demoConfig(dir: string, baseUrl: string): ConfigInput {
  return {
    controlPlane: { url: `pglite:${join(dir, 'control')}` },
    tenants: [
      { id: 'acme', name: 'Acme Productivity (demo)', timezone: 'America/Chicago', businessHours: { start: '08:00', end: '23:00' } },
    ],
    connections: [{ id: 'acme-connecteam', tenant: 'acme', connector: 'connecteam', baseUrl, credentials: { apiKey: { env: KEY_ENV } } }],
    destinations: [{ id: 'warehouse', url: `pglite:${join(dir, 'warehouse')}` }],
    syncs: [
      { id: 'acme-users', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.users', destination: 'warehouse' },
      { id: 'acme-shifts', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.shifts', destination: 'warehouse', window: { pastDays: 7, futureDays: 0 } },
    ],
  };
}

export const demoCommand: Command = {
  name: 'demo',
  summary: 'the embedded default: simulator + PGlite + a Connecteam sync, end to end',
  usage: `Usage: tidemark demo [--dir DIR] [--port N] [--json]

Runs everything on this machine with nothing to install: the Connecteam simulator, the ledger and
a warehouse in embedded PGlite (default directory .tidemark/demo). Syncs users, then two weeks of
shifts twice, and prints the counts, the shifts per business day, and where the data is.`,
  async run(ctx: CliContext) {
    const { values } = parseCommandArgs(ctx.argv, { dir: { type: 'string' }, port: { type: 'string' }, json: { type: 'boolean' } });
    const dir = resolve(values.dir ?? '.tidemark/demo');
    mkdirSync(dir, { recursive: true });
    const out = (text: string) => {
      if (!values.json) ctx.stdout.write(text);
    };
    const simulator = await startConnecteamSimulator({ port: Number(values.port ?? 0), seed: 1, generate: { from: DEMO_FROM, days: DEMO_DAYS } });
    const env = { ...ctx.env, [KEY_ENV]: simulator.apiKey };
    const input = demoConfig(dir, simulator.url);
    // Keep a copy beside the data so the same syncs can be run by hand (see the last lines printed).
    writeFileSync(join(dir, 'tidemark.config.json'), `${JSON.stringify({ ...input, connections: [{ ...input.connections![0]!, baseUrl: 'http://127.0.0.1:4010' }] }, null, 2)}\n`);
    const config = parseConfig(input, 'demo configuration');
    out(`Connecteam simulator on ${simulator.url}; ledger and warehouse in ${dir}\n\n`);

    const ledger = await openLedger(config, env);
    const warehouse = await openPostgres(`pglite:${join(dir, 'warehouse')}`);
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
      return EXIT.ok;
    } finally {
      await warehouse.close();
      await ledger.db.close();
      await simulator.close();
    }
  },
};
