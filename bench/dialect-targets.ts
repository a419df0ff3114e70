/**
 * Issue 3's targets for MariaDB and SQLite, "as for Postgres": 500 shifts end to end under 0.3 s
 * (MariaDB at 20 ms RTT; SQLite is embedded, so no RTT), merging 100,000 new rows at most 1.5× the
 * dialect's loading limit, and a no-op re-sync that writes nothing.
 */
import type { OtherDialect } from './jobs.ts';
import { DEFAULT_BATCH } from './plan.ts';
import type { Measurements, TargetCheck } from './results.ts';
import { fastest } from './table-rows.ts';

const s = (seconds: number) => `${seconds.toFixed(3)} s`;
const NAME: Record<OtherDialect, string> = { mysql: 'MariaDB', sqlite: 'SQLite' };
const LIMIT: Record<OtherDialect, string> = { mysql: 'LOAD DATA LOCAL', sqlite: 'plain INSERTs in 1 transaction' };
export const MERGE_TARGET = 1.5;

function endToEnd(dialect: OtherDialect, m: Measurements): TargetCheck {
  const rttMs = dialect === 'mysql' ? 20 : 0;
  const run = m.tidemark.find((t) => t.shifts === 500 && t.rttMs === rttMs && t.batchSize === DEFAULT_BATCH)?.result;
  return {
    name: `${NAME[dialect]}: 500 shifts ${dialect === 'mysql' ? 'at 20 ms RTT' : '(embedded, no RTT)'}, end to end`,
    target: '< 0.3 s',
    measured: run === undefined ? 'not measured' : `${s(run.first.seconds)} warm; ${s(run.cold.seconds)} as the first run of a fresh process`,
    pass: run === undefined ? null : run.first.seconds < 0.3,
  };
}

function mergeVersusLoad(dialect: OtherDialect, m: Measurements): TargetCheck {
  const largest = [...m.load].sort((a, b) => b.shifts - a.shifts)[0];
  const samples = largest?.result.merge[String(DEFAULT_BATCH)];
  const name = `${NAME[dialect]}: merge new rows vs ${LIMIT[dialect]}`;
  const target = `≤ ${MERGE_TARGET}× at 100,000 rows`;
  if (!largest || !samples) return { name, target, measured: 'not measured', pass: null };
  const merge = fastest(samples).seconds;
  const load = fastest(largest.result.copy).seconds;
  const official = largest.shifts === 100_000;
  const others = Object.entries(largest.result.merge)
    .filter(([batch]) => batch !== String(DEFAULT_BATCH))
    .map(([batch, x]) => `; B=${batch}: ${(fastest(x).seconds / load).toFixed(2)}×`)
    .join('');
  return {
    name: `${name} (${largest.shifts.toLocaleString('en-US')} rows, B=${DEFAULT_BATCH})`,
    target,
    measured: `${(merge / load).toFixed(2)}× (${s(merge)} vs ${s(load)})${others}${official ? '' : ' (target is for 100,000)'}`,
    pass: official ? merge / load <= MERGE_TARGET : null,
  };
}

function noopWrites(dialect: OtherDialect, m: Measurements): TargetCheck {
  const name = `${NAME[dialect]}: no-op re-sync writes 0 rows`;
  const check = dialect === 'mysql' ? 'Handler_update' : 'WAL frames';
  if (m.tidemark.length === 0) return { name, target: '0', measured: 'not measured', pass: null };
  const counted = Math.max(...m.tidemark.map((t) => t.result.noop.created + t.result.noop.updated + t.result.noop.deleted));
  const rewritten = Math.max(...m.tidemark.map((t) => t.result.noop.rowsRewritten));
  const synced = Math.max(...m.tidemark.map((t) => t.result.noop.rowsWithNewSyncedAt));
  return {
    name,
    target: `created+updated+deleted = 0, no new synced_at, ${check} +0`,
    measured: `worst of ${m.tidemark.length} runs: ${counted} counted, ${synced} new synced_at, ${check} +${rewritten}`,
    pass: counted === 0 && rewritten === 0 && synced === 0,
  };
}

export function checkDialectTargets(dialect: OtherDialect, m: Measurements): TargetCheck[] {
  return [endToEnd(dialect, m), mergeVersusLoad(dialect, m), noopWrites(dialect, m)];
}
