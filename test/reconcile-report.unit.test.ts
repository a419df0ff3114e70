/** The reconcile comparison: per day and employee, differences as stored − upstream, fix windows. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { compareTotals, differingRuns } from '../src/engine/reconcile-report.ts';

const dates = ['2026-11-09', '2026-11-10', '2026-11-11', '2026-11-12', '2026-11-13'];
const t = (businessDate: string, groupKey: string, count: number, sum: number) => ({ businessDate, groupKey, count, sum });

test('equal totals match on every day, empty days included', () => {
  const totals = [t('2026-11-10', '101', 2, 480), t('2026-11-10', '102', 1, 240.5)];
  const result = compareTotals(dates, totals, [...totals].reverse());
  assert.equal(result.matches, true);
  assert.deepEqual(result.days.map((d) => d.date), dates);
  assert.deepEqual(result.days[1]!.upstream, { count: 3, sum: 720.5 });
  assert.deepEqual(differingRuns(result), []);
});

test('differences per employee and per day, stored − upstream, compared to the hundredth', () => {
  const upstream = [t('2026-11-10', '101', 2, 480), t('2026-11-10', '102', 1, 240), t('2026-11-12', '101', 1, 60.1), t('2026-11-13', '9', 1, 30)];
  // 0.1 + 0.2 style float noise below a hundredth is not a difference.
  const stored = [t('2026-11-10', '101', 1, 240), t('2026-11-10', '102', 1, 240), t('2026-11-12', '101', 1, 60.1000000001), t('2026-11-13', '9', 1, 45), t('2026-11-13', '10', 1, 15)];
  const result = compareTotals(dates, upstream, stored);
  assert.equal(result.matches, false);
  const day10 = result.days.find((d) => d.date === '2026-11-10')!;
  assert.equal(day10.matches, false);
  assert.deepEqual(day10.difference, { count: -1, sum: -240 });
  assert.deepEqual(day10.groups.filter((g) => !g.matches).map((g) => [g.group, g.difference]), [['101', { count: -1, sum: -240 }]]);
  assert.equal(result.days.find((d) => d.date === '2026-11-12')!.matches, true);
  const day13 = result.days.find((d) => d.date === '2026-11-13')!;
  assert.deepEqual(day13.groups.map((g) => g.group), ['9', '10'], 'numeric ids in numeric order');
  assert.deepEqual(day13.groups.map((g) => g.difference), [{ count: 0, sum: 15 }, { count: 1, sum: 15 }]);
  assert.deepEqual(differingRuns(result), [
    { from: '2026-11-10', to: '2026-11-11' },
    { from: '2026-11-13', to: '2026-11-14' },
  ]);
});

test('consecutive differing days become one fix window', () => {
  const result = compareTotals(dates, [t('2026-11-10', '1', 1, 1), t('2026-11-11', '1', 1, 1), t('2026-11-13', '1', 1, 1)], []);
  assert.deepEqual(differingRuns(result), [
    { from: '2026-11-10', to: '2026-11-12' },
    { from: '2026-11-13', to: '2026-11-14' },
  ]);
});
