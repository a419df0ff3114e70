/**
 * A mysql2 pool whose every connection is set up the same way before its first statement: UTC
 * session, strict mode, READ COMMITTED, and its max_allowed_packet known for chunking.
 */
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/**
 * Strict whatever the server's default: a value that does not fit fails the batch instead of being
 * truncated or zeroed. Prepared statements make backslash escaping modes irrelevant.
 */
const SESSION_SETUP = [
  `SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'`,
  // No gap locks for keys that are not there yet: two syncs merging different tenants into one
  // table cannot deadlock on the gap between them. Exactness comes from FOR UPDATE row locks.
  'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED',
];

export type BoundValue = string | number | null;

/** One connection, held for several statements (transactions, temporary tables). */
export interface MysqlSession {
  /** Rows of a server-side prepared statement. */
  rows<Row>(sql: string, params: readonly BoundValue[]): Promise<Row[]>;
  /** Run a prepared statement; the rows it changed. */
  run(sql: string, params: readonly BoundValue[]): Promise<number>;
  /** A statement without values (DDL, transaction control), over the text protocol. */
  exec(sql: string): Promise<void>;
  /** The server's max_allowed_packet for this connection, in bytes. */
  readonly maxPacketBytes: number;
}

export class MysqlPool {
  private readonly pool: Pool;
  /** Keyed by the underlying connection, which outlives each checkout's wrapper. */
  private readonly setUp = new WeakMap<object, number>();

  constructor(options: PoolOptions) {
    this.pool = mysql.createPool({
      ...options,
      connectionLimit: 4,
      charset: 'UTF8MB4_UNICODE_CI',
      timezone: 'Z',
      // 64-bit integers and DECIMALs as exact strings, DATETIME and DATE as text, JSON as text.
      supportBigNumbers: true,
      bigNumberStrings: true,
      dateStrings: true,
      jsonStrings: true,
      // Affected rows count changed rows (the merge checks its counts with them); no LOAD DATA LOCAL
      // a server could ask for.
      flags: ['-FOUND_ROWS', '-LOCAL_FILES'],
      // One statement per distinct batch size; keep well under the server's max_prepared_stmt_count.
      maxPreparedStatements: 64,
    });
  }

  private async prepare(connection: PoolConnection): Promise<number> {
    const known = this.setUp.get(connection.connection);
    if (known !== undefined) return known;
    for (const sql of SESSION_SETUP) await connection.query(sql);
    const [rows] = await connection.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS max_packet');
    const maxPacket = Number(rows[0]?.max_packet ?? 4 * 1024 * 1024);
    this.setUp.set(connection.connection, maxPacket);
    return maxPacket;
  }

  /**
   * Hold one connection for `work`. A failure discards the connection, and with it any open
   * transaction or temporary table `work` left behind.
   */
  async session<T>(work: (session: MysqlSession) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    try {
      const maxPacketBytes = await this.prepare(connection);
      const result = await work({
        maxPacketBytes,
        async rows<Row>(sql: string, params: readonly BoundValue[]) {
          const [rows] = await connection.execute<RowDataPacket[]>(sql, params as BoundValue[]);
          return rows as Row[];
        },
        async run(sql, params) {
          const [result] = await connection.execute<ResultSetHeader>(sql, params as BoundValue[]);
          return result.affectedRows;
        },
        async exec(sql) {
          await connection.query(sql);
        },
      });
      connection.release();
      return result;
    } catch (error) {
      connection.destroy();
      throw error;
    }
  }

  /** `work` in one transaction on one connection: committed when it resolves. */
  transaction<T>(work: (session: MysqlSession) => Promise<T>): Promise<T> {
    return this.session(async (session) => {
      await session.exec('START TRANSACTION');
      try {
        const result = await work(session);
        await session.exec('COMMIT');
        return result;
      } catch (error) {
        // Release the row locks now; the connection is discarded after this anyway.
        await session.exec('ROLLBACK').catch(() => undefined);
        throw error;
      }
    });
  }

  async close(): Promise<void> {
    await this.pool.end();
  }
}
