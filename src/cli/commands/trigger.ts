/** `tidemark trigger <sync> [--today | --window NAME | --from D --to D]`: queue a run for the workers. */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { assertIsoDate, addDays, todayIn } from '../../time/business-day.ts';
import { openJobs } from '../../jobs/open-jobs.ts';
import type { SyncJobData } from '../../jobs/sync-job.ts';

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
    const data: SyncJobData = { syncId: parts.sync.id, trigger: 'manual' };
    const chosen = [values.today, values.window !== undefined, values.from !== undefined || values.to !== undefined].filter(Boolean).length;
    if (chosen > 1) throw new UsageError('use one of --today, --window NAME or --from/--to');
    if (chosen === 1 && parts.sync.mode !== 'window') throw new UsageError(`sync "${parts.sync.id}" runs in ${parts.sync.mode} mode and takes no window`);
    if (values.window !== undefined) {
      parts.namedWindow(values.window); // names the known windows when this one does not exist
      data.window = values.window;
    } else if (values.today) {
      data.from = todayIn(parts.sync.timezone);
      data.to = addDays(data.from, 1);
    } else if (values.from || values.to) {
      if (!values.from || !values.to) throw new UsageError('--from and --to go together: --from 2026-11-02 --to 2026-11-09');
      try {
        assertIsoDate(values.from, '--from');
        assertIsoDate(values.to, '--to');
      } catch (error) {
        throw new UsageError((error as Error).message);
      }
      if (values.to <= values.from) throw new UsageError(`--to ${values.to} must be after --from ${values.from} ("to" is exclusive)`);
      data.from = values.from;
      data.to = values.to;
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
