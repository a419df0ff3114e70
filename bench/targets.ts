/** The issue's targets, checked against what this run measured (PASS, FAIL, or n/a when not measured). */
import { DEFAULT_BATCH } from './plan.ts';
import type { Measurements, TargetCheck } from './results.ts';
import { fastest } from './table-rows.ts';

const s = (seconds: number) => `${seconds.toFixed(3)} s`;

/** Judged on the warm process (a worker); the cold first run of a fresh process is shown beside it. */
function endToEnd(m: Measurements): TargetCheck {
  const run = m.tidemark.find((t) => t.shifts === 500 && t.rttMs === 20 && t.batchSize === DEFAULT_BATCH)?.result;
  const old = m.old.find((o) => o.shifts === 500 && o.rttMs === 20)?.result.seconds;
  return {
    name: '500 shifts at 20 ms RTT, end to end',
    target: '< 0.3 s (old code ~30 s)',
    measured: run === undefined
      ? 'not measured'
      : `${s(run.first.seconds)} warm; ${s(run.cold.seconds)} as the first run of a fresh process${old === undefined ? '' : `; old pattern ${s(old)}`}`,
    pass: run === undefined ? null : run.first.seconds < 0.3,
  };
}

/**
 * Round trips per batch must not depend on N: RT = k·⌈N/B⌉ + c with the same k (1 for the
 * bound-array merge, 3 for COPY staging) and a small c. Checked as: (RT − c) / ⌈N/B⌉ ≤ 3 for
 * every run, where c ≤ 5 is the per-run overhead, i.e. RT ≤ 3·⌈N/B⌉ + 5.
 */
function roundTrips(m: Measurements): TargetCheck {
  const runs = m.tidemark.flatMap((t) => {
    const batches = Math.ceil(t.shifts / t.batchSize);
    return [t.result.cold, t.result.first, t.result.noop].map((run) => ({ batches, rt: run.roundTrips }));
  });
  if (runs.length === 0) return { name: 'round trips grow with N/B, never with N', target: 'RT ≤ 3·⌈N/B⌉ + 5', measured: 'not measured', pass: null };
  const perBatch = runs.map((r) => r.rt / r.batches);
  const perShiftOld = m.old.map((o) => o.result.roundTrips / o.shifts);
  return {
    name: 'round trips grow with N/B, never with N',
    target: 'RT ≤ 3·⌈N/B⌉ + 5 at every N',
    measured: `RT per batch ${Math.min(...perBatch).toFixed(2)}…${Math.max(...perBatch).toFixed(2)} over ${runs.length} runs` +
      (perShiftOld.length ? `; old pattern ${Math.min(...perShiftOld).toFixed(2)}–${Math.max(...perShiftOld).toFixed(2)} RT per shift` : ''),
    pass: runs.every((r) => r.rt <= 3 * r.batches + 5),
  };
}

function mergeVersusCopy(m: Measurements): TargetCheck {
  const largest = [...m.load].sort((a, b) => b.shifts - a.shifts)[0];
  const samples = largest?.result.merge[String(DEFAULT_BATCH)];
  if (!largest || !samples) return { name: 'merge 100,000 new rows vs COPY', target: '≤ 1.2× COPY', measured: 'not measured', pass: null };
  const merge = fastest(samples).seconds;
  const copy = fastest(largest.result.copy).seconds;
  const official = largest.shifts === 100_000;
  return {
    name: `merge ${largest.shifts.toLocaleString('en-US')} new rows (B=${DEFAULT_BATCH}) vs COPY${official ? '' : ' (target is for 100,000)'}`,
    target: '≤ 1.2× COPY',
    measured: `${(merge / copy).toFixed(2)}× (${s(merge)} vs ${s(copy)})`,
    pass: official ? merge / copy <= 1.2 : null,
  };
}

function noopWrites(m: Measurements): TargetCheck {
  if (m.tidemark.length === 0) return { name: 'no-op re-sync writes 0 rows', target: '0', measured: 'not measured', pass: null };
  const counted = Math.max(...m.tidemark.map((t) => t.result.noop.created + t.result.noop.updated + t.result.noop.deleted));
  const rewritten = Math.max(...m.tidemark.map((t) => t.result.noop.rowsRewritten));
  const synced = Math.max(...m.tidemark.map((t) => t.result.noop.rowsWithNewSyncedAt));
  return {
    name: 'no-op re-sync writes 0 rows',
    target: 'created+updated+deleted = 0, no row rewritten',
    measured: `worst of ${m.tidemark.length} runs: ${counted} counted, ${rewritten} rewritten (xmin), ${synced} new synced_at`,
    pass: counted === 0 && rewritten === 0 && synced === 0,
  };
}

function rssFlat(m: Measurements): TargetCheck {
  const runs = m.tidemark.filter((t) => t.batchSize === DEFAULT_BATCH);
  const big = runs.filter((t) => t.shifts === 100_000);
  const small = runs.filter((t) => t.shifts === 10_000);
  if (big.length === 0 || small.length === 0) {
    return { name: 'peak RSS flat in N (100,000 vs 10,000)', target: '≤ +64 MB', measured: 'needs 10,000 and 100,000', pass: null };
  }
  const peak = (list: typeof runs) => Math.max(...list.map((t) => t.result.maxRssMb));
  const growth = peak(big) - peak(small);
  return {
    name: 'peak RSS flat in N (100,000 vs 10,000)',
    target: '≤ +64 MB',
    measured: `${growth >= 0 ? '+' : ''}${growth.toFixed(0)} MB (${peak(big).toFixed(0)} vs ${peak(small).toFixed(0)} MB, B=${DEFAULT_BATCH})`,
    pass: growth <= 64,
  };
}

export function checkTargets(m: Measurements): TargetCheck[] {
  return [endToEnd(m), roundTrips(m), mergeVersusCopy(m), noopWrites(m), rssFlat(m)];
}
