/** `tidemark serve`: the HTTP API and dashboard on their own (workers and scheduler run elsewhere). */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openJobs } from '../../jobs/open-jobs.ts';
import { startServer } from '../../api/start-server.ts';
import { createLogger } from '../../log/logger.ts';
import { configuredSecrets } from '../../log/secrets.ts';

export function portOption(value: string | undefined): number | undefined {
  if (value === undefined) return undefined;
  const port = Number(value);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new UsageError(`--port must be 0–65535; received "${value}"`);
  return port;
}

export const serveCommand: Command = {
  name: 'serve',
  summary: 'serve the HTTP API and the dashboard (tokens: tidemark token create)',
  usage: `Usage: tidemark serve [--host H] [--port N] [--config FILE]

Serves the HTTP API (docs/api.md, /api/openapi.json) and the dashboard at / on api.host:api.port
(default 127.0.0.1:4300) until SIGTERM/SIGINT. Every endpoint but /api/health needs a bearer token
from \`tidemark token create\`. \`tidemark start\` serves the same API beside its worker.`,
  async run(ctx) {
    const { values } = parseCommandArgs(ctx.argv, { host: { type: 'string' }, port: { type: 'string' }, config: { type: 'string' } });
    const port = portOption(values.port);
    const { config } = await loadConfig(values.config, ctx.env);
    const jobs = await openJobs(config, ctx.env, { schedule: false, supervise: false });
    try {
      const logger = createLogger({ destination: ctx.stderr, pretty: ctx.interactive, env: ctx.env, secrets: configuredSecrets(config, ctx.env), base: { command: 'serve' } });
      const server = await startServer(config, ctx.env, jobs.ledger, jobs.engine, { ...(values.host ? { host: values.host } : {}), ...(port !== undefined ? { port } : {}), logger });
      ctx.stderr.write(`tidemark serve: API and dashboard on ${server.url}/ (OpenAPI: ${server.url}/api/openapi.json)\n`);
      await new Promise<void>((resolve) => {
        if (ctx.signal.aborted) resolve();
        ctx.signal.addEventListener('abort', () => resolve(), { once: true });
      });
      await server.close();
    } finally {
      await jobs.close();
    }
    return EXIT.ok;
  },
};
