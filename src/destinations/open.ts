/** Open a destination from its URL. MySQL and SQLite join here (issue 3). */
import type { Destination } from './destination.ts';
import { openPostgres, isPostgresUrl } from '../db/open.ts';
import { PostgresDestination } from './postgres/postgres-destination.ts';
import { redactUrl } from '../db/redact.ts';

export async function openDestination(url: string): Promise<Destination> {
  if (isPostgresUrl(url)) return new PostgresDestination(await openPostgres(url, { max: 4, applicationName: 'tidemark-destination' }));
  throw new Error(`unsupported destination URL "${redactUrl(url)}": use postgres://user@host:5432/db or pglite:PATH`);
}
