/** Schedules must parse as cron in the tenant's zone, name windows that exist, and be unique per sync. */
import { CronExpressionParser } from 'cron-parser';
import type { Config, SyncConfig } from './schema.ts';
import type { ConfigProblem } from './config-error.ts';
import type { StreamDefinition } from '../engine/stream.ts';
import { resolveCron } from './spread-cron.ts';

/** A schedule's name: its own, else its window's, else "default". */
export function scheduleName(schedule: SyncConfig['schedules'][number]): string {
  return schedule.name ?? schedule.window ?? 'default';
}

export function checkSchedules(config: Config, sync: SyncConfig, at: string, stream: StreamDefinition | undefined): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const timezone = config.tenants.find((t) => t.id === sync.tenant)?.timezone ?? 'UTC';
  const names = new Set<string>();
  const windows = { ...(stream?.windows ?? {}), ...sync.windows };
  const mode = sync.mode ?? stream?.defaultMode;
  sync.schedules.forEach((schedule, j) => {
    const where = `${at}.schedules[${j}]`;
    const name = scheduleName(schedule);
    if (names.has(name)) problems.push({ setting: `${where}.name`, message: `schedule name "${name}" is used twice in this sync; give each schedule its own "name"` });
    names.add(name);
    if (schedule.cron.trim().split(/\s+/).length !== 5) {
      problems.push({ setting: `${where}.cron`, message: `expected five fields "minute hour day-of-month month day-of-week" (e.g. "0 5 * * *", or "H * * * *" for hourly at a minute of its own); received ${JSON.stringify(schedule.cron)}` });
    } else {
      try {
        CronExpressionParser.parse(resolveCron(schedule.cron, `${sync.id}/${name}`), { tz: timezone });
      } catch (error) {
        problems.push({ setting: `${where}.cron`, message: `not a valid cron expression (${(error as Error).message}); received ${JSON.stringify(schedule.cron)}` });
      }
    }
    if (schedule.window !== undefined) {
      if (mode !== undefined && mode !== 'window') {
        problems.push({ setting: `${where}.window`, message: `this sync runs in ${mode} mode and takes no window; remove "window"` });
      } else if (!(schedule.window in windows)) {
        const known = Object.keys(windows).map((w) => `"${w}"`).join(', ') || '(none configured)';
        problems.push({ setting: `${where}.window`, message: `sync "${sync.id}" has no window "${schedule.window}"; configured: ${known}` });
      }
    }
  });
  return problems;
}
