/**
 * Read the table's columns, primary key and unique keys from the catalogue, so that every column a
 * statement names is known to exist and "a unique key on the identity already exists" is a fact.
 */
import type { DedupeDialect } from './sql.ts';
import type { TableShape } from './target.ts';
import { DedupeTargetError } from './target.ts';

export type RowReader = <Row>(sql: string, params: readonly (string | number | null)[]) => Promise<Row[]>;

// Postgres: the schema defaults to the first one on the search path, as an unqualified name would.
const PG_TABLE = `SELECT c.oid, n.nspname AS schema FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace
  WHERE n.nspname = COALESCE($1, current_schema()) AND c.relname = $2 AND c.relkind IN ('r', 'p')`;
const PG_COLUMNS = `SELECT attname AS name FROM pg_attribute WHERE attrelid = $1 AND attnum > 0 AND NOT attisdropped ORDER BY attnum`;
// Partial and expression indexes do not make the key unique for every row: left out.
const PG_UNIQUE = `SELECT ic.relname AS name, i.indisprimary AS is_primary,
    array_to_string(ARRAY(SELECT a.attname FROM unnest(i.indkey) AS k(attnum)
      JOIN pg_attribute a ON a.attrelid = i.indrelid AND a.attnum = k.attnum), ',') AS columns
  FROM pg_index i JOIN pg_class ic ON ic.oid = i.indexrelid
  WHERE i.indrelid = $1 AND i.indisunique AND i.indpred IS NULL AND i.indexprs IS NULL`;

const MYSQL_COLUMNS = `SELECT COLUMN_NAME AS name FROM information_schema.COLUMNS
  WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`;
// SUB_PART: a prefix index on a long text column is not unique on the whole value.
const MYSQL_UNIQUE = `SELECT INDEX_NAME AS name, GROUP_CONCAT(COLUMN_NAME ORDER BY SEQ_IN_INDEX) AS columns,
    SUM(SUB_PART IS NOT NULL) AS prefixed
  FROM information_schema.STATISTICS
  WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 GROUP BY INDEX_NAME`;

function missingTable(schema: string | undefined, table: string, dialect: DedupeDialect): DedupeTargetError {
  const where = schema ? `${dialect === 'postgres' ? 'schema' : 'database'} ${schema}` : `the connection's current ${dialect === 'postgres' ? 'schema' : 'database'}`;
  const hint = dialect === 'postgres' ? 'check --table, and --schema (or the destination\'s schema)' : 'check --table, and the database in the URL (or --schema)';
  return new DedupeTargetError(`table ${table} not found in ${where}; ${hint}`);
}

async function inspectPostgres(read: RowReader, schema: string | undefined, table: string): Promise<TableShape> {
  const [found] = await read<{ oid: number; schema: string }>(PG_TABLE, [schema ?? null, table]);
  if (!found) throw missingTable(schema, table, 'postgres');
  const columns = await read<{ name: string }>(PG_COLUMNS, [found.oid]);
  const unique = await read<{ name: string; is_primary: boolean; columns: string }>(PG_UNIQUE, [found.oid]);
  return {
    schema: found.schema,
    table,
    columns: columns.map((c) => c.name),
    primaryKey: unique.find((u) => u.is_primary)?.columns.split(',') ?? [],
    uniqueKeys: unique.map((u) => ({ name: u.name, columns: u.columns.split(',') })),
  };
}

async function inspectMysql(read: RowReader, schema: string | undefined, table: string): Promise<TableShape> {
  const columns = await read<{ name: string }>(MYSQL_COLUMNS, [schema ?? null, table]);
  if (columns.length === 0) throw missingTable(schema, table, 'mysql');
  const unique = (await read<{ name: string; columns: string; prefixed: string | number }>(MYSQL_UNIQUE, [schema ?? null, table])).filter(
    (u) => Number(u.prefixed) === 0,
  );
  return {
    schema,
    table,
    columns: columns.map((c) => c.name),
    primaryKey: unique.find((u) => u.name === 'PRIMARY')?.columns.split(',') ?? [],
    uniqueKeys: unique.map((u) => ({ name: u.name, columns: u.columns.split(',') })),
  };
}

export function inspectTable(dialect: DedupeDialect, read: RowReader, schema: string | undefined, table: string): Promise<TableShape> {
  return dialect === 'postgres' ? inspectPostgres(read, schema, table) : inspectMysql(read, schema, table);
}

/** The unique key (or primary key) whose columns are exactly `key`, in any order. */
export function existingUniqueKey(shape: TableShape, key: readonly string[]): string | undefined {
  const wanted = [...key].sort().join(',');
  return shape.uniqueKeys.find((u) => [...u.columns].sort().join(',') === wanted)?.name;
}
