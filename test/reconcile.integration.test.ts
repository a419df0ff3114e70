/**
 * `tidemark reconcile`: upstream (the simulator) against the table (real Postgres) per business day
 * and employee; exit 0 when equal, 1 with exactly the differing days and employees listed; `--fix`
 * re-syncs only those days (the ledger's runs show the windows). Destination.dailyTotals on every
 * dialect.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { shiftsStream, SHIFTS_TABLE } from '../src/connectors/connecteam/shifts-stream.ts';
import { addDays, businessDayRange } from '../src/time/business-day.ts';
import { freshSchema, pgRows } from './helpers/postgres.ts';
import { type CliResult, acmeConfig, runCli, writeConfig } from './helpers/cli.ts';
import { CHICAGO, dataset, localSeconds, shift } from './helpers/shifts.ts';
import { DESTINATION_DIALECTS, mergeRowOf, testDestination } from './helpers/destinations.ts';
import type { DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';


/** `tidemark reconcile …` as a user runs it: the real binary in a child process. */
function reconcile(args: readonly string[], env: NodeJS.ProcessEnv): Promise<CliResult> {
  return runCli(['reconcile', ...args], env);
}


interface JsonGroup {
  group: string;
  upstream: { count: number; sum: number };
  stored: { count: number; sum: number };
  difference: { count: number; sum: number };
  matches: boolean;
}
interface JsonSide {
  matches: boolean;
  days: { date: string; matches: boolean; upstream: { count: number; sum: number }; stored: { count: number; sum: number }; groups: JsonGroup[] }[];
}
interface JsonReport extends JsonSide {
  fix: { before: JsonSide; runs: { window: { from: string; to: string }; status: string }[] } | null;
}

const differing = (side: JsonSide) =>
  side.days.flatMap((d) => d.groups.filter((g) => !g.matches).map((g) => ({ date: d.date, group: g.group, difference: g.difference })));

const FROM = '2026-11-09';
const TO = '2026-11-16';

test('reconcile: equal after a sync (exit 0); two rows deleted and one shift edited upstream (exit 1, exactly those); --fix re-syncs only those days (exit 0)', async () => {
  // Each day: employee 101 08:00–12:00 (240 min), employee 102 14:00–18:30 (270 min); one open shift.
  const shifts: DatasetShift[] = [];
  for (let date = FROM; date < TO; date = addDays(date, 1)) {
    shifts.push(shift(101, `${date}T08:00`, `${date}T12:00`), shift(102, `${date}T14:00`, `${date}T18:30`));
  }
  shifts.push(shift(102, '2026-11-15T20:00', null));
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  try {
    const config = writeConfig(acmeConfig(simulator.url, control.schema, dest.schema));
    const env = { ACME_CT_KEY: simulator.apiKey };
    const synced = await runCli(['sync', 'acme-shifts', '--from', FROM, '--to', TO, '--json', '--config', config], env);
    assert.equal(synced.code, 0, synced.stderr);

    const equal = await reconcile(['acme-shifts', '--from', FROM, '--to', TO, '--json', '--config', config], env);
    assert.equal(equal.code, 0, equal.stderr + equal.stdout);
    const equalReport = JSON.parse(equal.stdout) as JsonReport;
    assert.equal(equalReport.matches, true);
    assert.equal(equalReport.fix, null);
    assert.deepEqual(equalReport.days.map((d) => d.date), ['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13', '2026-11-14', '2026-11-15']);
    assert.deepEqual(equalReport.days[6]!.upstream, { count: 3, sum: 510 }, 'the open shift counts, its minutes do not');

    // Damage: two rows gone from the table, one shift's end moved upstream (+30 min).
    const [lost101, lost102] = [shifts[2]!, shifts[5]!]; // 2026-11-10 employee 101, 2026-11-11 employee 102
    await pgRows(`DELETE FROM "${dest.schema}".connecteam_shifts WHERE shift_id = ANY($1)`, [[lost101.id, lost102.id]]);
    const edited = shifts[10]!; // 2026-11-14 employee 101
    simulator.store.closeShift(edited.id, localSeconds('2026-11-14T12:30'));

    const text = await reconcile(['acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(text.code, 1, text.stderr + text.stdout);
    assert.match(text.stdout, /✓ 2026-11-09: upstream 2 shifts \/ 510 min, stored 2 \/ 510 min/);
    assert.match(text.stdout, /✗ 2026-11-10: upstream 2 shifts \/ 510 min, stored 1 \/ 270 min \(stored − upstream: −1 shifts \/ −240 min\)/);
    assert.match(text.stdout, /✗ 2026-11-14: upstream 2 shifts \/ 540 min, stored 2 \/ 510 min/);
    assert.match(text.stdout, /3 of 7 days differ \(3 employee-days\)/);

    const json = await reconcile(['acme-shifts', '--from', FROM, '--to', TO, '--json', '--config', config], env);
    assert.equal(json.code, 1);
    const report = JSON.parse(json.stdout) as JsonReport;
    assert.equal(report.matches, false);
    assert.deepEqual(differing(report), [
      { date: '2026-11-10', group: '101', difference: { count: -1, sum: -240 } },
      { date: '2026-11-11', group: '102', difference: { count: -1, sum: -270 } },
      { date: '2026-11-14', group: '101', difference: { count: 0, sum: -30 } },
    ]);

    const fixed = await reconcile(['acme-shifts', '--from', FROM, '--to', TO, '--json', '--fix', '--config', config], env);
    assert.equal(fixed.code, 0, fixed.stderr + fixed.stdout);
    const fixReport = JSON.parse(fixed.stdout) as JsonReport;
    assert.equal(fixReport.matches, true);
    assert.equal(differing(fixReport).length, 0);
    assert.equal(differing(fixReport.fix!.before).length, 3);
    assert.deepEqual(fixReport.fix!.runs.map((r) => [r.window.from, r.window.to, r.status]), [
      ['2026-11-10', '2026-11-12', 'succeeded'],
      ['2026-11-14', '2026-11-15', 'succeeded'],
    ]);
    const runs = await pgRows<{ window_from: string; window_to: string; trigger: string; created: number; updated: number }>(
      `SELECT window_from::text, window_to::text, trigger, created, updated FROM "${control.schema}".runs WHERE trigger = 'reconcile' ORDER BY id`,
    );
    assert.deepEqual(runs, [
      { window_from: '2026-11-10', window_to: '2026-11-12', trigger: 'reconcile', created: 2, updated: 0 },
      { window_from: '2026-11-14', window_to: '2026-11-15', trigger: 'reconcile', created: 0, updated: 1 },
    ]);

    const again = await reconcile(['acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(again.code, 0, again.stdout);
    assert.match(again.stdout, /All 7 days match\./);
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('reconcile refuses a snapshot stream and a missing window (exit 2, with the reason)', async () => {
  const config = writeConfig(acmeConfig('http://127.0.0.1:9', 'a', 'b'));
  const users = await reconcile(['acme-users', '--from', FROM, '--to', TO, '--config', config], { ACME_CT_KEY: 'k' });
  assert.equal(users.code, 2);
  assert.match(users.stderr, /reads connecteam\.users, which reconcile cannot total yet/);
  const half = await reconcile(['acme-shifts', '--from', FROM, '--config', config], { ACME_CT_KEY: 'k' });
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--from 2026-11-02 --to 2026-11-09/);
});

for (const dialect of DESTINATION_DIALECTS) {
  describe(`dailyTotals on ${dialect}`, () => {
    test('live rows of the tenant in the range, per stored business date and employee; open shifts counted, minutes summed exactly', async () => {
      const t = await testDestination(dialect);
      try {
        const table = t.target(SHIFTS_TABLE);
        await t.destination.ensureTable(table);
        const row = (s: DatasetShift, tenant = 'acme') => mergeRowOf(shiftsStream, s, tenant);
        const gone = shift(101, '2026-11-12T08:00', '2026-11-12T09:00');
        await t.destination.mergeBatch(table, 'acme', [
          row(shift(101, '2026-11-10T08:00', '2026-11-10T12:00')),
          row(shift(101, '2026-11-10T13:00', '2026-11-10T13:10:30')),
          row(shift(101, '2026-11-10T23:30', null)),
          row(shift(102, '2026-11-10T00:15', '2026-11-10T01:15')),
          row(shift(102, '2026-11-11T09:00', '2026-11-11T10:00')),
          row(gone),
          row(shift(101, '2026-11-13T08:00', '2026-11-13T09:00')), // outside the range
        ], new Date());
        await t.destination.mergeBatch(table, 'other', [row(shift(101, '2026-11-10T08:00', '2026-11-10T12:00'), 'other')], new Date());
        await t.destination.markUnseenDeleted(table, 'acme', businessDayRange('2026-11-12', CHICAGO), [], new Date());

        const range = { start: businessDayRange('2026-11-10', CHICAGO).start, end: businessDayRange('2026-11-13', CHICAGO).start };
        const totals = await t.destination.dailyTotals(table, 'acme', range, shiftsStream.reconcile!);
        const order = (a: { businessDate: string; groupKey: string }, b: typeof a) => (a.businessDate + a.groupKey < b.businessDate + b.groupKey ? -1 : 1);
        assert.deepEqual([...totals].sort(order), [
          { businessDate: '2026-11-10', groupKey: '101', count: 3, sum: 250.5 },
          { businessDate: '2026-11-10', groupKey: '102', count: 1, sum: 60 },
          { businessDate: '2026-11-11', groupKey: '102', count: 1, sum: 60 },
        ]);
      } finally {
        await t.cleanup();
      }
    });
  });
}
