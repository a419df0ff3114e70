/**
 * `syncs[].schedules` and `jobs` are checked once, when the configuration is read: each problem
 * names the exact setting (`syncs[0].schedules[1].cron`), what was received and what is accepted.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { parseConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { desiredSchedules } from '../src/jobs/schedules.ts';
import { resolveCron } from '../src/config/spread-cron.ts';

interface ScheduleInput {
  name?: string;
  cron: string;
  window?: string;
  missed?: string;
}

function config(schedules: ScheduleInput[], sync: Record<string, unknown> = {}, extra: Record<string, unknown> = {}) {
  return {
    tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
    connections: [{ id: 'acme-ct', tenant: 'acme', connector: 'connecteam', credentials: { apiKey: { env: 'ACME_CT_KEY' } } }],
    destinations: [{ id: 'wh', url: 'postgres://app@db.example:5432/app' }],
    syncs: [
      {
        id: 'acme-shifts',
        tenant: 'acme',
        connection: 'acme-ct',
        stream: 'connecteam.shifts',
        destination: 'wh',
        windows: { today: { futureDays: 1 }, week: { pastDays: 7 } },
        schedules,
        ...sync,
      },
    ],
    ...extra,
  };
}

/** The problems of a configuration that must be refused, as `setting: message` lines. */
function problemsOf(data: unknown): string[] {
  try {
    parseConfig(data, 'test.json');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.setting}: ${p.message}`);
  }
  assert.fail('configuration was accepted');
}

function settingsOf(data: unknown): string[] {
  try {
    parseConfig(data, 'test.json');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems.map((p) => p.setting);
  }
  assert.fail('configuration was accepted');
}

test('valid schedules are accepted with their defaults; the cron is evaluated in the tenant\'s zone', () => {
  const parsed = parseConfig(
    config([
      { cron: '0 5 * * *', window: 'week' },
      { name: 'hourly', cron: '0 8-23 * * *', window: 'today', missed: 'once' },
      { cron: '*/15   *  * * 1-5' },
    ]),
  );
  const schedules = parsed.syncs[0]!.schedules;
  assert.equal(schedules.length, 3);
  assert.equal(schedules[0]!.missed, 'skip', 'missed defaults to skip');
  assert.equal(schedules[1]!.missed, 'once');
  assert.deepEqual(parsed.jobs, {
    attempts: 3,
    retryDelaySeconds: 30,
    retryDelayMaxSeconds: 900,
    heartbeatSeconds: 30,
    maxRunMinutes: 60,
    concurrency: 4,
    pollingIntervalSeconds: 2,
    cronIntervalSeconds: 30,
    monitorIntervalSeconds: 30,
    keepJobsDays: 7,
  });

  // What is registered: one key per schedule (named by its name, else its window, else "default"),
  // the cron with its whitespace normalised, the tenant's zone, and job data naming sync and window.
  const desired = desiredSchedules(parsed).map((d) => ({ key: d.key, cron: d.cron, timezone: d.timezone, missed: d.missed, data: d.data }));
  assert.deepEqual(desired, [
    { key: 'acme-shifts/week', cron: '0 5 * * *', timezone: 'America/Chicago', missed: 'skip', data: { syncId: 'acme-shifts', trigger: 'schedule:week', window: 'week' } },
    { key: 'acme-shifts/hourly', cron: '0 8-23 * * *', timezone: 'America/Chicago', missed: 'once', data: { syncId: 'acme-shifts', trigger: 'schedule:hourly', window: 'today' } },
    { key: 'acme-shifts/default', cron: '*/15 * * * 1-5', timezone: 'America/Chicago', missed: 'skip', data: { syncId: 'acme-shifts', trigger: 'schedule:default' } },
  ]);
});

test('a bad cron expression names syncs[0].schedules[N].cron and shows what was received', () => {
  const outOfRange = problemsOf(config([{ cron: '0 5 * * *' }, { name: 'bad', cron: '0 25 * * *' }]));
  assert.equal(outOfRange.length, 1, outOfRange.join('\n'));
  assert.match(outOfRange[0]!, /^syncs\[0\]\.schedules\[1\]\.cron: not a valid cron expression \(.+\); received "0 25 \* \* \*"$/);

  const words = problemsOf(config([{ cron: 'every day at 5' }]));
  assert.equal(words.length, 1, words.join('\n'));
  assert.match(words[0]!, /^syncs\[0\]\.schedules\[0\]\.cron: /);
  assert.match(words[0]!, /"every day at 5"/);

  // Six fields (seconds) and three fields are refused: the format is minute hour day month weekday.
  for (const cron of ['0 0 5 * * *', '0 5 *      ']) {
    const problems = problemsOf(config([{ cron }]));
    assert.ok(
      problems.some((p) => /^syncs\[0\]\.schedules\[0\]\.cron: .*five fields "minute hour day-of-month month day-of-week"/.test(p)),
      `${JSON.stringify(cron)}: ${problems.join('\n')}`,
    );
  }

  const missing = settingsOf(config([{ cron: '' }]));
  assert.deepEqual(missing, ['syncs[0].schedules[0].cron']);
});

test('an unknown window names the schedule\'s window setting and lists the configured windows', () => {
  const problems = problemsOf(config([{ cron: '0 5 * * *', window: 'full' }]));
  assert.deepEqual(problems, ['syncs[0].schedules[0].window: sync "acme-shifts" has no window "full"; configured: "today", "week"']);

  // A stream's own named windows count (YClients schedules offer "full" and "today").
  const yclients = {
    tenants: [{ id: 'salon', name: 'Salon', timezone: 'Europe/Moscow' }],
    connections: [{ id: 'yc', tenant: 'salon', connector: 'yclients', credentials: { partnerToken: { env: 'P' }, userToken: { env: 'U' } }, options: { companyId: 501101 } }],
    destinations: [{ id: 'wh', url: 'postgres://app@db.example:5432/app' }],
    syncs: [
      {
        id: 'salon-schedules',
        tenant: 'salon',
        connection: 'yc',
        stream: 'yclients.staff_schedules',
        destination: 'wh',
        schedules: [
          { cron: '0 5 * * *', window: 'full' },
          { cron: '0 8-23 * * *', window: 'today' },
        ],
      },
    ],
  };
  const parsed = parseConfig(yclients);
  assert.deepEqual(
    desiredSchedules(parsed).map((d) => [d.key, d.timezone, d.data.window]),
    [
      ['salon-schedules/full', 'Europe/Moscow', 'full'],
      ['salon-schedules/today', 'Europe/Moscow', 'today'],
    ],
  );
  yclients.syncs[0]!.schedules[1]!.window = 'tomorrow';
  assert.deepEqual(problemsOf(yclients), ['syncs[0].schedules[1].window: sync "salon-schedules" has no window "tomorrow"; configured: "full", "today"']);
});

test('two schedules of one sync with the same name are refused, naming the second', () => {
  const explicit = problemsOf(config([{ name: 'nightly', cron: '0 5 * * *' }, { name: 'nightly', cron: '0 6 * * *' }]));
  assert.equal(explicit.length, 1, explicit.join('\n'));
  assert.match(explicit[0]!, /^syncs\[0\]\.schedules\[1\]\.name: schedule name "nightly" is used twice in this sync; give each schedule its own "name"$/);

  // Unnamed schedules take their window's name, so two on one window collide too.
  const byWindow = problemsOf(config([{ cron: '0 5 * * *', window: 'today' }, { cron: '0 17 * * *', window: 'today' }]));
  assert.deepEqual(byWindow, ['syncs[0].schedules[1].name: schedule name "today" is used twice in this sync; give each schedule its own "name"']);
  const unnamed = settingsOf(config([{ cron: '0 5 * * *' }, { cron: '0 17 * * *' }]));
  assert.deepEqual(unnamed, ['syncs[0].schedules[1].name']);

  // The same name on two different syncs is fine: keys are <sync>/<name>.
  const two = config([{ name: 'nightly', cron: '0 5 * * *' }]);
  two.syncs.push({ ...two.syncs[0]!, id: 'acme-shifts-2', table: 'shifts_two' } as (typeof two.syncs)[number]);
  assert.deepEqual(
    desiredSchedules(parseConfig(two)).map((d) => d.key),
    ['acme-shifts/nightly', 'acme-shifts-2/nightly'],
  );
});

test('a window on a sync that does not run in window mode is refused, saying why', () => {
  const users = problemsOf(config([{ cron: '0 5 * * *', window: 'today' }], { stream: 'connecteam.users', windows: {} }));
  assert.deepEqual(users, ['syncs[0].schedules[0].window: this sync runs in snapshot mode and takes no window; remove "window"']);

  const incremental = problemsOf(config([{ cron: '*/10 * * * *', window: 'today' }], { mode: 'incremental' }));
  assert.ok(
    incremental.includes('syncs[0].schedules[0].window: this sync runs in incremental mode and takes no window; remove "window"'),
    incremental.join('\n'),
  );

  // Without a window the same schedule is fine on a snapshot stream.
  const parsed = parseConfig(config([{ cron: '0 5 * * *' }], { stream: 'connecteam.users', windows: {} }));
  assert.deepEqual(desiredSchedules(parsed)[0]!.data, { syncId: 'acme-shifts', trigger: 'schedule:default' });
});

test('missed accepts "skip" or "once" and nothing else; other bad settings are named too', () => {
  for (const missed of ['never', 'all', 'ONCE', '']) {
    const problems = problemsOf(config([{ cron: '0 5 * * *', missed }]));
    assert.deepEqual(problems, [`syncs[0].schedules[0].missed: expected one of "skip", "once"; received ${JSON.stringify(missed)}`]);
  }

  const typo = problemsOf(config([{ cron: '0 5 * * *', windw: 'today' } as ScheduleInput]));
  assert.deepEqual(typo, ['syncs[0].schedules[0]: unknown setting(s) "windw"']);

  const badName = settingsOf(config([{ name: 'Nightly Run', cron: '0 5 * * *' }]));
  assert.deepEqual(badName, ['syncs[0].schedules[0].name']);

  // Several problems of the schedules are reported together, each with its own setting (a shape
  // error such as a bad "missed" is reported first, on its own, before the cross-checks run).
  const many = settingsOf(config([{ cron: '61 * * * *' }, { cron: '0 5 * * *', window: 'nope' }, { name: 'nope', cron: '0 6 * * *' }]));
  assert.deepEqual(many, ['syncs[0].schedules[0].cron', 'syncs[0].schedules[1].window', 'syncs[0].schedules[2].name']);
});

test('the jobs section: attempts, retry delays and intervals within their limits, unknown settings refused', () => {
  const ok = parseConfig(config([], {}, { jobs: { attempts: 1, retryDelaySeconds: 1, cronIntervalSeconds: 5 } }));
  assert.equal(ok.jobs.attempts, 1);
  assert.equal(ok.jobs.retryDelaySeconds, 1);
  assert.equal(ok.jobs.retryDelayMaxSeconds, 900, 'unset settings keep their defaults');

  assert.deepEqual(settingsOf(config([], {}, { jobs: { attempts: 0 } })), ['jobs.attempts']);
  assert.deepEqual(settingsOf(config([], {}, { jobs: { cronIntervalSeconds: 60 } })), ['jobs.cronIntervalSeconds']);
  assert.deepEqual(settingsOf(config([], {}, { jobs: { heartbeatSeconds: 5 } })), ['jobs.heartbeatSeconds']);
  const unknown = problemsOf(config([], {}, { jobs: { retries: 5 } }));
  assert.deepEqual(unknown, ['jobs: unknown setting(s) "retries"']);
});

test('a hashed minute (H, H(a-b)) becomes one stable minute of the schedule\'s own, spread over the hour', () => {
  const [hourly, early] = desiredSchedules(parseConfig(config([{ cron: 'H * * * *', name: 'hourly' }, { cron: 'H(0-9) 8-23 * * *', name: 'early' }]), 'test.json'));
  assert.match(hourly!.cron, /^([0-9]|[1-5][0-9]) \* \* \* \*$/);
  assert.match(early!.cron, /^[0-9] 8-23 \* \* \*$/);
  const again = desiredSchedules(parseConfig(config([{ cron: 'H * * * *', name: 'hourly' }, { cron: 'H(0-9) 8-23 * * *', name: 'early' }]), 'test.json'));
  assert.deepEqual(again.map((d) => d.cron), [hourly!.cron, early!.cron], 'the same key gives the same minute');

  // 10,000 hourly schedules land on every minute, none with more than 1.5 × its share.
  const perMinute = new Array<number>(60).fill(0);
  for (let i = 0; i < 10_000; i++) perMinute[Number(resolveCron('H * * * *', `sync-${i}/default`).split(' ')[0])]! += 1;
  assert.ok(perMinute.every((n) => n > 0), 'every minute is used');
  assert.ok(Math.max(...perMinute) < 1.5 * (10_000 / 60), `busiest minute ${Math.max(...perMinute)} of 10,000`);
  const inRange = new Set(Array.from({ length: 1000 }, (_, i) => Number(resolveCron('H(20-29) * * * *', `s${i}/x`).split(' ')[0])));
  assert.deepEqual([...inRange].sort((a, b) => a - b), [20, 21, 22, 23, 24, 25, 26, 27, 28, 29]);
  assert.equal(resolveCron(' 0  5 * * * ', 'a/b'), '0 5 * * *', 'other expressions pass through');

  assert.deepEqual(problemsOf(config([{ cron: 'H(30-10) * * * *' }])), [
    'syncs[0].schedules[0].cron: not a valid cron expression ("H(30-10)": H(a-b) needs 0 ≤ a ≤ b ≤ 59); received "H(30-10) * * * *"',
  ]);
});
