/** The destination's dialect, from its URL, and the `repair tz-shift` implementation for it. */
import type { TargetTable } from '../../destinations/destination.ts';
import { isPostgresUrl } from '../../db/open.ts';
import { redactUrl } from '../../db/redact.ts';
import { isMysqlUrl } from '../../destinations/mysql/mysql-url.ts';
import { isSqliteUrl } from '../../destinations/sqlite/sqlite-destination.ts';
import type { TzShiftDatabase } from './database.ts';
import { openPostgresTzShift } from './postgres.ts';
import { openMysqlTzShift } from './mysql.ts';
import { openSqliteTzShift } from './sqlite.ts';
import { TzShiftTargetError } from './target-error.ts';

export type TzShiftDialect = 'postgres' | 'mysql' | 'sqlite';

/** Postgres and PGlite, MySQL and MariaDB, SQLite; anything else is refused (exit 2). */
export function tzShiftDialect(url: string): TzShiftDialect {
  if (isPostgresUrl(url)) return 'postgres';
  if (isMysqlUrl(url)) return 'mysql';
  if (isSqliteUrl(url)) return 'sqlite';
  throw new TzShiftTargetError(`repair tz-shift works on Postgres, PGlite, MySQL/MariaDB and SQLite destinations; "${redactUrl(url)}" is none of them`);
}

export async function openTzShiftDatabase(url: string, table: TargetTable, tenantId: string): Promise<TzShiftDatabase> {
  switch (tzShiftDialect(url)) {
    case 'postgres':
      return openPostgresTzShift(url, table, tenantId);
    case 'mysql':
      return openMysqlTzShift(url, table, tenantId);
    case 'sqlite':
      return openSqliteTzShift(url, table, tenantId);
  }
}
