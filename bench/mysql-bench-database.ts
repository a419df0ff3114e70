/**
 * The MariaDB/MySQL the benchmark runs against: one fresh database per bench run (`bench_<random>`,
 * dropped after), reached directly for setup and checks, and the server's `local_infile` switched on
 * for the LOAD DATA LOCAL baseline when it is off (and put back afterwards).
 */
import mysql from 'mysql2/promise';
import type { Connection, RowDataPacket } from 'mysql2/promise';
import { benchSchemaName } from './bench-database.ts';

export const BENCH_MYSQL_URL = process.env.TIDEMARK_BENCH_MYSQL_URL ?? process.env.TIDEMARK_TEST_MYSQL_URL ?? 'mysql://root@127.0.0.1:3306';

/** `url` (server only) with `database` as its path. */
export function mysqlDatabaseUrl(url: string, database: string): string {
  const parsed = new URL(url);
  parsed.pathname = `/${database}`;
  return parsed.toString();
}

/** Run `work` on one direct connection in a UTC, strict session (as the destination's), then close it. */
export async function withMysql<T>(url: string, work: (connection: Connection) => Promise<T>): Promise<T> {
  const connection = await mysql.createConnection({ uri: url, dateStrings: true, supportBigNumbers: true, bigNumberStrings: true });
  try {
    await connection.query(`SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'`);
    return await work(connection);
  } finally {
    await connection.end();
  }
}

export async function scalar(connection: Connection, sql: string, params: (string | number)[] = []): Promise<string> {
  const [rows] = await connection.query<RowDataPacket[]>(sql, params);
  const row = rows[0];
  return row === undefined ? '' : String(Object.values(row)[0]);
}

export interface MysqlBenchServer {
  readonly version: string;
  readonly database: string;
  /** The server URL with the bench database. */
  readonly url: string;
  /** Drop the database and restore local_infile. */
  close(): Promise<void>;
}

/** Check the server is there, create the run's database, and make sure LOAD DATA LOCAL is allowed. */
export async function openMysqlBenchServer(serverUrl: string, log: (text: string) => void): Promise<MysqlBenchServer> {
  const database = benchSchemaName();
  let setup;
  try {
    setup = await withMysql(serverUrl, async (c) => {
      const version = await scalar(c, 'SELECT VERSION()');
      const localInfile = await scalar(c, 'SELECT @@GLOBAL.local_infile');
      if (localInfile !== '1') {
        log(`MariaDB: local_infile is OFF; SET GLOBAL local_infile = 1 for the LOAD DATA LOCAL baseline (set back to OFF when the bench ends)`);
        await c.query('SET GLOBAL local_infile = 1');
      }
      await c.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`);
      return { version, restoreInfile: localInfile !== '1' };
    });
  } catch (error) {
    throw new Error(
      `the MariaDB benchmark needs a server at ${new URL(serverUrl).host} (${(error as Error).message}); ` +
        'start one, point TIDEMARK_BENCH_MYSQL_URL at it, or leave it out with --dialects postgres,sqlite',
      { cause: error },
    );
  }
  return {
    version: setup.version,
    database,
    url: mysqlDatabaseUrl(serverUrl, database),
    async close() {
      await withMysql(serverUrl, async (c) => {
        await c.query(`DROP DATABASE IF EXISTS \`${database}\``);
        if (setup.restoreInfile) await c.query('SET GLOBAL local_infile = 0');
      });
    },
  };
}
