/**
 * One error shape for database failures, whatever the driver said (STYLE habit 6, after Drizzle):
 * a unique violation is `kind: 'unique_violation'` whether Postgres said 23505, MySQL 1062 or SQLite
 * SQLITE_CONSTRAINT_UNIQUE, and the driver's error is kept as `cause`.
 */
export type DatabaseErrorKind = 'unique_violation' | 'undefined_table' | 'undefined_column' | 'connection' | 'other';

export class DatabaseError extends Error {
  override readonly name = 'DatabaseError';
  readonly kind: DatabaseErrorKind;
  readonly table: string | undefined;
  readonly constraint: string | undefined;
  readonly dialect: string;

  constructor(message: string, options: { kind: DatabaseErrorKind; table?: string; constraint?: string; dialect: string; cause: unknown }) {
    super(message, { cause: options.cause });
    this.kind = options.kind;
    this.table = options.table;
    this.constraint = options.constraint;
    this.dialect = options.dialect;
  }
}

interface DriverError {
  code?: unknown;
  errno?: unknown;
  /** node:sqlite's extended result code. */
  errcode?: unknown;
  constraint?: unknown;
  table?: unknown;
  message?: unknown;
}

// node:sqlite: every error is code ERR_SQLITE_ERROR; the extended result code tells them apart
// (2067 SQLITE_CONSTRAINT_UNIQUE, 1555 SQLITE_CONSTRAINT_PRIMARYKEY, 1 SQLITE_ERROR with a message).
const SQLITE_UNIQUE = [2067, 1555];

function kindOf(error: DriverError): DatabaseErrorKind {
  const code = String(error.code ?? '');
  const message = typeof error.message === 'string' ? error.message : '';
  const sqlite = code === 'ERR_SQLITE_ERROR';
  if (code === '23505' || error.errno === 1062 || code === 'ER_DUP_ENTRY' || code === 'SQLITE_CONSTRAINT_UNIQUE' || code === 'SQLITE_CONSTRAINT_PRIMARYKEY') return 'unique_violation';
  if (sqlite && SQLITE_UNIQUE.includes(Number(error.errcode))) return 'unique_violation';
  if (code === '42P01' || code === 'ER_NO_SUCH_TABLE' || (sqlite && message.startsWith('no such table'))) return 'undefined_table';
  if (code === '42703' || code === 'ER_BAD_FIELD_ERROR' || (sqlite && /^(no such column|table \S+ has no column named)/.test(message))) return 'undefined_column';
  if (['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'ENOTFOUND', 'PROTOCOL_CONNECTION_LOST', '57P01', '08006', '08001'].includes(code)) return 'connection';
  return 'other';
}

/** The constraint a MySQL duplicate names (`… for key 'PRIMARY'`, MySQL 8: `'table.PRIMARY'`). */
function mysqlConstraint(error: DriverError): string | undefined {
  if (error.errno !== 1062 || typeof error.message !== 'string') return undefined;
  return /for key '(?:[^'.]+\.)?([^']+)'/.exec(error.message)?.[1];
}

export function normalizeDatabaseError(error: unknown, context: { table?: string; dialect: string }): DatabaseError {
  if (error instanceof DatabaseError) return error;
  const driver = (typeof error === 'object' && error !== null ? error : {}) as DriverError;
  const kind = kindOf(driver);
  const table = typeof driver.table === 'string' ? driver.table : context.table;
  const constraint = typeof driver.constraint === 'string' ? driver.constraint : mysqlConstraint(driver);
  const detail = typeof driver.message === 'string' ? driver.message : String(error);
  const hint: Record<DatabaseErrorKind, string> = {
    unique_violation: 'two rows claim the same identity; the table needs its primary key (tenant_id, <upstream id>) as `tidemark migrate` creates it',
    undefined_table: 'the destination table is missing; run `tidemark migrate`',
    undefined_column: 'the destination table lacks a column this stream writes; compare it with the stream\'s table in docs/connectors',
    connection: 'the destination database is unreachable; check its URL and that it is running',
    other: 'see the cause below',
  };
  return new DatabaseError(`${context.dialect} ${table ? `table ${table}: ` : ''}${detail} (${hint[kind]})`, {
    kind,
    ...(table ? { table } : {}),
    ...(constraint ? { constraint } : {}),
    dialect: context.dialect,
    cause: error,
  });
}
