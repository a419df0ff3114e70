/** A read-only inspector for a destination URL, whatever its dialect. */
import { isPostgresUrl, openPostgres } from '../db/open.ts';
import { redactUrl } from '../db/redact.ts';
import { isMysqlUrl } from '../destinations/mysql/mysql-url.ts';
import { isSqliteUrl, sqlitePath } from '../destinations/sqlite/sqlite-destination.ts';
import { postgresInspector } from './inspect-postgres.ts';
import { mysqlInspector } from './inspect-mysql.ts';
import { sqliteInspector } from './inspect-sqlite.ts';
import type { TableInspector } from './table-inspection.ts';

export async function openInspector(url: string): Promise<TableInspector> {
  if (isPostgresUrl(url)) return postgresInspector(await openPostgres(url, { max: 1, applicationName: 'tidemark-doctor' }));
  if (isMysqlUrl(url)) return mysqlInspector(url);
  if (isSqliteUrl(url)) return sqliteInspector(sqlitePath(url));
  throw new Error(`unsupported destination URL "${redactUrl(url)}"`);
}
