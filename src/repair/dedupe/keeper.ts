/**
 * Which copy of a duplicate group is kept: one ordered list of ranking terms, rendered into SQL
 * (ROW_NUMBER() … ORDER BY) for the delete and compared in code to explain the choice. One list,
 * so the explanation cannot drift from what the delete does.
 */
import type { DedupeRequest, TableShape } from './target.ts';
import { DedupeTargetError, tableLabel } from './target.ts';

/** Columns that, when present, say when a row was last written: the default `--latest`. */
export const UPDATE_COLUMNS = ['updated_at', 'modified_at', 'synced_at', 'last_modified_at', 'last_modified', 'updated_on', 'modified_on'] as const;

export type RankTerm =
  /** Rows where this column is non-null first (`--prefer`). */
  | { readonly kind: 'non_null'; readonly column: string }
  /** Rows with more non-null columns first: the "most complete" copy (an open shift has no clock_out). */
  | { readonly kind: 'completeness'; readonly columns: readonly string[] }
  /** Latest value first, NULL last. */
  | { readonly kind: 'latest'; readonly column: string }
  /** Highest primary key first (the last copy stored), or on Postgres without one the highest ctid. */
  | { readonly kind: 'row_id'; readonly columns: readonly string[] };

function requireColumn(shape: TableShape, column: string, option: string): string {
  if (!shape.columns.includes(column)) {
    throw new DedupeTargetError(`${option}: column "${column}" is not in table ${tableLabel(shape)} (its columns: ${shape.columns.join(', ')})`);
  }
  return column;
}

/** The ranking for `request` on `shape`: --prefer columns, completeness, latest update, row id. */
export function rankingFor(request: DedupeRequest, shape: TableShape): RankTerm[] {
  const terms: RankTerm[] = request.prefer.map((column) => ({ kind: 'non_null', column: requireColumn(shape, column, '--prefer') }));
  terms.push({ kind: 'completeness', columns: shape.columns });
  const latest = request.latest !== undefined ? requireColumn(shape, request.latest, '--latest') : UPDATE_COLUMNS.find((c) => shape.columns.includes(c));
  if (latest) terms.push({ kind: 'latest', column: latest });
  terms.push({ kind: 'row_id', columns: shape.primaryKey });
  return terms;
}

/** The ranking in words, for the report: "non-null clock_out, then more non-null columns, …". */
export function describeRanking(terms: readonly RankTerm[]): string {
  return terms
    .map((term) => {
      switch (term.kind) {
        case 'non_null':
          return `non-null ${term.column}`;
        case 'completeness':
          return 'more non-null columns';
        case 'latest':
          return `latest ${term.column}`;
        case 'row_id':
          return term.columns.length ? `highest ${term.columns.join(', ')}` : 'last stored (ctid)';
      }
    })
    .join(', then ');
}

/** A row as read back for the listing: column values as text (NULL as null). */
export type ListedRow = Readonly<Record<string, string | null>>;

function nonNullColumns(row: ListedRow, columns: readonly string[]): string[] {
  return columns.filter((c) => row[c] !== null && row[c] !== undefined);
}

/** Why `keeper` ranks above `runnerUp`: the first term where they differ, in words. */
export function explainKeeper(terms: readonly RankTerm[], keeper: ListedRow, runnerUp: ListedRow): string {
  for (const term of terms) {
    switch (term.kind) {
      case 'non_null':
        if (keeper[term.column] !== null && runnerUp[term.column] === null) return `has ${term.column} (--prefer)`;
        break;
      case 'completeness': {
        const kept = nonNullColumns(keeper, term.columns);
        const other = nonNullColumns(runnerUp, term.columns);
        if (kept.length !== other.length) {
          const extra = kept.filter((c) => !other.includes(c));
          return `most complete: ${kept.length} of ${term.columns.length} columns set${extra.length ? `, has ${extra.join(', ')}` : ''}`;
        }
        break;
      }
      case 'latest':
        if (keeper[term.column] !== runnerUp[term.column]) return `latest ${term.column}: ${keeper[term.column] ?? 'NULL'}`;
        break;
      case 'row_id':
        return term.columns.length ? `equally complete and recent: highest ${term.columns.join(', ')}` : 'equally complete and recent: last stored copy';
    }
  }
  return 'first in ranking';
}
