/**
 * `tidemark worker` and `tidemark start`: run syncs from the job queue until SIGTERM/SIGINT.
 * `start` also registers the configured schedules first (one process on the embedded default).
 */
import type { Command, CliContext } from '../command.ts';
import { EXIT } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openJobs } from '../../jobs/open-jobs.ts';
import { startWorker } from '../../jobs/worker.ts';
import { applySchedules, driftCount } from '../../jobs/schedules.ts';
import type { RunSummary } from '../../engine/run-sync.ts';
import { startServer, type RunningServer } from '../../api/start-server.ts';
import { portOption } from './serve.ts';
import { createLogger } from '../../log/logger.ts';
import { configuredSecrets } from '../../log/secrets.ts';
import { startAlertLoop } from '../../monitor/alerts/loop.ts';

function runLine(summary: RunSummary, trigger: string, attempt: number): string {
  const c = summary.counts;
  const window = summary.window ? ` ${summary.window.from}..${summary.window.to}` : '';
  const resumed = summary.resumedFrom ? ` (resumed run #${summary.resumedFrom})` : '';
  const error = summary.error ? `: ${summary.error}` : '';
  return `run #${summary.runId} ${summary.syncId}${window} [${trigger}, attempt ${attempt}] ${summary.status} in ${(summary.durationMs / 1000).toFixed(1)} s${resumed}: fetched ${c.fetched}, created ${c.created}, updated ${c.updated}, unchanged ${c.unchanged}, deleted ${c.deleted}, dead ${c.dead}${error}\n`;
}

async function serve(ctx: CliContext, role: 'worker' | 'start'): Promise<number> {
  const { values } = parseCommandArgs(ctx.argv, {
    config: { type: 'string' },
    json: { type: 'boolean' },
    ...(role === 'start' ? { 'no-api': { type: 'boolean' as const }, port: { type: 'string' as const }, host: { type: 'string' as const } } : {}),
  });
  const port = portOption(values.port as string | undefined);
  const { config } = await loadConfig(values.config, ctx.env);
  // Structured logs on stderr (JSON; pretty on a terminal), secrets censored; stdout keeps the run lines.
  const logger = createLogger({ destination: ctx.stderr, pretty: ctx.interactive, env: ctx.env, secrets: configuredSecrets(config, ctx.env), base: { command: role } });
  const jobs = await openJobs(config, ctx.env, { schedule: true, supervise: true });
  try {
    if (role === 'start') {
      const drift = await applySchedules(jobs.engine, config);
      const total = config.syncs.reduce((n, s) => n + s.schedules.length, 0);
      ctx.stderr.write(
        `tidemark start: ${total} schedule(s) registered${driftCount(drift) ? ` (${drift.missing.length} added, ${drift.changed.length} changed, ${drift.extra.length} removed)` : ''}\n`,
      );
    }
    const worker = await startWorker({
      config,
      env: ctx.env,
      ledger: jobs.ledger,
      engine: jobs.engine,
      logger,
      onRun(summary, job) {
        const trigger = (job.data as { trigger?: string }).trigger ?? 'job';
        ctx.stdout.write(values.json ? `${JSON.stringify({ event: 'run', jobId: job.id, attempt: job.retryCount + 1, trigger, ...summary })}\n` : runLine(summary, trigger, job.retryCount + 1));
      },
      onLost(runId, reason) {
        ctx.stderr.write(`tidemark ${role}: run #${runId} ${reason}\n`);
      },
    });
    let server: RunningServer | null = null;
    if (role === 'start' && !values['no-api']) {
      const host = values.host as string | undefined;
      server = await startServer(config, ctx.env, jobs.ledger, jobs.engine, { ...(host ? { host } : {}), ...(port !== undefined ? { port } : {}), logger });
      ctx.stderr.write(`tidemark start: API and dashboard on ${server.url}/ (tokens: tidemark token create)\n`);
    }
    // Every process runs the loop; the control plane lets one evaluate per interval and each alert be sent once.
    const alerts = startAlertLoop({ config, env: ctx.env, ledger: jobs.ledger, intervalMs: config.jobs.monitorIntervalSeconds * 1000, log: (line) => logger.warn({ component: 'alerts' }, line) });
    ctx.stderr.write(
      `tidemark ${role}: ${worker.owner} working on ${jobs.ledger.db.description} (concurrency ${config.jobs.concurrency}); SIGTERM or Ctrl-C stops after the current batch\n`,
    );
    await new Promise<void>((resolve) => {
      if (ctx.signal.aborted) resolve();
      ctx.signal.addEventListener('abort', () => resolve(), { once: true });
    });
    await alerts.stop();
    await server?.close();
    await worker.stop();
    ctx.stderr.write(`tidemark ${role}: stopped\n`);
  } finally {
    await jobs.close();
  }
  return EXIT.ok;
}

const common = `  --config FILE  configuration file (default: $TIDEMARK_CONFIG, else ./tidemark.config.json)
  --json         one JSON object per finished run on stdout
Stops on SIGTERM/SIGINT: a running sync stops after its current batch, is checkpointed, and a
follow-up job resumes it (on another worker, or here after a restart). See docs/operations.md.`;

export const workerCommand: Command = {
  name: 'worker',
  summary: 'run queued and scheduled syncs until stopped (any number, on any machines)',
  usage: `Usage: tidemark worker [--config FILE] [--json]

Takes sync jobs from the queue on the control plane and runs up to jobs.concurrency at once. Every
worker also evaluates the schedules; each tick is sent once however many workers run.
${common}`,
  run: (ctx) => serve(ctx, 'worker'),
};

export const startCommand: Command = {
  name: 'start',
  summary: 'register the configured schedules and run them (scheduler and worker in one process)',
  usage: `Usage: tidemark start [--config FILE] [--json] [--host H] [--port N] [--no-api]

Registers the schedules in the configuration (adding, changing and removing registrations to match),
then works like \`tidemark worker\` and serves the HTTP API and dashboard (api.host:api.port, default
127.0.0.1:4300; --host/--port override, --no-api turns it off). On the embedded control plane
(PGlite) this is the one process.
${common}`,
  run: (ctx) => serve(ctx, 'start'),
};
