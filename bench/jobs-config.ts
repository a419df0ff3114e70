/**
 * The schedule benchmark's configuration: T tenants spread over zones (whole-hour, half-hour and
 * 45-minute offsets), each with a Connecteam and a Cliniko connection to the simulators and four
 * syncs (Connecteam users and shifts, Cliniko patients and practitioners), every sync scheduled
 * hourly. The hourly cron is "M * * * *" in the tenant's own zone, M chosen per zone so that every
 * zone's minute M falls on the same instant: the tick the benchmark waits for.
 */
import { DateTime } from 'luxon';
import { CronExpressionParser } from 'cron-parser';
import type { ConfigInput } from '../src/config/schema.ts';
import { parseConfig } from '../src/config/load.ts';
import { resolveCron } from '../src/config/spread-cron.ts';
import { desiredSchedules } from '../src/jobs/schedules.ts';

/** Zones the tenants are spread over, round robin. Kolkata (+5:30), Kathmandu (+5:45) and Adelaide (+9:30/+10:30) shift the local minute. */
export const BENCH_ZONES = [
  'America/Chicago',
  'America/New_York',
  'America/Los_Angeles',
  'America/Sao_Paulo',
  'Europe/London',
  'Europe/Berlin',
  'Asia/Kolkata',
  'Asia/Kathmandu',
  'Asia/Tokyo',
  'Australia/Sydney',
  'Australia/Adelaide',
  'UTC',
] as const;

export const STREAMS = [
  { suffix: 'users', stream: 'connecteam.users', connection: 'ct' },
  { suffix: 'shifts', stream: 'connecteam.shifts', connection: 'ct' },
  { suffix: 'patients', stream: 'cliniko.patients', connection: 'cl' },
  { suffix: 'practitioners', stream: 'cliniko.practitioners', connection: 'cl' },
] as const;

export const SCHEDULE_NAME = 'hourly';
export const ENV = { pgUrl: 'BENCH_JOBS_PG_URL', connecteamKey: 'BENCH_JOBS_CONNECTEAM_KEY', clinikoKey: 'BENCH_JOBS_CLINIKO_KEY' } as const;

export interface JobsSettings {
  readonly concurrency: number;
  readonly pollingIntervalSeconds: number;
  readonly cronIntervalSeconds: number;
  readonly monitorIntervalSeconds: number;
  readonly keepJobsDays: number;
}

export interface BenchConfigInput {
  readonly syncs: number;
  /** The instant every schedule's hourly minute falls on (a whole minute). */
  readonly tick: Date;
  readonly controlSchema: string;
  readonly destinationSchema: string;
  readonly connecteamUrl: string;
  readonly clinikoUrl: string;
  readonly jobs: JobsSettings;
  /**
   * Spread the syncs' hourly minute over this many minutes from the tick instead of all at it:
   * 60 is the product's own "H * * * *" (a hashed minute of each sync's own); fewer is the same
   * hash over the first N minutes, written as each sync's explicit minute in its zone.
   */
  readonly spreadMinutes?: number;
}

/** The minute of the hour `tick` is in `zone`: "M * * * *" there fires at `tick`. */
export function localMinute(tick: Date, zone: string): number {
  return DateTime.fromJSDate(tick, { zone }).minute;
}

export function tenantId(i: number): string {
  return `t${String(i + 1).padStart(5, '0')}`;
}

export function buildConfig(input: BenchConfigInput): ConfigInput {
  const tenantCount = Math.ceil(input.syncs / STREAMS.length);
  const tenants: NonNullable<ConfigInput['tenants']> = [];
  const connections: NonNullable<ConfigInput['connections']> = [];
  const syncs: NonNullable<ConfigInput['syncs']> = [];
  for (let i = 0; i < tenantCount; i++) {
    const id = tenantId(i);
    const zone = BENCH_ZONES[i % BENCH_ZONES.length]!;
    tenants.push({ id, name: `Tenant ${i + 1}`, timezone: zone });
    connections.push(
      { id: `${id}-ct`, tenant: id, connector: 'connecteam', baseUrl: input.connecteamUrl, credentials: { apiKey: { env: ENV.connecteamKey } } },
      {
        id: `${id}-cl`,
        tenant: id,
        connector: 'cliniko',
        baseUrl: input.clinikoUrl,
        credentials: { apiKey: { env: ENV.clinikoKey } },
        options: { contactEmail: 'bench@tidemark.example' },
      },
    );
    for (const s of STREAMS) {
      if (syncs.length === input.syncs) break;
      const syncId = `${id}-${s.suffix}`;
      const cron = cronOf(input, syncId, zone);
      syncs.push({
        id: syncId,
        tenant: id,
        connection: `${id}-${s.connection}`,
        stream: s.stream,
        destination: 'warehouse',
        schedules: [{ name: SCHEDULE_NAME, cron }],
      });
    }
  }
  return {
    controlPlane: { url: { env: ENV.pgUrl }, schema: input.controlSchema },
    ledger: { changesRetentionDays: 30, runsRetentionDays: 90 },
    jobs: { ...input.jobs },
    tenants,
    connections,
    destinations: [{ id: 'warehouse', url: { env: ENV.pgUrl }, schema: input.destinationSchema }],
    syncs,
  };
}

function cronOf(input: BenchConfigInput, syncId: string, zone: string): string {
  const spread = input.spreadMinutes;
  if (spread === undefined || spread <= 1) return `${localMinute(input.tick, zone)} * * * *`;
  if (spread >= 60) return 'H * * * *';
  const offset = Number(resolveCron(`H(0-${spread - 1}) * * * *`, `${syncId}/${SCHEDULE_NAME}`).split(' ')[0]);
  return `${localMinute(new Date(input.tick.getTime() + offset * 60_000), zone)} * * * *`;
}

/** Each sync's own tick: the first firing of its registered (resolved) schedule at or after `tick`. */
export function syncTicks(config: ConfigInput, tick: Date): Map<string, number> {
  const ticks = new Map<string, number>();
  for (const schedule of desiredSchedules(parseConfig(config, 'bench configuration'))) {
    const next = CronExpressionParser.parse(schedule.cron, { tz: schedule.timezone, currentDate: new Date(tick.getTime() - 1) }).next();
    ticks.set(schedule.syncId, next.getTime());
  }
  return ticks;
}
