/** `tidemark schedules [list] | apply`: configured schedules, what is registered, when each fires next. */
import { CronExpressionParser } from 'cron-parser';
import type { Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { openJobs } from '../../jobs/open-jobs.ts';
import { applySchedules, desiredSchedules, diffSchedules, driftCount } from '../../jobs/schedules.ts';

const usage = `Usage: tidemark schedules [list] [--json] [--config FILE]
       tidemark schedules apply [--config FILE]

list   each configured schedule (cron in the tenant's timezone), whether it is registered in the
       job engine, and its next three firings in local time and UTC; registered schedules that are
       no longer configured are listed too
apply  register what the configuration says (add, change, remove); \`tidemark start\` does this too
Exit codes: list: 0 configuration and registrations agree, 1 they differ; apply: 0.`;

function nextFirings(cron: string, timezone: string, count = 3): string[] {
  const expression = CronExpressionParser.parse(cron, { tz: timezone });
  return Array.from({ length: count }, () => {
    const at = expression.next();
    const local = at.toDate().toLocaleString('sv-SE', { timeZone: timezone }).slice(0, 16);
    return `${local} ${timezone} (${at.toDate().toISOString().slice(0, 16)}Z)`;
  });
}

export const schedulesCommand: Command = {
  name: 'schedules',
  summary: 'list configured and registered schedules with their next firings, or apply them',
  usage,
  async run(ctx) {
    const { values, positionals } = parseCommandArgs(ctx.argv, { json: { type: 'boolean' }, config: { type: 'string' } }, true);
    const action = positionals[0] ?? 'list';
    if ((action !== 'list' && action !== 'apply') || positionals.length > 1) throw new UsageError('tidemark schedules [list] or tidemark schedules apply');
    const { config } = await loadConfig(values.config, ctx.env);
    const jobs = await openJobs(config, ctx.env, { schedule: false, supervise: false });
    try {
      if (action === 'apply') {
        const drift = await applySchedules(jobs.engine, config);
        ctx.stdout.write(
          `schedules applied: ${drift.missing.length} added, ${drift.changed.length} changed, ${drift.extra.length} removed; ${desiredSchedules(config).length} registered\n`,
        );
        return EXIT.ok;
      }
      const desired = desiredSchedules(config);
      const drift = diffSchedules(desired, await jobs.engine.registeredSchedules());
      const missing = new Set(drift.missing.map((d) => d.key));
      const changed = new Set(drift.changed.map((c) => c.desired.key));
      const rows = desired.map((d) => ({
        key: d.key,
        cron: d.cron,
        timezone: d.timezone,
        window: d.data.window ?? null,
        missed: d.missed,
        registered: missing.has(d.key) ? 'missing' : changed.has(d.key) ? 'changed' : 'yes',
        next: nextFirings(d.cron, d.timezone),
      }));
      if (values.json) {
        ctx.stdout.write(`${JSON.stringify({ schedules: rows, extra: drift.extra })}\n`);
      } else {
        if (rows.length === 0) ctx.stdout.write('no schedules configured (syncs[].schedules)\n');
        for (const row of rows) {
          ctx.stdout.write(`${row.key}  "${row.cron}" ${row.timezone}${row.window ? `  window ${row.window}` : ''}  missed: ${row.missed}  registered: ${row.registered}\n`);
          ctx.stdout.write(`    next: ${row.next.join('; ')}\n`);
        }
        for (const extra of drift.extra) ctx.stdout.write(`${extra.key}  "${extra.cron}" ${extra.timezone}  registered but not configured\n`);
        if (driftCount(drift) > 0) ctx.stdout.write('registrations differ from the configuration: run `tidemark schedules apply` (or restart `tidemark start`)\n');
      }
      return driftCount(drift) > 0 ? EXIT.failed : EXIT.ok;
    } finally {
      await jobs.close();
    }
  },
};
