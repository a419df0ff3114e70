/** Turn the measurements into the rows of the printed table, ratios included. */
import type { LoadSample } from './jobs.ts';
import { DEFAULT_BATCH, RTTS_MS } from './plan.ts';
import type { Measurements, RatioLabel, ResultRow, Scenario } from './results.ts';

/** How a dialect names its loading limit and its no-op rewrite check. */
export interface RowLabels {
  readonly load: Scenario;
  readonly ratio: RatioLabel;
  /** How rows rewritten by the no-op run were detected. */
  readonly rewritten: string;
  readonly rtts: readonly number[];
}

const POSTGRES_LABELS: RowLabels = { load: 'COPY', ratio: 'merge/COPY', rewritten: 'rows rewritten (xmin)', rtts: RTTS_MS };

/** The fastest of the samples: the one least disturbed by the rest of the machine. */
export function fastest(samples: readonly LoadSample[]): LoadSample {
  return samples.reduce((best, s) => (s.seconds < best.seconds ? s : best));
}

export function tidemarkSeconds(m: Measurements, shifts: number, rttMs: number, batchSize = DEFAULT_BATCH): number | null {
  return m.tidemark.find((t) => t.shifts === shifts && t.rttMs === rttMs && t.batchSize === batchSize)?.result.first.seconds ?? null;
}

const ratioOf = (a: number, b: number | null) => (b === null || b === 0 ? null : a / b);

function oldPatternRows(m: Measurements, shifts: number, rttMs: number): ResultRow[] {
  const versus = tidemarkSeconds(m, shifts, rttMs);
  const measured = m.old.find((o) => o.shifts === shifts && o.rttMs === rttMs);
  if (measured) {
    const r = measured.result;
    return [{
      scenario: 'old pattern', shifts, rttMs, batchSize: null, seconds: r.seconds, cpuSeconds: r.cpuSeconds, roundTrips: r.roundTrips, ledgerStatements: null,
      maxRssMb: r.maxRssMb, ratio: ratioOf(r.seconds, versus), ratioLabel: 'old/tidemark',
      note: `${r.selects} SELECT + ${r.inserted} INSERT + ${r.updated} UPDATE`,
    }];
  }
  // Projected from the largest measured size at the same RTT: its cost per shift × N.
  const basis = m.old.filter((o) => o.rttMs === rttMs).sort((a, b) => b.shifts - a.shifts)[0];
  if (!basis) return [];
  const perShift = basis.result.seconds / basis.shifts;
  const seconds = perShift * shifts;
  return [{
    scenario: 'old pattern (projected)', shifts, rttMs, batchSize: null, seconds, cpuSeconds: null,
    roundTrips: Math.round((basis.result.roundTrips / basis.shifts) * shifts), ledgerStatements: null, maxRssMb: null,
    ratio: ratioOf(seconds, versus), ratioLabel: 'old/tidemark',
    note: `projected: ${(perShift * 1000).toFixed(2)} ms/shift measured at ${basis.shifts} shifts`,
  }];
}

export function tableRows(m: Measurements, sizes: readonly number[], labels: RowLabels = POSTGRES_LABELS): ResultRow[] {
  const rows: ResultRow[] = [];
  for (const shifts of sizes) {
    for (const rttMs of labels.rtts) {
      for (const t of m.tidemark.filter((x) => x.shifts === shifts && x.rttMs === rttMs)) {
        const { cold, first, noop } = t.result;
        const base = { shifts, rttMs, batchSize: t.batchSize, maxRssMb: t.result.maxRssMb, ratio: null, ratioLabel: '' as const };
        rows.push({
          ...base, scenario: 'tidemark, cold process', seconds: cold.seconds, cpuSeconds: cold.cpuSeconds, roundTrips: cold.roundTrips,
          ledgerStatements: cold.ledgerStatements, note: 'first sync of a fresh process (as one `tidemark sync`)',
        });
        rows.push({
          ...base, scenario: 'tidemark', seconds: first.seconds, cpuSeconds: first.cpuSeconds, roundTrips: first.roundTrips, ledgerStatements: first.ledgerStatements,
          note: `created ${first.created}; ${first.upstreamRequests} HTTP requests; ${first.connections} DB connection(s)`,
        });
        rows.push({
          ...base, scenario: 'tidemark no-op re-sync', seconds: noop.seconds, cpuSeconds: noop.cpuSeconds, roundTrips: noop.roundTrips, ledgerStatements: noop.ledgerStatements,
          note: `written: ${noop.created + noop.updated + noop.deleted} counted, ${noop.rowsRewritten} ${labels.rewritten}, ${noop.rowsWithNewSyncedAt} new synced_at`,
        });
      }
      rows.push(...oldPatternRows(m, shifts, rttMs));
    }
    const load = m.load.find((l) => l.shifts === shifts);
    if (!load) continue;
    const copy = fastest(load.result.copy);
    for (const [batch, samples] of Object.entries(load.result.merge)) {
      const merge = fastest(samples);
      rows.push({
        scenario: 'merge only', shifts, rttMs: 0, batchSize: Number(batch), seconds: merge.seconds, cpuSeconds: merge.cpuSeconds, roundTrips: merge.roundTrips,
        ledgerStatements: null, maxRssMb: null, ratio: ratioOf(merge.seconds, copy.seconds), ratioLabel: labels.ratio,
        note: `fastest of ${samples.length}: ${samples.map((s) => s.seconds.toFixed(3)).join(', ')}`,
      });
    }
    rows.push({
      scenario: labels.load, shifts, rttMs: 0, batchSize: null, seconds: copy.seconds, cpuSeconds: copy.cpuSeconds, roundTrips: copy.roundTrips, ledgerStatements: null,
      maxRssMb: null, ratio: null, ratioLabel: '', note: `fastest of ${load.result.copy.length}: ${load.result.copy.map((s) => s.seconds.toFixed(3)).join(', ')}`,
    });
  }
  return rows;
}
