/** Open a destination from its URL: Postgres or PGlite, MySQL or MariaDB, SQLite. */
import type { Destination } from './destination.ts';
import { openPostgres, isPostgresUrl } from '../db/open.ts';
import { PostgresDestination } from './postgres/postgres-destination.ts';
import { MysqlDestination } from './mysql/mysql-destination.ts';
import { isMysqlUrl } from './mysql/mysql-url.ts';
import { isSqliteUrl, SqliteDestination } from './sqlite/sqlite-destination.ts';
import { redactUrl } from '../db/redact.ts';

export async function openDestination(url: string): Promise<Destination> {
  if (isPostgresUrl(url)) return new PostgresDestination(await openPostgres(url, { max: 4, applicationName: 'tidemark-destination' }));
  if (isMysqlUrl(url)) return new MysqlDestination(url);
  if (isSqliteUrl(url)) return new SqliteDestination(url);
  throw new Error(
    `unsupported destination URL "${redactUrl(url)}": use postgres://user@host:5432/db, pglite:PATH, mysql://user@host:3306/db (or mariadb://…), or sqlite:PATH`,
  );
}
