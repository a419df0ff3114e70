/**
 * A daily 05:00 America/Chicago schedule fires at 05:00 local on both sides of a DST change:
 * 11:00Z while Central Standard Time holds, 10:00Z under Central Daylight Time, and never at 04:00
 * or 06:00 local (what a schedule kept in a fixed UTC offset would do). The schedule is registered
 * by our own code (applySchedules) in a real Postgres control plane, and pg-boss runs on its
 * TestClock, which moves JavaScript timers and the database's job clock (`job_now()`) together.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { DateTime } from 'luxon';
import { TestClock, type JobWithMetadata } from 'pg-boss';
import { parseConfig } from '../src/config/load.ts';
import { openJobs } from '../src/jobs/open-jobs.ts';
import { applySchedules, desiredSchedules, diffSchedules, driftCount } from '../src/jobs/schedules.ts';
import { SYNC_QUEUE } from '../src/jobs/queues.ts';
import type { SyncJobData } from '../src/jobs/sync-job.ts';
import { connecteamJobsConfig, freshControlPlane } from './helpers/job-engine.ts';
import { PG_URL } from './helpers/postgres.ts';

const ZONE = 'America/Chicago';
const CRON_INTERVAL_SECONDS = 30;

function chicago(local: string): Date {
  const at = DateTime.fromISO(local, { zone: ZONE });
  assert.ok(at.isValid, local);
  return at.toJSDate();
}

function localTime(at: Date): string {
  return DateTime.fromJSDate(at, { zone: ZONE }).toFormat("yyyy-LL-dd'T'HH:mm:ss ZZZZ");
}

function scheduleConfig(controlSchema: string, controlUrl = PG_URL) {
  return parseConfig(
    connecteamJobsConfig({
      controlUrl,
      controlSchema,
      baseUrl: 'http://127.0.0.1:9',
      shifts: { windows: { today: { futureDays: 1 } }, schedules: [{ cron: '0 5 * * *', window: 'today' }] },
      jobs: { cronIntervalSeconds: CRON_INTERVAL_SECONDS },
    }),
  );
}

test('the registered schedule carries the sync, its window, the tenant\'s zone and the sync as singleton key', () => {
  const config = scheduleConfig('unused');
  const [desired] = desiredSchedules(config);
  assert.deepEqual(desired, {
    key: 'acme-shifts/today',
    syncId: 'acme-shifts',
    name: 'today',
    cron: '0 5 * * *',
    timezone: ZONE,
    missed: 'skip',
    data: { syncId: 'acme-shifts', trigger: 'schedule:today', window: 'today' },
  });
  // Nothing registered: the schedule is missing; registered as configured: no drift.
  assert.equal(diffSchedules([desired!], []).missing.length, 1);
  const registered = [{ name: SYNC_QUEUE, key: 'acme-shifts/today', cron: '0 5 * * *', timezone: ZONE, data: desired!.data, options: { missed: 'skip' } }];
  assert.equal(driftCount(diffSchedules([desired!], registered as never)), 0);
  // Registered in UTC (the bug a fixed offset makes): reported as changed.
  const inUtc = [{ ...registered[0]!, timezone: 'UTC' }];
  assert.deepEqual(diffSchedules([desired!], inUtc as never).changed.map((c) => c.registered.timezone), ['UTC']);
});

/** Days on both sides of each change: the transitions are at 02:00 local on 2026-03-08 and 2026-11-01. */
const DAYS: readonly { day: string; utcHour: number }[] = [
  { day: '2026-03-07', utcHour: 11 }, // CST, UTC-6
  { day: '2026-03-08', utcHour: 10 }, // CDT, UTC-5 (the change happened at 02:00 that morning)
  { day: '2026-03-09', utcHour: 10 },
  { day: '2026-10-31', utcHour: 10 }, // CDT
  { day: '2026-11-01', utcHour: 11 }, // CST again (01:00-02:00 happened twice that morning)
  { day: '2026-11-02', utcHour: 11 },
];

/**
 * Registers the schedule through applySchedules, then for each day ticks the clock through the
 * minutes around 04:00, 05:00 and 06:00 local: exactly one job must appear, created at 05:00 local.
 */
async function assertFiresAtFiveLocal(controlUrl: string, controlSchema: string, days: readonly { day: string; utcHour: number }[]): Promise<void> {
  // The clock starts well before the first day; the engine, its cron pass and the database all read it.
  const clock = new TestClock(chicago(`${days[0]!.day}T00:00`));
  const errors: Error[] = [];
  let jobs: Awaited<ReturnType<typeof openJobs>> | undefined;
  try {
    const config = scheduleConfig(controlSchema, controlUrl);
    jobs = await openJobs(config, {}, { schedule: true, supervise: false, clock, onError: (error) => errors.push(error) });
    const { engine } = jobs;
    const drift = await applySchedules(engine, config);
    assert.equal(drift.missing.length, 1);

    const [registered] = await engine.registeredSchedules();
    assert.equal(registered?.key, 'acme-shifts/today');
    assert.equal(registered?.cron, '0 5 * * *');
    assert.equal(registered?.timezone, ZONE);
    assert.deepEqual(registered?.data, { syncId: 'acme-shifts', trigger: 'schedule:today', window: 'today' });
    assert.equal((registered?.options as { singletonKey?: string } | undefined)?.singletonKey, 'acme-shifts');
    assert.equal(driftCount(diffSchedules(desiredSchedules(config), await engine.registeredSchedules())), 0, 'applying twice changes nothing');

    const fired: { day: string; createdOn: Date; job: JobWithMetadata<SyncJobData> }[] = [];
    for (const { day, utcHour } of days) {
      // Around 04:00, 05:00 and 06:00 local: a schedule kept in a fixed UTC offset would fire at
      // 04:00 or 06:00 local on one side of the change. The clock jumps between these windows
      // (no whole hour lies in the gaps), so the cron passes run only where a firing can be.
      const from = chicago(`${day}T03:50`);
      for (const [start, end] of [['03:50', '04:06'], ['04:55', '05:16'], ['05:55', '06:10']] as const) {
        const windowFrom = chicago(`${day}T${start}`);
        await clock.setTime(windowFrom);
        await clock.tick(chicago(`${day}T${end}`).getTime() - windowFrom.getTime());
      }
      const created = (await engine.jobsOf('acme-shifts')).filter((job) => job.createdOn.getTime() >= from.getTime());
      assert.equal(created.length, 1, `${day}: expected one job between 03:50 and 06:10 local, got ${created.map((j) => localTime(j.createdOn)).join(', ') || 'none'}`);
      const job = created[0]!;
      const expected = new Date(`${day}T${String(utcHour).padStart(2, '0')}:00:00Z`);
      assert.equal(expected.getTime(), chicago(`${day}T05:00`).getTime(), 'the expectation is 05:00 local');
      // The cron pass runs every cronIntervalSeconds; the job is sent by the next send-it poll after it.
      const lateMs = job.createdOn.getTime() - expected.getTime();
      assert.ok(lateMs >= 0 && lateMs < (CRON_INTERVAL_SECONDS + 10) * 1000, `${day}: created at ${localTime(job.createdOn)} (${job.createdOn.toISOString()}), expected 05:00 local = ${expected.toISOString()}`);
      fired.push({ day, createdOn: job.createdOn, job });
      // No worker runs here; take the job off the queue so the next day's is not coalesced into it.
      await engine.boss.cancel(SYNC_QUEUE, job.id);
    }

    assert.deepEqual(
      fired.map((f) => [f.day, DateTime.fromJSDate(f.createdOn, { zone: ZONE }).toFormat('HH:mm'), f.createdOn.toISOString().slice(11, 16)]),
      days.map(({ day, utcHour }) => [day, '05:00', `${String(utcHour).padStart(2, '0')}:00`]),
    );
    // Every scheduled job names its sync, the schedule and its window, and is keyed by the sync
    // (one active and one queued run per sync).
    for (const { job } of fired) {
      assert.deepEqual(job.data, { syncId: 'acme-shifts', trigger: 'schedule:today', window: 'today' });
      assert.equal(job.singletonKey, 'acme-shifts');
    }
    // The LISTEN connection's heartbeat is timed on the clock but its query is not one the TestClock
    // waits for, so a tick of hours times it out and pg-boss reconnects: an artefact of the test
    // clock, not of scheduling. Anything else is a failure.
    const unexpected = errors.map((e) => e.message).filter((m) => m !== 'LISTEN/NOTIFY heartbeat timed out');
    assert.deepEqual(unexpected, [], 'pg-boss reported no other errors');
  } finally {
    await jobs?.close();
  }
}

test('daily 05:00 America/Chicago fires at 05:00 local before and after spring forward and fall back (controlled clock, real Postgres)', async () => {
  const control = await freshControlPlane();
  try {
    await assertFiresAtFiveLocal(PG_URL, control.schema, DAYS);
  } finally {
    await control.drop();
  }
});

test('the same on the embedded PGlite control plane (the TestClock reaches its one session)', async () => {
  // PGlite is slower per statement: the days either side of spring forward and fall back.
  await assertFiresAtFiveLocal('pglite:memory', 'tidemark', DAYS.filter((d) => d.day === '2026-03-07' || d.day === '2026-03-08' || d.day === '2026-11-01'));
});
