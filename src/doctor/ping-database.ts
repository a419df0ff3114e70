/**
 * One round trip to a database (connect, `SELECT 1`, close), read-only and bounded in time: a
 * server that does not answer fails after CONNECT_TIMEOUT_MS instead of hanging doctor. An
 * embedded directory or SQLite file that does not exist yet is reported, never created.
 */
import { existsSync } from 'node:fs';
import { DatabaseSync } from 'node:sqlite';
import pg from 'pg';
import mysql from 'mysql2/promise';
import { openPostgres } from '../db/open.ts';
import { redactUrl } from '../db/redact.ts';
import { isMysqlUrl, mysqlUrlOptions } from '../destinations/mysql/mysql-url.ts';
import { isSqliteUrl, sqlitePath } from '../destinations/sqlite/sqlite-destination.ts';

export const CONNECT_TIMEOUT_MS = 10_000;

/** A database that is not there yet: `tidemark migrate` (or the first run) creates it. */
export class NotCreatedError extends Error {
  override readonly name = 'NotCreatedError';
}

/** The data directory of a `pglite:` URL (`memory` for an in-memory one), as openPostgres reads it. */
export function pglitePath(url: string): string {
  return url.slice('pglite:'.length).replace(/^\/\//, '');
}

/** Throws NotCreatedError when the embedded directory does not exist (opening it would create it). */
export function assertPgliteExists(url: string): void {
  const path = pglitePath(url);
  if (path && path !== 'memory' && !existsSync(path)) {
    throw new NotCreatedError(`the embedded data directory ${path} does not exist yet (relative paths are from the current directory)`);
  }
}

export async function pingPostgresServer(url: string): Promise<void> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: CONNECT_TIMEOUT_MS, query_timeout: CONNECT_TIMEOUT_MS, application_name: 'tidemark-doctor' });
  client.on('error', () => undefined);
  try {
    await client.connect();
    await client.query('SELECT 1');
  } finally {
    await client.end().catch(() => undefined);
  }
}

/** Connect to a destination and run `SELECT 1`; throws what went wrong. */
export async function pingDatabase(url: string): Promise<void> {
  if (url.startsWith('pglite:')) {
    assertPgliteExists(url);
    const db = await openPostgres(url);
    try {
      await db.query('SELECT 1');
    } finally {
      await db.close();
    }
    return;
  }
  if (/^postgres(ql)?:\/\//.test(url)) return pingPostgresServer(url);
  if (isMysqlUrl(url)) {
    const connection = await mysql.createConnection({ ...mysqlUrlOptions(url), connectTimeout: CONNECT_TIMEOUT_MS });
    try {
      await connection.query('SELECT 1');
    } finally {
      await connection.end().catch(() => undefined);
    }
    return;
  }
  if (isSqliteUrl(url)) {
    const path = sqlitePath(url);
    if (path !== ':memory:' && !existsSync(path)) throw new NotCreatedError(`SQLite file ${path} does not exist yet`);
    const db = new DatabaseSync(path, { readOnly: path !== ':memory:' });
    try {
      db.prepare('SELECT 1').get();
    } finally {
      db.close();
    }
    return;
  }
  throw new Error(`unsupported destination URL "${redactUrl(url)}"`);
}
