/** `tidemark dlq list | replay <job-id>`: runs that failed every attempt, and sending one back. */
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openJobs } from '../../jobs/open-jobs.ts';

const usage = `Usage: tidemark dlq list [--json] [--limit N] [--config FILE]
       tidemark dlq replay <job-id> [--config FILE]

list    the dead-letter queue: jobs that failed every attempt (jobs.attempts, default 3) or failed in a
        way retrying cannot fix (bad credentials, a sync no longer configured), with their last error
replay  move one back to the sync queue; a worker runs it again (coalesced with a run already queued)
Exit codes: 0 done, 1 no such dead-lettered job, 2 bad usage or configuration.`;

function errorOf(output: unknown): string {
  if (output && typeof output === 'object') {
    const error = (output as { error?: unknown; message?: unknown }).error ?? (output as { message?: unknown }).message;
    if (typeof error === 'string') return error;
  }
  return output === null || output === undefined ? '' : JSON.stringify(output);
}

export const dlqCommand: Command = {
  name: 'dlq',
  summary: 'list the runs that failed every attempt, and replay one',
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, { json: { type: 'boolean' }, limit: { type: 'string' }, config: { type: 'string' } }, true);
    const [action, id, ...more] = positionals;
    if (action !== 'list' && action !== 'replay') throw new UsageError('say what to do: tidemark dlq list, or tidemark dlq replay <job-id>');
    if (action === 'replay' ? !id || more.length > 0 : positionals.length > 1) throw new UsageError(action === 'replay' ? 'name one job: tidemark dlq replay <job-id>' : 'tidemark dlq list takes no arguments');
    const limit = values.limit === undefined ? 100 : Number(values.limit);
    if (!Number.isInteger(limit) || limit < 1) throw new UsageError(`--limit must be a positive integer; received "${values.limit}"`);
    const { config } = await loadConfig(values.config, ctx.env);
    const jobs = await openJobs(config, ctx.env, { schedule: false, supervise: false });
    try {
      if (action === 'replay') {
        const moved = await jobs.engine.replay(id!);
        if (!moved) {
          ctx.stderr.write(`tidemark dlq: no dead-lettered job ${id}; \`tidemark dlq list\` shows them\n`);
          return EXIT.failed;
        }
        ctx.stdout.write(`job ${id} moved back to the sync queue; a worker will run it\n`);
        return EXIT.ok;
      }
      const dead = await jobs.engine.deadLetters(limit);
      const rows = dead.map((job) => ({
        id: job.id,
        syncId: job.data.syncId,
        trigger: job.data.trigger,
        window: job.data.window ?? (job.data.from ? `${job.data.from}..${job.data.to ?? ''}` : null),
        attempts: (job.sourceRetryCount ?? 0) + 1,
        failedAt: job.createdOn.toISOString(),
        error: errorOf(job.sourceOutput),
      }));
      if (values.json) {
        ctx.stdout.write(`${JSON.stringify(rows)}\n`);
      } else if (rows.length === 0) {
        ctx.stdout.write('the dead-letter queue is empty\n');
      } else {
        for (const row of rows) {
          ctx.stdout.write(`${row.id}  ${row.syncId}  ${row.trigger}${row.window ? ` ${row.window}` : ''}  ${row.attempts} attempt(s)  ${row.failedAt}\n    ${row.error}\n`);
        }
        ctx.stdout.write(`${rows.length} dead-lettered job(s); replay one with: tidemark dlq replay <id>\n`);
      }
      return EXIT.ok;
    } finally {
      await jobs.close();
    }
  },
};
