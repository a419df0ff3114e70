/**
 * The run's last data step when a sync has a `mapping`: bring the user's own table level with the
 * sync's table for exactly the rows this run covered, and say which rows could not be written.
 */
import type { Destination } from '../destinations/destination.ts';
import type { MappingOutcome, MappingScope, TableMapping } from '../destinations/table-mapping.ts';
import type { RunWarning } from '../ledger/types.ts';
import type { BusinessWindow } from '../time/window.ts';
import type { ResolvedSync } from './resolved-sync.ts';

/** Clocks differ (the ledger's database, this process): rows synced this much earlier are taken too. */
const CLOCK_MARGIN_MS = 5 * 60_000;

export interface ApplyMappingInput {
  readonly destination: Destination;
  readonly sync: ResolvedSync;
  readonly window: BusinessWindow | null;
  /** The run's start in the ledger (kept across a resume). */
  readonly runStartedAt: Date;
  readonly processStartedAt: Date;
}

function scopeOf(input: ApplyMappingInput): MappingScope {
  const { sync, window } = input;
  if (sync.mode === 'window' && window) return { kind: 'range', range: { start: window.start, end: window.end } };
  if (sync.mode === 'incremental') {
    const since = Math.min(input.runStartedAt.getTime(), input.processStartedAt.getTime()) - CLOCK_MARGIN_MS;
    return { kind: 'synced-since', since: new Date(since) };
  }
  return { kind: 'all' };
}

function lookupsOf(mapping: TableMapping): string {
  return mapping.columns
    .flatMap(([column, from]) => (from.kind === 'lookup' && from.required ? [`${column} (${from.from} in ${from.table}.${from.match})`] : []))
    .join(', ');
}

export async function applyMapping(input: ApplyMappingInput): Promise<{ outcome: MappingOutcome; warning: RunWarning | null }> {
  const { destination, sync } = input;
  const mapping = sync.mapping!;
  if (!destination.applyMapping) {
    throw new Error(`the ${destination.dialect} destination cannot keep the mapped table ${mapping.table}: mappings onto existing tables need Postgres or MySQL/MariaDB`);
  }
  const outcome = await destination.applyMapping(sync.table, mapping, sync.tenantId, scopeOf(input));
  if (outcome.unmatched === 0) return { outcome, warning: null };
  const shown = outcome.unmatchedKeys.join(', ');
  return {
    outcome,
    warning: {
      code: 'unmapped_rows',
      message: `${outcome.unmatched} row(s) of ${sync.table.name} were not written to ${outcome.table}: no match for ${lookupsOf(mapping)}; keys ${shown}${outcome.unmatched > outcome.unmatchedKeys.length ? ', …' : ''}. Add them to the lookup table: the next run over these rows writes them.`,
    },
  };
}
