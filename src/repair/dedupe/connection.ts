/**
 * The database `repair dedupe` works on, opened from a destination URL: Postgres or PGlite through
 * SqlClient, MySQL/MariaDB through the destination's own pool (UTC session, strict mode). Reading
 * is shared; applying differs by dialect because MySQL commits DDL implicitly (see apply-*.ts).
 */
import type { SqlClient } from '../../db/sql-client.ts';
import { isPostgresUrl, openPostgres } from '../../db/open.ts';
import { redactUrl } from '../../db/redact.ts';
import { MysqlPool } from '../../destinations/mysql/mysql-pool.ts';
import { isMysqlUrl, mysqlUrlOptions } from '../../destinations/mysql/mysql-url.ts';
import type { RowReader } from './catalog.ts';
import { DedupeTargetError } from './target.ts';

export type DedupeConnection =
  | { readonly dialect: 'postgres'; readonly description: string; readonly read: RowReader; readonly client: SqlClient; close(): Promise<void> }
  | { readonly dialect: 'mysql'; readonly description: string; readonly read: RowReader; readonly pool: MysqlPool; close(): Promise<void> };

export async function openDedupeConnection(url: string): Promise<DedupeConnection> {
  if (isPostgresUrl(url)) {
    const client = await openPostgres(url, { max: 2, applicationName: 'tidemark-repair' });
    return {
      dialect: 'postgres',
      description: client.description,
      client,
      read: async <Row>(sql: string, params: readonly (string | number | null)[]) => (await client.query<Row>(sql, params)).rows,
      close: () => client.close(),
    };
  }
  if (isMysqlUrl(url)) {
    const pool = new MysqlPool(mysqlUrlOptions(url));
    return {
      dialect: 'mysql',
      description: redactUrl(url),
      pool,
      read: <Row>(sql: string, params: readonly (string | number | null)[]) => pool.session((s) => s.rows<Row>(sql, params)),
      close: () => pool.close(),
    };
  }
  // SQLite has no ALTER TABLE … ADD CONSTRAINT; its dedupe is not built yet.
  throw new DedupeTargetError(`repair dedupe works on Postgres, PGlite and MySQL/MariaDB; "${redactUrl(url)}" is none of them`);
}

