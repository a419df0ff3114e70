/**
 * Postgres: bring a user's mapped table level with a sync's table in one statement. Data-modifying
 * CTEs share one snapshot, so the upsert, the removals and the counts see the same rows.
 *
 * Every value written is cast to the user's column type (read from the catalog): a text shift id
 * into a bigint `id`, an instant into a naive `timestamp` as its UTC wall clock (never through the
 * session's zone, which is how clock times end up 6 hours off).
 */
import type { TargetTable } from '../destination.ts';
import type { MappedScalar, MappingScope, TableMapping } from '../table-mapping.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import { qualifiedName } from './sql.ts';

/** The user's column types by name, as `format_type` spells them. */
export interface MappingTypes {
  readonly target: ReadonlyMap<string, string>;
}

export interface MappingStatement {
  readonly sql: string;
  readonly params: unknown[];
}

const qualify = (schema: string | undefined, name: string) => (schema ? `${quoteIdent(schema)}.${quoteIdent(name)}` : quoteIdent(name));

export function targetTypesSql(): string {
  return `SELECT a.attname AS name, format_type(a.atttypid, a.atttypmod) AS type
FROM pg_attribute a WHERE a.attrelid = to_regclass($1) AND a.attnum > 0 AND NOT a.attisdropped`;
}

/** The mapped table's name as `to_regclass` reads it. */
export function mappedTableText(mapping: TableMapping): string {
  return qualify(mapping.schema, mapping.table);
}

export function mappingStatement(source: TargetTable, mapping: TableMapping, types: MappingTypes, tenantId: string, scope: MappingScope): MappingStatement {
  const params: unknown[] = [tenantId];
  const bind = (value: unknown) => {
    params.push(value);
    return `$${params.length}`;
  };
  const typeOf = (column: string) => {
    const type = types.target.get(column);
    if (!type) throw new Error(`mapped table ${mapping.table} has no column ${column}`);
    return type;
  };
  const constant = (value: MappedScalar, column: string) => (value === null ? `NULL::${typeOf(column)}` : `${bind(String(value))}::text::${typeOf(column)}`);
  const sourceType = (column: string) => source.spec.columns.find((c) => c.name === column)?.type;

  let scopeSql = '';
  if (scope.kind === 'range') {
    if (!source.spec.windowColumn) throw new Error(`table ${source.name} has no window column`);
    const w = `s.${quoteIdent(source.spec.windowColumn)}`;
    scopeSql = ` AND ${w} >= ${bind(scope.range.start.toISOString())} AND ${w} < ${bind(scope.range.end.toISOString())}`;
  } else if (scope.kind === 'synced-since') {
    scopeSql = ` AND s.synced_at >= ${bind(scope.since.toISOString())}`;
  }

  const srcColumns: string[] = [`s.${quoteIdent(source.spec.keyColumn)}::text AS __key`, 's.deleted_at IS NOT NULL AS __deleted'];
  const matched: string[] = [];
  mapping.columns.forEach(([column, from], i) => {
    const type = typeOf(column);
    let expression: string;
    if (from.kind === 'column') {
      const naive = sourceType(from.column) === 'instant' && type === 'timestamp without time zone';
      expression = naive ? `(s.${quoteIdent(from.column)} AT TIME ZONE 'UTC')` : `s.${quoteIdent(from.column)}`;
      expression = `${expression}::${type}`;
    } else if (from.kind === 'value') {
      expression = constant(from.value, column);
    } else {
      const lookup = qualify(from.schema, from.table);
      // One row per source row whatever the lookup holds (a duplicate match must not duplicate the
      // upsert's input); doctor reports a lookup column without a unique key.
      expression = `(SELECT l.${quoteIdent(from.value)} FROM ${lookup} AS l WHERE l.${quoteIdent(from.match)}::text = s.${quoteIdent(from.from)}::text ORDER BY 1 LIMIT 1)::${type}`;
      if (from.required) matched.push(`src.c${i} IS NOT NULL`);
    }
    srcColumns.push(`${expression} AS c${i}`);
  });

  const target = qualify(mapping.schema, mapping.table);
  const key = quoteIdent(mapping.keyColumn);
  const keyType = typeOf(mapping.keyColumn);
  const tenant = mapping.tenantColumn ? quoteIdent(mapping.tenantColumn) : null;
  const tenantValue = mapping.tenantColumn ? `$1::text::${typeOf(mapping.tenantColumn)}` : null;
  const flag = mapping.deleted.kind === 'flag' ? mapping.deleted : null;

  const insertColumns = [key, ...(tenant ? [tenant] : []), ...mapping.columns.map(([c]) => quoteIdent(c)), ...(flag ? [quoteIdent(flag.column)] : [])];
  const selectValues = [
    `src.__key::${keyType}`,
    ...(tenantValue ? [tenantValue] : []),
    ...mapping.columns.map((_, i) => `src.c${i}`),
    ...(flag ? [constant(flag.live, flag.column)] : []),
  ];
  const updated = [...mapping.columns.map(([c]) => quoteIdent(c)), ...(flag ? [quoteIdent(flag.column)] : [])];
  const conflict = tenant ? `${tenant}, ${key}` : key;
  const isMatched = matched.length ? matched.join(' AND ') : 'true';
  const sameRow = `u.${key} = src.__key::${keyType}${tenant ? ` AND u.${tenant} = ${tenantValue}` : ''}`;
  const removal = flag
    ? `UPDATE ${target} AS u SET ${quoteIdent(flag.column)} = ${constant(flag.deleted, flag.column)} FROM src
  WHERE src.__deleted AND ${sameRow} AND u.${quoteIdent(flag.column)} IS DISTINCT FROM ${constant(flag.deleted, flag.column)}
  RETURNING 1`
    : `DELETE FROM ${target} AS u USING src WHERE src.__deleted AND ${sameRow} RETURNING 1`;

  const sql = `WITH src AS MATERIALIZED (
  SELECT ${srcColumns.join(',\n    ')}
  FROM ${qualifiedName(source)} AS s
  WHERE s.tenant_id = $1${scopeSql}
), up AS (
  INSERT INTO ${target} AS u (${insertColumns.join(', ')})
  SELECT ${selectValues.join(', ')} FROM src WHERE NOT src.__deleted AND ${isMatched}
  ON CONFLICT (${conflict}) DO UPDATE SET ${updated.map((c) => `${c} = excluded.${c}`).join(', ')}
  WHERE ROW(${updated.map((c) => `u.${c}`).join(', ')}) IS DISTINCT FROM ROW(${updated.map((c) => `excluded.${c}`).join(', ')})
  RETURNING (xmax = 0) AS inserted
), gone AS (
  ${removal}
)
SELECT (SELECT count(*) FILTER (WHERE inserted) FROM up)::int AS inserted,
  (SELECT count(*) FILTER (WHERE NOT inserted) FROM up)::int AS updated,
  (SELECT count(*) FROM gone)::int AS removed,
  (SELECT count(*) FROM src WHERE NOT src.__deleted AND NOT (${isMatched}))::int AS unmatched,
  ARRAY(SELECT src.__key FROM src WHERE NOT src.__deleted AND NOT (${isMatched}) ORDER BY 1 LIMIT 20) AS unmatched_keys`;
  return { sql, params };
}
