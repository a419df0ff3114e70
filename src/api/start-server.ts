/** Start the HTTP API (and the dashboard) on the configured address; returns how to stop it. */
import type { FastifyInstance } from 'fastify';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { JobEngine } from '../jobs/job-engine.ts';
import { TokenStore } from './tokens.ts';
import { buildServer, type ServerOptions } from './server.ts';
import { registerDashboard } from '../web/register.ts';
import { loadReplicas, ReplicaService } from '../replica/server/replica-service.ts';

const PRUNE_EVERY_MS = 60 * 60 * 1000;

export interface RunningServer {
  readonly app: FastifyInstance;
  /** http://host:port */
  readonly url: string;
  /** The offline-site replicas served here, or null when none is configured. */
  readonly replicas: ReplicaService | null;
  close(): Promise<void>;
}

export async function startServer(
  config: Config,
  env: NodeJS.ProcessEnv,
  ledger: Ledger,
  engine: JobEngine | null,
  options: { host?: string; port?: number; extend?: ServerOptions['extend']; logger?: ServerOptions['loggerInstance'] } = {},
): Promise<RunningServer> {
  const tokens = new TokenStore(ledger.db, config.controlPlane.schema);
  const logger = options.logger;
  const runtimes = await loadReplicas(config);
  const replicas = runtimes.length
    ? new ReplicaService(ledger.db, config.controlPlane.schema, runtimes, { notice: (message, details) => logger?.warn(details, message) })
    : null;
  const app = await buildServer(
    { config, env, ledger, engine, tokens, replicas, now: () => new Date() },
    {
      bodyLimitBytes: config.api.bodyLimitBytes,
      ...(options.logger ? { loggerInstance: options.logger } : {}),
      // The dashboard at `/` always; then any routes the caller adds.
      extend: async (app) => {
        registerDashboard(app);
        await options.extend?.(app);
      },
    },
  );
  const host = options.host ?? config.api.host;
  await app.listen({ host, port: options.port ?? config.api.port });
  const address = app.server.address();
  const port = typeof address === 'object' && address ? address.port : (options.port ?? config.api.port);
  // Old tombstones and mutation records go once an hour (and once now).
  const prune = () => void replicas?.pruneAll().catch((error: unknown) => logger?.error({ err: error }, 'replica: pruning failed'));
  const pruning = replicas ? setInterval(prune, PRUNE_EVERY_MS) : undefined;
  pruning?.unref();
  prune();
  return {
    app,
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    replicas,
    close: async () => {
      clearInterval(pruning);
      await app.close();
    },
  };
}
