/**
 * What one read of a Cliniko list asks for, as "passes": each pass is one filtered list, read
 * page by page. Cliniko leaves archived (and on some lists cancelled or deleted) records out
 * unless a `q[]` filter names that column, so every pass names them all:
 * - a full read (snapshot, or an incremental sync's first run) is one pass with `archived_at:*`
 *   etc.: every record, whatever its state;
 * - an incremental read is one pass per cursor column: `updated_at:>=since`, then
 *   `archived_at:>=since`, `deleted_at:>=since`…, because archiving or deleting a record has been
 *   seen not to change its `updated_at` (cliniko-api issue #148). `q[]` filters combine with AND,
 *   so each cursor column needs its own pass; the later ones are usually one short page.
 */
import type { JsonValue } from '../../engine/stream.ts';

/** One of the lists a stream reads, e.g. `patients` or `practitioners/inactive`. */
export interface ListSource {
  /** Path under the base URL. */
  readonly path: string;
  /** The array's name in the answer: `patients`, `practitioners`, `individual_appointments`. */
  readonly collection: string;
  /** Instant columns whose non-null records the list leaves out unless a filter names them. */
  readonly hiddenUnlessAsked: readonly string[];
  /** Fields added to each record that lacks them (e.g. which practitioner list it came from). */
  readonly tag?: Readonly<Record<string, JsonValue>>;
}

export interface ListPass {
  /** Unique within a read; the resume position names it. */
  readonly name: string;
  readonly source: ListSource;
  /** `q[]` filters, ANDed by Cliniko. */
  readonly filters: readonly string[];
}

/** Cliniko's instant format for filters: whole seconds in UTC (`2026-11-10T03:45:00Z`), rounded down so nothing is skipped. */
export function clinikoInstant(at: Date): string {
  return new Date(Math.floor(at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}

const anyValue = (column: string): string => `${column}:*`;

/** The passes of one read: everything when `since` is absent, else what changed at or after it. */
export function listPasses(sources: readonly ListSource[], since: Date | undefined): ListPass[] {
  const passes: ListPass[] = [];
  for (const source of sources) {
    if (since === undefined) {
      passes.push({ name: `${source.path}:all`, source, filters: source.hiddenUnlessAsked.map(anyValue) });
      continue;
    }
    const from = clinikoInstant(since);
    for (const cursor of ['updated_at', ...source.hiddenUnlessAsked]) {
      const others = source.hiddenUnlessAsked.filter((column) => column !== cursor).map(anyValue);
      passes.push({ name: `${source.path}:${cursor}`, source, filters: [`${cursor}:>=${from}`, ...others] });
    }
  }
  return passes;
}
