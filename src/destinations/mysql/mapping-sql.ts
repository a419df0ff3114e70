/**
 * MySQL/MariaDB: bring a user's mapped table level with a sync's table. No data-modifying CTEs,
 * so the work is a few statements in one transaction (a fixed number, whatever the row count):
 * counts, the unmatched keys, one INSERT … SELECT … ON DUPLICATE KEY UPDATE, one removal.
 *
 * MySQL only writes a row whose assigned values differ (affected rows: 1 inserted, 2 changed,
 * 0 identical, with FOUND_ROWS off as the pool sets it), so a re-run writes nothing. Keys and
 * lookups are compared as binary text: a bigint `id` against a text shift id compares exactly
 * (mixed number/string comparison in MySQL goes through doubles and loses 64-bit ids).
 */
import type { TargetTable } from '../destination.ts';
import type { MappedScalar, MappingScope, TableMapping } from '../table-mapping.ts';
import type { BoundValue } from './mysql-pool.ts';
import { mysqlInstant } from './values.ts';
import { qualifiedName, quoteMysqlIdent as q } from './sql.ts';

export interface MysqlStatement {
  readonly sql: string;
  readonly params: BoundValue[];
}

const qualify = (schema: string | undefined, name: string) => (schema ? `${q(schema)}.${q(name)}` : q(name));
const asText = (expression: string) => `BINARY CAST(${expression} AS CHAR)`;
const scalar = (value: MappedScalar): BoundValue => (typeof value === 'boolean' ? Number(value) : value);

/** The statements of one mapping pass; each carries its own parameters. */
export interface MappingStatements {
  readonly counts: MysqlStatement;
  readonly unmatchedKeys: MysqlStatement;
  readonly upsert: MysqlStatement;
  readonly removal: MysqlStatement;
}

export function mappingStatements(source: TargetTable, mapping: TableMapping, tenantId: string, scope: MappingScope): MappingStatements {
  const target = qualify(mapping.schema, mapping.table);
  const key = q(mapping.keyColumn);
  const tenant = mapping.tenantColumn ? q(mapping.tenantColumn) : null;
  const flag = mapping.deleted.kind === 'flag' ? mapping.deleted : null;

  /** The sync table's rows in scope with each mapped value computed; `ok` = required lookups found. */
  const src = (params: BoundValue[]): string => {
    const columns = [`s.${q(source.spec.keyColumn)} AS k`, '(s.deleted_at IS NOT NULL) AS del'];
    const found: string[] = [];
    mapping.columns.forEach(([, from], i) => {
      if (from.kind === 'column') columns.push(`s.${q(from.column)} AS c${i}`);
      else if (from.kind === 'value') {
        params.push(scalar(from.value));
        columns.push(`? AS c${i}`);
      } else {
        columns.push(
          `(SELECT l.${q(from.value)} FROM ${qualify(from.schema, from.table)} AS l WHERE ${asText(`l.${q(from.match)}`)} = ${asText(`s.${q(from.from)}`)} ORDER BY 1 LIMIT 1) AS c${i}`,
        );
        if (from.required) found.push(`c${i} IS NOT NULL`);
      }
    });
    let where = 's.tenant_id = ?';
    params.push(tenantId);
    if (scope.kind === 'range') {
      if (!source.spec.windowColumn) throw new Error(`table ${source.name} has no window column`);
      const w = `s.${q(source.spec.windowColumn)}`;
      where += ` AND ${w} >= CAST(? AS DATETIME(6)) AND ${w} < CAST(? AS DATETIME(6))`;
      params.push(mysqlInstant(scope.range.start), mysqlInstant(scope.range.end));
    } else if (scope.kind === 'synced-since') {
      where += ' AND s.synced_at >= CAST(? AS DATETIME(6))';
      params.push(mysqlInstant(scope.since));
    }
    const ok = found.length ? found.join(' AND ') : 'TRUE';
    return `(SELECT y.*, (${ok}) AS ok FROM (SELECT ${columns.join(', ')} FROM ${qualifiedName(source)} AS s WHERE ${where}) AS y)`;
  };
  const sameRow = (params: BoundValue[]) => {
    if (!tenant) return `${asText(`u.${key}`)} = ${asText('x.k')}`;
    params.push(tenantId);
    return `${asText(`u.${key}`)} = ${asText('x.k')} AND u.${tenant} = ?`;
  };

  const countParams: BoundValue[] = [];
  const countSrc = src(countParams);
  const counts = {
    sql: `SELECT COALESCE(SUM(NOT x.del AND x.ok), 0) AS eligible,
  COALESCE(SUM(NOT x.del AND x.ok AND EXISTS (SELECT 1 FROM ${target} AS u WHERE ${sameRow(countParams)})), 0) AS existing,
  COALESCE(SUM(NOT x.del AND NOT x.ok), 0) AS unmatched
FROM ${countSrc} AS x`,
    params: countParams,
  };

  const keyParams: BoundValue[] = [];
  const unmatchedKeys = { sql: `SELECT CAST(x.k AS CHAR) AS k FROM ${src(keyParams)} AS x WHERE NOT x.del AND NOT x.ok ORDER BY x.k LIMIT 20`, params: keyParams };

  const upsertParams: BoundValue[] = [];
  const written = [...mapping.columns.map(([c]) => q(c)), ...(flag ? [q(flag.column)] : [])];
  const selectValues = ['x.k'];
  if (tenant) {
    selectValues.push('?');
    upsertParams.push(tenantId);
  }
  selectValues.push(...mapping.columns.map((_, i) => `x.c${i}`));
  if (flag) {
    selectValues.push('?');
    upsertParams.push(scalar(flag.live));
  }
  const upsertSrc = src(upsertParams);
  const upsert = {
    sql: `INSERT INTO ${target} (${[key, ...(tenant ? [tenant] : []), ...written].join(', ')})
SELECT ${selectValues.join(', ')} FROM ${upsertSrc} AS x WHERE NOT x.del AND x.ok
ON DUPLICATE KEY UPDATE ${written.map((c) => `${c} = VALUES(${c})`).join(', ')}`,
    params: upsertParams,
  };

  const removalParams: BoundValue[] = [];
  let removal: MysqlStatement;
  if (flag) {
    // Placeholders in text order: the JOIN's source and row match, then SET, then WHERE.
    const removalSrc = src(removalParams);
    const same = sameRow(removalParams);
    removalParams.push(scalar(flag.deleted), scalar(flag.deleted));
    removal = {
      sql: `UPDATE ${target} AS u JOIN ${removalSrc} AS x ON ${same} SET u.${q(flag.column)} = ? WHERE x.del AND NOT (u.${q(flag.column)} <=> ?)`,
      params: removalParams,
    };
  } else {
    const removalSrc = src(removalParams);
    removal = { sql: `DELETE u FROM ${target} AS u JOIN ${removalSrc} AS x ON ${sameRow(removalParams)} WHERE x.del`, params: removalParams };
  }
  return { counts, unmatchedKeys, upsert, removal };
}
