/**
 * businessDayRange against Postgres's own zone conversion, for every day of 2020–2030 in zones
 * with DST (Chicago, New York, Sydney), half-hour DST (Lord Howe), odd offsets (Kathmandu +5:45,
 * Chatham +12:45/+13:45) and an abolished DST (Moscow). Postgres carries its own copy of the tz
 * database, so agreement here is an independent check of the one function invariant 2 rests on.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import pg from 'pg';
import { businessDateOf, businessDayRange } from '../src/time/business-day.ts';
import { PG_URL } from './helpers/postgres.ts';
const FIRST_DAY = '2020-01-01';
const LAST_DAY = '2030-12-31';
const ZONES = [
  'America/Chicago',
  'America/New_York',
  'Europe/Moscow',
  'Australia/Sydney',
  'Australia/Lord_Howe',
  'Asia/Kathmandu',
  'Pacific/Chatham',
] as const;
const HOUR = 3_600_000;

interface DayRow {
  readonly day: string;
  readonly startMs: number;
  readonly endMs: number;
}

// One statement per zone: Postgres turns each local midnight into an instant itself. The day is
// built from an integer series so no session TimeZone is involved anywhere but `AT TIME ZONE $1`.
const DAYS_SQL = `
  SELECT to_char(d, 'YYYY-MM-DD') AS day,
         (extract(epoch FROM (d::timestamp AT TIME ZONE $1)) * 1000)::float8 AS start_ms,
         (extract(epoch FROM ((d + 1)::timestamp AT TIME ZONE $1)) * 1000)::float8 AS end_ms
    FROM (SELECT $2::date + i AS d FROM generate_series(0, $3::date - $2::date) AS i) AS days
   ORDER BY d`;

type RangeOf = (date: string, zone: string) => { start: Date; end: Date };

/** Every day where `rangeOf` disagrees with Postgres, described for the failure message. */
function mismatches(rows: readonly DayRow[], zone: string, rangeOf: RangeOf): string[] {
  const found: string[] = [];
  for (const row of rows) {
    const range = rangeOf(row.day, zone);
    if (range.start.getTime() !== row.startMs || range.end.getTime() !== row.endMs) {
      found.push(
        `${row.day}: got [${range.start.toISOString()}, ${range.end.toISOString()}), ` +
          `Postgres [${new Date(row.startMs).toISOString()}, ${new Date(row.endMs).toISOString()})`,
      );
    }
  }
  return found;
}

function dayLengthsInHours(rows: readonly DayRow[]): number[] {
  return [...new Set(rows.map((row) => (row.endMs - row.startMs) / HOUR))].sort((a, b) => a - b);
}

function rowOf(rows: readonly DayRow[], day: string): DayRow {
  const row = rows.find((r) => r.day === day);
  assert.ok(row, `Postgres returned no row for ${day}`);
  return row;
}

describe('businessDayRange agrees with Postgres AT TIME ZONE', () => {
  const client = new pg.Client({ connectionString: PG_URL, application_name: 'tidemark-test-business-day' });
  const rowsByZone = new Map<string, DayRow[]>();

  before(async () => {
    await client.connect();
    for (const zone of ZONES) {
      const result = await client.query<{ day: string; start_ms: number; end_ms: number }>(DAYS_SQL, [
        zone,
        FIRST_DAY,
        LAST_DAY,
      ]);
      rowsByZone.set(
        zone,
        result.rows.map((r) => ({ day: r.day, startMs: r.start_ms, endMs: r.end_ms })),
      );
    }
  });

  after(async () => {
    await client.end();
  });

  function rows(zone: string): DayRow[] {
    const found = rowsByZone.get(zone);
    assert.ok(found, `no Postgres rows for ${zone}`);
    return found;
  }

  for (const zone of ZONES) {
    test(`${zone}: every day ${FIRST_DAY}..${LAST_DAY}`, () => {
      const days = rows(zone);
      assert.equal(days.length, 4018, 'Postgres should return one row per day of 2020..2030');
      assert.equal(days[0]?.day, FIRST_DAY);
      assert.equal(days.at(-1)?.day, LAST_DAY);
      const wrong = mismatches(days, zone, businessDayRange);
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} of ${days.length} days differ; first ones listed`);
    });

    test(`${zone}: businessDateOf maps start and end-1ms back to the same date`, () => {
      const wrong: string[] = [];
      for (const row of rows(zone)) {
        const first = businessDateOf(new Date(row.startMs), zone);
        const last = businessDateOf(new Date(row.endMs - 1), zone);
        const next = businessDateOf(new Date(row.endMs), zone);
        if (first !== row.day || last !== row.day || next === row.day) {
          wrong.push(`${row.day}: start→${first}, end-1ms→${last}, end→${next}`);
        }
      }
      assert.deepEqual(wrong.slice(0, 5), [], `${wrong.length} days do not round-trip; first ones listed`);
    });
  }

  test('day lengths follow each zone’s DST rules', () => {
    assert.deepEqual(dayLengthsInHours(rows('America/Chicago')), [23, 24, 25]);
    assert.deepEqual(dayLengthsInHours(rows('America/New_York')), [23, 24, 25]);
    assert.deepEqual(dayLengthsInHours(rows('Australia/Sydney')), [23, 24, 25]);
    assert.deepEqual(dayLengthsInHours(rows('Australia/Lord_Howe')), [23.5, 24, 24.5]);
    assert.deepEqual(dayLengthsInHours(rows('Pacific/Chatham')), [23, 24, 25]);
    assert.deepEqual(dayLengthsInHours(rows('Europe/Moscow')), [24]);
    assert.deepEqual(dayLengthsInHours(rows('Asia/Kathmandu')), [24]);
  });

  test('Chicago 2026 DST days have the exact instants', () => {
    const chicago = rows('America/Chicago');
    const spring = businessDayRange('2026-03-08', 'America/Chicago');
    assert.equal(spring.start.toISOString(), '2026-03-08T06:00:00.000Z');
    assert.equal(spring.end.toISOString(), '2026-03-09T05:00:00.000Z');
    assert.equal(spring.end.getTime() - spring.start.getTime(), 23 * HOUR);
    assert.equal(rowOf(chicago, '2026-03-08').startMs, spring.start.getTime());

    const fall = businessDayRange('2026-11-01', 'America/Chicago');
    assert.equal(fall.start.toISOString(), '2026-11-01T05:00:00.000Z');
    assert.equal(fall.end.toISOString(), '2026-11-02T06:00:00.000Z');
    assert.equal(fall.end.getTime() - fall.start.getTime(), 25 * HOUR);
    assert.equal(rowOf(chicago, '2026-11-01').endMs, fall.end.getTime());
  });

  test('Lord Howe 2026 DST days are 24.5 h and 23.5 h', () => {
    const autumn = businessDayRange('2026-04-05', 'Australia/Lord_Howe');
    assert.equal(autumn.start.toISOString(), '2026-04-04T13:00:00.000Z');
    assert.equal(autumn.end.toISOString(), '2026-04-05T13:30:00.000Z');
    const spring = businessDayRange('2026-10-04', 'Australia/Lord_Howe');
    assert.equal(spring.end.getTime() - spring.start.getTime(), 23.5 * HOUR);
  });

  // The comparison above is only worth something if it catches the bugs it exists for.
  test('the comparison rejects a UTC day and a fixed-offset day', () => {
    const utcDay: RangeOf = (date) => {
      const start = new Date(`${date}T00:00:00Z`);
      return { start, end: new Date(start.getTime() + 24 * HOUR) };
    };
    const fixedCentral: RangeOf = (date) => {
      const start = new Date(`${date}T06:00:00Z`);
      return { start, end: new Date(start.getTime() + 24 * HOUR) };
    };
    for (const zone of ZONES) {
      assert.ok(mismatches(rows(zone), zone, utcDay).length > 0, `a UTC day passes in ${zone}`);
    }
    const chicago = rows('America/Chicago');
    const wrong = mismatches(chicago, 'America/Chicago', fixedCentral);
    // Fixed -06:00 is right only in winter: the summer-time days and both changeover days differ.
    assert.ok(wrong.length > 2000, `a fixed -06:00 day differs on only ${wrong.length} days`);
  });
});

describe('business day argument errors', () => {
  test('an unknown zone is named in the error', () => {
    assert.throws(() => businessDayRange('2026-03-08', 'America/Chicgo'), {
      name: 'RangeError',
      message: /"America\/Chicgo" is not an IANA timezone/,
    });
    assert.throws(() => businessDateOf(new Date(), 'Mars/Olympus_Mons'), { message: /"Mars\/Olympus_Mons"/ });
    assert.throws(() => businessDayRange('2026-03-08', ''), { name: 'RangeError' });
  });

  test('an impossible or badly written date is named in the error', () => {
    for (const bad of ['2026-02-30', '2026-13-01', '2026-3-8', '08/03/2026', '2026-03-08T00:00', '']) {
      assert.throws(() => businessDayRange(bad, 'America/Chicago'), {
        name: 'RangeError',
        message: new RegExp(`"${bad.replace(/[/.*+?^${}()|[\]\\]/g, '\\$&')}" is not a calendar date`),
      });
    }
  });

  test('leap days are accepted', () => {
    const leap = businessDayRange('2028-02-29', 'Europe/Moscow');
    assert.equal(leap.start.toISOString(), '2028-02-28T21:00:00.000Z');
  });

  test('an invalid instant is rejected', () => {
    assert.throws(() => businessDateOf(new Date(Number.NaN), 'America/Chicago'), { name: 'RangeError' });
  });
});
