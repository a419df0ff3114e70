/**
 * Schedules as configured against schedules as registered in the job engine. `apply` makes the
 * engine match the configuration; `diff` is what `tidemark doctor` reports when they differ (the
 * "cron jobs were never registered" failure, seen before it costs three weeks).
 */
import type { Schedule } from 'pg-boss';
import type { Config } from '../config/schema.ts';
import { scheduleName } from '../config/check-schedules.ts';
import { resolveCron } from '../config/spread-cron.ts';
import { SYNC_QUEUE } from './queues.ts';
import type { JobEngine } from './job-engine.ts';
import type { SyncJobData } from './sync-job.ts';

export interface DesiredSchedule {
  /** `<sync>/<schedule>`, the schedule's key in the engine. */
  readonly key: string;
  readonly syncId: string;
  readonly name: string;
  readonly cron: string;
  readonly timezone: string;
  readonly missed: 'skip' | 'once';
  readonly data: SyncJobData;
}

export interface ScheduleDrift {
  readonly missing: readonly DesiredSchedule[];
  readonly extra: readonly { readonly key: string; readonly cron: string; readonly timezone: string }[];
  readonly changed: readonly { readonly desired: DesiredSchedule; readonly registered: { readonly cron: string; readonly timezone: string; readonly missed: string; readonly window: string | null } }[];
}

export function desiredSchedules(config: Config): DesiredSchedule[] {
  return config.syncs.flatMap((sync) => {
    const timezone = config.tenants.find((t) => t.id === sync.tenant)?.timezone ?? 'UTC';
    return sync.schedules.map((schedule) => {
      const name = scheduleName(schedule);
      const key = `${sync.id}/${name}`;
      return {
        key,
        syncId: sync.id,
        name,
        // A hashed minute (H) is registered as the minute it stands for.
        cron: resolveCron(schedule.cron, key),
        timezone,
        missed: schedule.missed,
        data: { syncId: sync.id, trigger: `schedule:${name}`, ...(schedule.window ? { window: schedule.window } : {}) },
      };
    });
  });
}

function registeredWindow(schedule: Schedule): string | null {
  const data = schedule.data as Partial<SyncJobData> | undefined;
  return data?.window ?? null;
}

function registeredMissed(schedule: Schedule): string {
  return schedule.options?.missed ?? 'skip';
}

export function diffSchedules(desired: readonly DesiredSchedule[], registered: readonly Schedule[]): ScheduleDrift {
  const byKey = new Map(registered.filter((s) => s.name === SYNC_QUEUE).map((s) => [s.key, s]));
  const missing: DesiredSchedule[] = [];
  const changed: ScheduleDrift['changed'][number][] = [];
  for (const want of desired) {
    const have = byKey.get(want.key);
    byKey.delete(want.key);
    if (!have) {
      missing.push(want);
      continue;
    }
    const current = { cron: have.cron, timezone: have.timezone, missed: registeredMissed(have), window: registeredWindow(have) };
    if (current.cron !== want.cron || current.timezone !== want.timezone || current.missed !== want.missed || current.window !== (want.data.window ?? null)) {
      changed.push({ desired: want, registered: current });
    }
  }
  const extra = [...byKey.values()].map((s) => ({ key: s.key, cron: s.cron, timezone: s.timezone }));
  return { missing, extra, changed };
}

export function driftCount(drift: ScheduleDrift): number {
  return drift.missing.length + drift.extra.length + drift.changed.length;
}

/** Register every configured schedule (new or changed) and remove the ones no longer configured. */
export async function applySchedules(engine: JobEngine, config: Config): Promise<ScheduleDrift> {
  const desired = desiredSchedules(config);
  const drift = diffSchedules(desired, await engine.registeredSchedules());
  for (const want of [...drift.missing, ...drift.changed.map((c) => c.desired)]) {
    await engine.boss.schedule(SYNC_QUEUE, want.cron, want.data, { tz: want.timezone, key: want.key, missed: want.missed, singletonKey: want.syncId });
  }
  for (const gone of drift.extra) await engine.boss.unschedule(SYNC_QUEUE, gone.key);
  return drift;
}
