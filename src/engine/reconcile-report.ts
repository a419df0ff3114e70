/**
 * `tidemark reconcile`'s comparison: upstream totals against stored totals per business day and
 * group, and the runs of consecutive differing days a fix re-syncs. Pure: no I/O.
 */
import type { DailyTotal } from '../destinations/destination.ts';
import { addDays } from '../time/business-day.ts';

export interface Totals {
  readonly count: number;
  /** Rounded to hundredths: sums are compared at that precision. */
  readonly sum: number;
}

export interface GroupComparison {
  readonly group: string;
  readonly upstream: Totals;
  readonly stored: Totals;
  /** stored − upstream: negative when the table is missing rows or minutes. */
  readonly difference: Totals;
  readonly matches: boolean;
}

export interface DayComparison {
  readonly date: string;
  readonly upstream: Totals;
  readonly stored: Totals;
  readonly difference: Totals;
  readonly matches: boolean;
  /** Every group seen on either side that day, ordered by group key. */
  readonly groups: readonly GroupComparison[];
}

export interface Comparison {
  readonly matches: boolean;
  /** One entry per business day of the window (empty days included), then any stored day outside it. */
  readonly days: readonly DayComparison[];
}

/** Hundredths as an integer: exact to add and compare (NUMERIC(…,2) durations, float sums alike). */
const hundredths = (value: number) => Math.round(value * 100);

interface Accumulator {
  count: number;
  hundredths: number;
}

function index(totals: readonly DailyTotal[]): Map<string, Map<string, Accumulator>> {
  const byDay = new Map<string, Map<string, Accumulator>>();
  for (const total of totals) {
    let day = byDay.get(total.businessDate);
    if (!day) byDay.set(total.businessDate, (day = new Map()));
    const group = day.get(total.groupKey) ?? { count: 0, hundredths: 0 };
    group.count += total.count;
    group.hundredths += hundredths(total.sum);
    day.set(total.groupKey, group);
  }
  return byDay;
}

const totalsOf = (a: Accumulator | undefined): Totals => ({ count: a?.count ?? 0, sum: (a?.hundredths ?? 0) / 100 });
const differenceOf = (upstream: Totals, stored: Totals): Totals => ({
  count: stored.count - upstream.count,
  sum: (hundredths(stored.sum) - hundredths(upstream.sum)) / 100,
});
const same = (a: Totals, b: Totals) => a.count === b.count && hundredths(a.sum) === hundredths(b.sum);
const byText = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
// Numeric ids (employees) read best in numeric order; anything else in text order.
const byGroup = (a: string, b: string) => (/^\d+$/.test(a) && /^\d+$/.test(b) ? a.length - b.length || byText(a, b) : byText(a, b));

/** Compare per day and group; `dates` are the window's business days, in order. */
export function compareTotals(dates: readonly string[], upstream: readonly DailyTotal[], stored: readonly DailyTotal[]): Comparison {
  const up = index(upstream);
  const db = index(stored);
  const extra = [...new Set([...up.keys(), ...db.keys()])].filter((d) => !dates.includes(d)).sort(byText);
  const days = [...dates, ...extra].map((date): DayComparison => {
    const upDay = up.get(date) ?? new Map<string, Accumulator>();
    const dbDay = db.get(date) ?? new Map<string, Accumulator>();
    const groups = [...new Set([...upDay.keys(), ...dbDay.keys()])].sort(byGroup).map((group): GroupComparison => {
      const u = totalsOf(upDay.get(group));
      const s = totalsOf(dbDay.get(group));
      return { group, upstream: u, stored: s, difference: differenceOf(u, s), matches: same(u, s) };
    });
    const sumUp = (side: 'upstream' | 'stored'): Totals =>
      totalsOf(groups.reduce<Accumulator>((acc, g) => ({ count: acc.count + g[side].count, hundredths: acc.hundredths + hundredths(g[side].sum) }), { count: 0, hundredths: 0 }));
    const u = sumUp('upstream');
    const s = sumUp('stored');
    return { date, upstream: u, stored: s, difference: differenceOf(u, s), matches: groups.every((g) => g.matches), groups };
  });
  return { matches: days.every((d) => d.matches), days };
}

/** Consecutive differing days joined into windows [from, to): one re-sync each. */
export function differingRuns(comparison: Comparison): { from: string; to: string }[] {
  const runs: { from: string; to: string }[] = [];
  const dates = comparison.days.filter((d) => !d.matches).map((d) => d.date).sort(byText);
  for (const date of dates) {
    const last = runs.at(-1);
    if (last && last.to === date) last.to = addDays(date, 1);
    else runs.push({ from: date, to: addDays(date, 1) });
  }
  return runs;
}
