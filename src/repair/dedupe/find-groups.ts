/**
 * The dry run: check the request against the table, count the duplicate groups on the key, and
 * list the first few with the row each would keep and why. Reads only.
 */
import type { DedupeConnection } from './connection.ts';
import type { DedupeRequest, TableShape } from './target.ts';
import type { ListedRow, RankTerm } from './keeper.ts';
import { DedupeTargetError, tableLabel } from './target.ts';
import { describeRanking, explainKeeper, rankingFor } from './keeper.ts';
import { existingUniqueKey, inspectTable } from './catalog.ts';
import { CTID_ALIAS, listGroupsSql, RANK_ALIAS, summarySql } from './sql.ts';

export interface ListedGroup {
  /** The key's values, as text. */
  readonly key: Readonly<Record<string, string | null>>;
  readonly rows: number;
  /** The kept row, by primary key (`id=4`) or, without one, by ctid. */
  readonly keep: string;
  readonly reason: string;
}

export interface DedupePlan {
  readonly shape: TableShape;
  readonly key: readonly string[];
  readonly terms: readonly RankTerm[];
  /** The ranking in words. */
  readonly ranking: string;
  readonly groups: number;
  /** Rows in the groups, the keepers included. */
  readonly duplicateRows: number;
  readonly rowsToDelete: number;
  /** The first groups in key order, at most the listing limit. */
  readonly listed: readonly ListedGroup[];
  /** The unique key already on exactly these columns, if any. */
  readonly existingConstraint: string | undefined;
  /** The name the constraint gets when it is added: `<table>_<cols>_key`. */
  readonly constraintName: string;
}

function text(value: unknown): string | null {
  if (value === null || value === undefined) return null;
  if (value instanceof Date) return value.toISOString();
  return String(value);
}

function checkRequest(request: DedupeRequest, shape: TableShape, dialect: DedupeConnection['dialect']): void {
  const missing = request.key.filter((c) => !shape.columns.includes(c));
  if (missing.length) {
    throw new DedupeTargetError(`--key: column${missing.length > 1 ? 's' : ''} ${missing.map((c) => `"${c}"`).join(', ')} ${missing.length > 1 ? 'are' : 'is'} not in table ${tableLabel(shape)} (its columns: ${shape.columns.join(', ')})`);
  }
  if (dialect === 'mysql' && shape.primaryKey.length === 0) {
    // Without a primary key MySQL has no way to delete one of two identical rows and keep the other.
    throw new DedupeTargetError(
      `table ${tableLabel(shape)} has no primary key, which MySQL needs to tell copies apart; add one first: ` +
        `ALTER TABLE ${shape.table} ADD COLUMN row_id BIGINT AUTO_INCREMENT PRIMARY KEY`,
    );
  }
}

function rowLabel(shape: TableShape, row: Record<string, unknown>): string {
  if (shape.primaryKey.length === 0) return `ctid ${text(row[CTID_ALIAS])}`;
  return shape.primaryKey.map((c) => `${c}=${text(row[c])}`).join(', ');
}

function groupRows(shape: TableShape, key: readonly string[], terms: readonly RankTerm[], raw: Record<string, unknown>[]): ListedGroup[] {
  const groups: Record<string, unknown>[][] = [];
  for (const row of raw) {
    if (Number(row[RANK_ALIAS]) === 1) groups.push([]);
    groups.at(-1)?.push(row);
  }
  const listed = (row: Record<string, unknown>): ListedRow => Object.fromEntries(shape.columns.map((c) => [c, text(row[c])]));
  return groups.map((rows) => {
    const [keeper, runnerUp] = rows as [Record<string, unknown>, Record<string, unknown>];
    return {
      key: Object.fromEntries(key.map((c) => [c, text(keeper[c])])),
      rows: rows.length,
      keep: rowLabel(shape, keeper),
      reason: explainKeeper(terms, listed(keeper), listed(runnerUp)),
    };
  });
}

/** Inspect, count and list; throws DedupeTargetError when the table or a column is not there. */
export async function planDedupe(connection: DedupeConnection, request: DedupeRequest, listLimit: number): Promise<DedupePlan> {
  const shape = await inspectTable(connection.dialect, connection.read, request.schema, request.table);
  checkRequest(request, shape, connection.dialect);
  const terms = rankingFor(request, shape);
  const [summary] = await connection.read<{ duplicate_groups: string | number; duplicate_rows: string | number }>(summarySql(connection.dialect, shape, request.key), []);
  const groups = Number(summary?.duplicate_groups ?? 0);
  const duplicateRows = Number(summary?.duplicate_rows ?? 0);
  const raw = groups > 0 && listLimit > 0
    ? await connection.read<Record<string, unknown>>(listGroupsSql(connection.dialect, shape, request.key, terms), [listLimit])
    : [];
  return {
    shape,
    key: request.key,
    terms,
    ranking: describeRanking(terms),
    groups,
    duplicateRows,
    rowsToDelete: duplicateRows - groups,
    listed: groupRows(shape, request.key, terms, raw),
    existingConstraint: existingUniqueKey(shape, request.key),
    constraintName: `${shape.table}_${request.key.join('_')}_key`,
  };
}
