/**
 * The statements of `repair dedupe`, for Postgres (and PGlite) and MySQL/MariaDB. Every identifier
 * goes through a validating quote; values (the listing's limit) are bound parameters. The ranking
 * SQL is portable: `(c IS NULL)` orders non-null first on both, CASE counts non-null columns.
 */
import { assertIdentifier, quoteIdent } from '../../db/identifiers.ts';
import { quoteMysqlIdent } from '../../destinations/mysql/sql.ts';
import type { RankTerm } from './keeper.ts';
import type { TableShape } from './target.ts';

export type DedupeDialect = 'postgres' | 'mysql';

/** Column aliases the queries add; prefixed so they cannot meet a user's column. */
export const RANK_ALIAS = 'tidemark_rank';
export const CTID_ALIAS = 'tidemark_ctid';

function quote(dialect: DedupeDialect, name: string): string {
  return dialect === 'postgres' ? quoteIdent(name) : quoteMysqlIdent(name);
}

function param(dialect: DedupeDialect, position: number): string {
  return dialect === 'postgres' ? `$${position}` : '?';
}

export function tableRef(dialect: DedupeDialect, schema: string | undefined, table: string): string {
  return schema ? `${quote(dialect, schema)}.${quote(dialect, table)}` : quote(dialect, table);
}

function columnsOf(dialect: DedupeDialect, alias: string, columns: readonly string[]): string {
  return columns.map((c) => `${alias}.${quote(dialect, c)}`).join(', ');
}

/** Rows whose key has a NULL are never copies of each other (a unique constraint allows them too). */
function keyNotNull(dialect: DedupeDialect, alias: string, key: readonly string[]): string {
  return key.map((c) => `${alias}.${quote(dialect, c)} IS NOT NULL`).join(' AND ');
}

/** The key values that occur more than once: the duplicate groups. */
function duplicateKeys(dialect: DedupeDialect, shape: TableShape, key: readonly string[]): string {
  return `SELECT ${columnsOf(dialect, 'k', key)} FROM ${tableRef(dialect, shape.schema, shape.table)} AS k
    WHERE ${keyNotNull(dialect, 'k', key)} GROUP BY ${columnsOf(dialect, 'k', key)} HAVING COUNT(*) > 1`;
}

function rankOrder(dialect: DedupeDialect, terms: readonly RankTerm[], alias: string): string {
  const col = (c: string) => `${alias}.${quote(dialect, c)}`;
  return terms
    .flatMap((term) => {
      switch (term.kind) {
        case 'non_null':
          return [`(${col(term.column)} IS NULL)`];
        case 'completeness':
          return [`(${term.columns.map((c) => `CASE WHEN ${col(c)} IS NULL THEN 0 ELSE 1 END`).join(' + ')}) DESC`];
        case 'latest':
          return [`(${col(term.column)} IS NULL)`, `${col(term.column)} DESC`];
        case 'row_id':
          return term.columns.length ? term.columns.map((c) => `${col(c)} DESC`) : [`${alias}.ctid DESC`];
      }
    })
    .join(', ');
}

/** The rank of each row in its group: 1 is the keeper. */
function rankColumn(dialect: DedupeDialect, key: readonly string[], terms: readonly RankTerm[], alias: string): string {
  return `ROW_NUMBER() OVER (PARTITION BY ${columnsOf(dialect, alias, key)} ORDER BY ${rankOrder(dialect, terms, alias)}) AS ${RANK_ALIAS}`;
}

/** One row: `duplicate_groups` and `duplicate_rows` (every row in a group, the keepers included). */
export function summarySql(dialect: DedupeDialect, shape: TableShape, key: readonly string[]): string {
  return `SELECT COUNT(*) AS duplicate_groups, COALESCE(SUM(g.n), 0) AS duplicate_rows FROM (
    SELECT COUNT(*) AS n FROM ${tableRef(dialect, shape.schema, shape.table)} AS k
    WHERE ${keyNotNull(dialect, 'k', key)} GROUP BY ${columnsOf(dialect, 'k', key)} HAVING COUNT(*) > 1) AS g`;
}

/** Every row of the first `$1` groups (in key order), each with its rank; Postgres adds the ctid. */
export function listGroupsSql(dialect: DedupeDialect, shape: TableShape, key: readonly string[], terms: readonly RankTerm[]): string {
  const on = key.map((c) => `t.${quote(dialect, c)} = g.${quote(dialect, c)}`).join(' AND ');
  const ctid = dialect === 'postgres' ? `, t.ctid::text AS ${CTID_ALIAS}` : '';
  return `SELECT t.*${ctid}, ${rankColumn(dialect, key, terms, 't')}
    FROM ${tableRef(dialect, shape.schema, shape.table)} AS t
    JOIN (${duplicateKeys(dialect, shape, key)} ORDER BY ${columnsOf(dialect, 'k', key)} LIMIT ${param(dialect, 1)}) AS g ON ${on}
    ORDER BY ${columnsOf(dialect, 't', key)}, ${RANK_ALIAS}`;
}

function inDuplicateGroups(dialect: DedupeDialect, shape: TableShape, key: readonly string[]): string {
  return `(${columnsOf(dialect, 't', key)}) IN (${duplicateKeys(dialect, shape, key)})`;
}

// ---- Postgres: one transaction, the table locked against writers for its length ----

/** Readers go on; writers (a sync) wait, so the groups cannot change between backup and delete. */
export function lockTableSql(shape: TableShape): string {
  return `LOCK TABLE ${tableRef('postgres', shape.schema, shape.table)} IN SHARE ROW EXCLUSIVE MODE`;
}

export function postgresBackupSql(shape: TableShape, key: readonly string[], backup: string): string {
  return `CREATE TABLE ${tableRef('postgres', shape.schema, backup)} AS
    SELECT t.* FROM ${tableRef('postgres', shape.schema, shape.table)} AS t WHERE ${inDuplicateGroups('postgres', shape, key)}`;
}

/** Rows are told apart by ctid, so even identical copies without a primary key are deleted exactly. */
export function postgresDeleteSql(shape: TableShape, key: readonly string[], terms: readonly RankTerm[]): string {
  return `DELETE FROM ${tableRef('postgres', shape.schema, shape.table)} AS d USING (
    SELECT t.ctid AS ${CTID_ALIAS}, ${rankColumn('postgres', key, terms, 't')}
    FROM ${tableRef('postgres', shape.schema, shape.table)} AS t WHERE ${inDuplicateGroups('postgres', shape, key)}) AS r
    WHERE d.ctid = r.${CTID_ALIAS} AND r.${RANK_ALIAS} > 1`;
}

// ---- MySQL/MariaDB: DDL commits implicitly, so the backup table is created before the transaction ----

export function mysqlCreateBackupSql(shape: TableShape, backup: string): string {
  return `CREATE TABLE ${tableRef('mysql', shape.schema, backup)} LIKE ${tableRef('mysql', shape.schema, shape.table)}`;
}

/** Locks the rows of the groups (READ COMMITTED keeps locks on matching rows only) until COMMIT. */
export function mysqlLockGroupsSql(shape: TableShape, key: readonly string[]): string {
  return `SELECT COUNT(*) AS n FROM ${tableRef('mysql', shape.schema, shape.table)} AS t WHERE ${inDuplicateGroups('mysql', shape, key)} FOR UPDATE`;
}

export function mysqlCopyToBackupSql(shape: TableShape, key: readonly string[], backup: string): string {
  return `INSERT INTO ${tableRef('mysql', shape.schema, backup)}
    SELECT t.* FROM ${tableRef('mysql', shape.schema, shape.table)} AS t WHERE ${inDuplicateGroups('mysql', shape, key)}`;
}

/**
 * Ranked in the backup (the same rows, copied under lock): MySQL cannot read the table a DELETE
 * writes in a subquery. Rows are matched by primary key, which MySQL dedupe requires.
 */
export function mysqlDeleteSql(shape: TableShape, key: readonly string[], terms: readonly RankTerm[], backup: string): string {
  const on = shape.primaryKey.map((c) => `d.${quoteMysqlIdent(c)} = r.${quoteMysqlIdent(c)}`).join(' AND ');
  return `DELETE d FROM ${tableRef('mysql', shape.schema, shape.table)} AS d JOIN (
    SELECT ${columnsOf('mysql', 't', shape.primaryKey)}, ${rankColumn('mysql', key, terms, 't')}
    FROM ${tableRef('mysql', shape.schema, backup)} AS t) AS r ON ${on}
    WHERE r.${RANK_ALIAS} > 1`;
}

/** `n`: the rows of a table (PGlite reports no row count for CREATE TABLE … AS). */
export function countRowsSql(dialect: DedupeDialect, schema: string | undefined, table: string): string {
  return `SELECT COUNT(*) AS n FROM ${tableRef(dialect, schema, table)}`;
}

export function dropTableSql(dialect: DedupeDialect, schema: string | undefined, table: string): string {
  return `DROP TABLE IF EXISTS ${tableRef(dialect, schema, table)}`;
}

// ---- both ----

export function addUniqueSql(dialect: DedupeDialect, shape: TableShape, key: readonly string[], name: string): string {
  return `ALTER TABLE ${tableRef(dialect, shape.schema, shape.table)} ADD CONSTRAINT ${quote(dialect, assertIdentifier(name, 'constraint name'))} UNIQUE (${key.map((c) => quote(dialect, c)).join(', ')})`;
}
