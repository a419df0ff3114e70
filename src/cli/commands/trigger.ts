/** `tidemark trigger <sync> [--today | --window NAME | --from D --to D]`: queue a run for the workers. */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { openJobs } from '../../jobs/open-jobs.ts';
import { windowOfTrigger, type SyncJobData } from '../../jobs/sync-job.ts';
import { ConfigError } from '../../config/config-error.ts';

const usage = `Usage: tidemark trigger <sync-id> [--today | --window NAME | --from YYYY-MM-DD --to YYYY-MM-DD] [--json] [--config FILE]

Queues a run of the sync for the workers (tidemark start / tidemark worker) and returns at once.
One run per sync is active at a time. A trigger while one runs queues one follow-up; further
triggers before it starts are coalesced into that follow-up (the answer names it).
  --today, --window NAME, --from/--to   the business days to re-read (default: the sync's window)
  --json         print {"jobId": …, "coalescedInto": …}
Exit codes: 0 queued or coalesced, 2 bad usage or configuration.`;

export const triggerCommand: Command = {
  name: 'trigger',
  summary: 'queue a run of a sync for the workers (coalesced with one already queued)',
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(
      ctx.argv,
      { today: { type: 'boolean' }, window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('name exactly one sync: tidemark trigger <sync-id>');
    const { config } = await loadConfig(values.config, ctx.env);
    const parts = resolveSync(config, positionals[0]!, ctx.env);
    let data: SyncJobData;
    try {
      data = { syncId: parts.sync.id, trigger: 'manual', ...windowOfTrigger(values, parts.sync, (name) => parts.namedWindow(name)) };
    } catch (error) {
      if (error instanceof ConfigError) throw error;
      throw new UsageError((error as Error).message);
    }
    const jobs = await openJobs(config, ctx.env, { schedule: false, supervise: false });
    try {
      const result = await jobs.engine.trigger(data);
      if (values.json) ctx.stdout.write(`${JSON.stringify({ jobId: result.jobId, coalescedInto: result.queuedJobId })}\n`);
      else if (result.jobId) ctx.stdout.write(`queued job ${result.jobId} for sync ${data.syncId}\n`);
      else ctx.stdout.write(`sync ${data.syncId} already has a run queued${result.queuedJobId ? ` (job ${result.queuedJobId})` : ''}; this trigger is coalesced into it\n`);
    } finally {
      await jobs.close();
    }
    return EXIT.ok;
  },
};
