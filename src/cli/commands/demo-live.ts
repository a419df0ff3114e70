/**
 * The live half of `tidemark demo`: two more tenants on the YClients and Cliniko simulators, then
 * schedules, a worker and the API with the dashboard on the embedded control plane, until Ctrl-C.
 */
import type { CliContext } from '../command.ts';
import { EXIT } from '../command.ts';
import type { Config, ConfigInput } from '../../config/schema.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { controlPlaneUrl } from '../../ledger/open-ledger.ts';
import { JobEngine } from '../../jobs/job-engine.ts';
import { applySchedules } from '../../jobs/schedules.ts';
import { startWorker } from '../../jobs/worker.ts';
import { startServer } from '../../api/start-server.ts';
import { TokenStore } from '../../api/tokens.ts';
import { startAlertLoop } from '../../monitor/alerts/loop.ts';
import type { ConnecteamSimulator } from '../../connectors/connecteam/simulator/server.ts';
import type { YclientsSimulator } from '../../connectors/yclients/simulator/server.ts';
import type { ClinikoSimulator } from '../../connectors/cliniko/simulator/server.ts';

export interface DemoSimulators {
  readonly connecteam: ConnecteamSimulator;
  readonly yclients: YclientsSimulator;
  readonly cliniko: ClinikoSimulator;
}

/** The salon (YClients, Moscow) and the clinic (Cliniko, Sydney) of the demo, with schedules every minute. */
export function liveDemoTenants(s: DemoSimulators): Required<Pick<ConfigInput, 'tenants' | 'connections' | 'syncs'>> & { env: Record<string, string> } {
  return {
    env: { TIDEMARK_DEMO_YCLIENTS_PARTNER: s.yclients.partnerToken, TIDEMARK_DEMO_YCLIENTS_USER: s.yclients.userToken, TIDEMARK_DEMO_CLINIKO_KEY: s.cliniko.apiKey },
    tenants: [
      { id: 'tverskaya', name: 'Barbershop on Tverskaya (demo)', timezone: 'Europe/Moscow', businessHours: { start: '09:00', end: '22:00' } },
      { id: 'harbour', name: 'Harbour Physio (demo)', timezone: 'Australia/Sydney', businessHours: { start: '07:00', end: '20:00', days: [1, 2, 3, 4, 5, 6] } },
    ],
    connections: [
      {
        id: 'tverskaya-yclients',
        tenant: 'tverskaya',
        connector: 'yclients',
        baseUrl: s.yclients.url,
        credentials: { partnerToken: { env: 'TIDEMARK_DEMO_YCLIENTS_PARTNER' }, userToken: { env: 'TIDEMARK_DEMO_YCLIENTS_USER' } },
        options: { companyId: 501101 },
      },
      {
        id: 'harbour-cliniko',
        tenant: 'harbour',
        connector: 'cliniko',
        baseUrl: s.cliniko.apiUrl,
        credentials: { apiKey: { env: 'TIDEMARK_DEMO_CLINIKO_KEY' } },
        options: { contactEmail: 'demo@tidemark.example' },
      },
    ],
    syncs: [
      { id: 'tverskaya-staff', tenant: 'tverskaya', connection: 'tverskaya-yclients', stream: 'yclients.staff', destination: 'warehouse', schedules: [{ cron: '*/5 * * * *' }] },
      {
        id: 'tverskaya-schedules',
        tenant: 'tverskaya',
        connection: 'tverskaya-yclients',
        stream: 'yclients.staff_schedules',
        destination: 'warehouse',
        schedules: [{ cron: '* * * * *', window: 'today' }, { cron: '0 5 * * *', window: 'full' }],
      },
      { id: 'harbour-practitioners', tenant: 'harbour', connection: 'harbour-cliniko', stream: 'cliniko.practitioners', destination: 'warehouse', schedules: [{ cron: '*/5 * * * *' }] },
      { id: 'harbour-appointments', tenant: 'harbour', connection: 'harbour-cliniko', stream: 'cliniko.appointments', destination: 'warehouse', schedules: [{ cron: '* * * * *' }] },
    ],
  };
}

export async function startLiveDemo(options: { ctx: CliContext; config: Config; env: NodeJS.ProcessEnv; ledger: Ledger; json: boolean }): Promise<number> {
  const { ctx, config, env, ledger } = options;
  const engine = await JobEngine.open(config, ledger, controlPlaneUrl(config, env), { schedule: true, supervise: true });
  try {
    await applySchedules(engine, config);
    // Every sync once now, so the dashboard has data before the first tick.
    for (const sync of config.syncs) await engine.trigger({ syncId: sync.id, trigger: 'demo' });
    const worker = await startWorker({
      config,
      env,
      ledger,
      engine,
      onRun(summary) {
        if (!options.json) ctx.stdout.write(`  run #${summary.runId} ${summary.syncId} ${summary.status}: fetched ${summary.counts.fetched}, created ${summary.counts.created}, updated ${summary.counts.updated}\n`);
      },
    });
    const server = await startServer(config, env, ledger, engine);
    // The demo's tenants configure no alert channels; the loop is there so adding one to the printed config works.
    const alerts = startAlertLoop({ config, env, ledger, intervalMs: config.jobs.monitorIntervalSeconds * 1000, log: (line) => ctx.stderr.write(`tidemark demo: ${line}\n`) });
    const { token } = await new TokenStore(ledger.db, config.controlPlane.schema).create(`demo ${new Date().toISOString()}`, ['*'], 'operate');
    if (options.json) ctx.stdout.write(`${JSON.stringify({ dashboard: `${server.url}/`, token })}\n`);
    else {
      ctx.stdout.write(
        [
          '',
          `Live: schedules run every minute in each tenant's zone (America/Chicago, Europe/Moscow, Australia/Sydney).`,
          `Dashboard: ${server.url}/`,
          `Token (operate, all tenants): ${token}`,
          `API: curl -H "Authorization: Bearer ${token}" ${server.url}/api/v1/tenants/acme/status`,
          'Ctrl-C stops (the running syncs checkpoint first).',
          '',
        ].join('\n'),
      );
    }
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await alerts.stop();
    await server.close();
    await worker.stop();
    return EXIT.ok;
  } finally {
    await engine.stop();
  }
}
