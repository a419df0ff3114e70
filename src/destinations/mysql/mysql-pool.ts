/**
 * A mysql2 pool whose every connection is set up the same way before its first statement: UTC
 * session, strict mode, READ COMMITTED, and its max_allowed_packet known for chunking.
 */
import type { Readable } from 'node:stream';
import mysql from 'mysql2/promise';
import type { Pool, PoolConnection, PoolOptions, ResultSetHeader, RowDataPacket } from 'mysql2/promise';

/**
 * Strict whatever the server's default: a value that does not fit fails the batch instead of being
 * truncated or zeroed. The mode is set explicitly, without NO_BACKSLASH_ESCAPES: values are
 * escaped by the driver (mysql2's `query()` with `?`), which escapes with backslashes, so the
 * session must read them that way before its first statement with values.
 */
const SESSION_VARIABLES = `time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION'`;
// No gap locks for keys that are not there yet: two syncs merging different tenants into one
// table cannot deadlock on the gap between them. Exactness comes from FOR UPDATE row locks.
const ISOLATION = 'SET SESSION TRANSACTION ISOLATION LEVEL READ COMMITTED';

/** What the handshake says about the server: its flavour and version. */
export interface ServerInfo {
  mariadb: boolean;
  /** [major, minor, patch]; [0, 0, 0] when the handshake said nothing readable. */
  version: [number, number, number];
}

function serverInfo(connection: PoolConnection): ServerInfo | undefined {
  const raw = (connection.connection as unknown as { _handshakePacket?: { serverVersion?: unknown } })._handshakePacket?.serverVersion;
  if (typeof raw !== 'string') return undefined;
  // MariaDB 10.x behind a MySQL 5.5 replication prefix: "5.5.5-10.11.19-MariaDB-…".
  const text = raw.replace(/^5\.5\.5-/, '');
  const match = /^(\d+)\.(\d+)\.(\d+)/.exec(text);
  if (!match) return undefined;
  return { mariadb: /mariadb/i.test(raw), version: [Number(match[1]), Number(match[2]), Number(match[3])] };
}

function atLeast(version: readonly number[], wanted: readonly number[]): boolean {
  for (let i = 0; i < wanted.length; i++) {
    if ((version[i] ?? 0) !== wanted[i]) return (version[i] ?? 0) > (wanted[i] ?? 0);
  }
  return true;
}

/** JSON_TABLE: MariaDB 10.6+, MySQL 8.0.4+. */
export function hasJsonTable(server: ServerInfo | undefined): boolean {
  if (!server) return false;
  return server.mariadb ? atLeast(server.version, [10, 6, 0]) : atLeast(server.version, [8, 0, 4]);
}

/**
 * The session setup as one statement when the isolation variable's name is known: MariaDB has
 * `tx_isolation` (before 11.1 only that), MySQL 5.7.20+ and 8 have `transaction_isolation`.
 */
function sessionSetup(server: ServerInfo | undefined): string[] {
  if (server?.mariadb) return [`SET ${SESSION_VARIABLES}, SESSION tx_isolation = 'READ-COMMITTED'`];
  if (server && atLeast(server.version, [5, 7, 20])) return [`SET ${SESSION_VARIABLES}, SESSION transaction_isolation = 'READ-COMMITTED'`];
  return [`SET ${SESSION_VARIABLES}`, ISOLATION];
}

export type BoundValue = string | number | null;

/** What a LOAD DATA reported: rows it inserted, and how many warnings and notes it raised. */
export interface LoadOutcome {
  readonly affectedRows: number;
  readonly warnings: number;
}

/** The server variables the merge plans with, as a SELECT of them names them. */
export interface ServerVariables {
  max_packet?: unknown;
  local_infile?: unknown;
}

/** One connection, held for several statements (transactions, temporary tables). */
export interface MysqlSession {
  /**
   * Rows of a statement whose `?` the driver fills with escaped values (one round trip, no
   * server-side prepare).
   */
  rows<Row>(sql: string, params: readonly BoundValue[]): Promise<Row[]>;
  /** Run a statement with `?` values; the rows it changed. */
  run(sql: string, params: readonly BoundValue[]): Promise<number>;
  /** A statement without values (DDL, transaction control). */
  exec(sql: string): Promise<void>;
  /**
   * Run a LOAD DATA LOCAL INFILE whose rows come from `rows` (see local-infile.ts): the only
   * statement that is given a stream factory.
   */
  load(sql: string, rows: (requested: string) => Readable): Promise<LoadOutcome>;
  /** The server's max_allowed_packet, in bytes (read once per pool, when first needed). */
  maxPacketBytes(): Promise<number>;
  /** Whether the server accepts LOAD DATA LOCAL (@@local_infile; read with max_allowed_packet). */
  localInfile(): Promise<boolean>;
  /** Record server variables read alongside another statement (saves their own round trip). */
  learnVariables(row: ServerVariables | undefined): void;
  /** The server, as its handshake described it. */
  readonly server: ServerInfo | undefined;
}

export class MysqlPool {
  private readonly pool: Pool;
  /** Keyed by the underlying connection, which outlives each checkout's wrapper. */
  private readonly setUp = new WeakMap<object, ServerInfo | undefined>();
  /** max_allowed_packet is a global variable copied into each session: one read per pool. */
  private maxPacket: number | undefined;
  /** @@local_infile is global too; undefined until read. */
  private infile: boolean | undefined;

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
      // Affected rows count changed rows (the merge checks its counts with them). LOCAL_FILES: the
      // merge streams large batches' new rows by LOAD DATA LOCAL; no file can be read through it,
      // because no connection-wide infileStreamFactory is set (local-infile.ts explains).
      flags: ['-FOUND_ROWS', 'LOCAL_FILES'],
      // Values go through `query()` (driver-side escaping), not server-side prepared statements.
      maxPreparedStatements: 16,
    });
  }

  private async prepare(connection: PoolConnection): Promise<ServerInfo | undefined> {
    if (this.setUp.has(connection.connection)) return this.setUp.get(connection.connection);
    const server = serverInfo(connection);
    for (const sql of sessionSetup(server)) await connection.query(sql);
    this.setUp.set(connection.connection, server);
    return server;
  }

  private learn(row: ServerVariables | undefined): void {
    const bytes = Number(row?.max_packet);
    if (Number.isFinite(bytes) && bytes > 0) this.maxPacket = bytes;
    if (row?.local_infile !== undefined && row.local_infile !== null) this.infile = Number(row.local_infile) === 1;
  }

  /**
   * Hold one connection for `work`. A failure discards the connection, and with it any open
   * transaction or temporary table `work` left behind.
   */
  async session<T>(work: (session: MysqlSession) => Promise<T>): Promise<T> {
    const connection = await this.pool.getConnection();
    try {
      const server = await this.prepare(connection);
      const readVariables = async () => {
        if (this.maxPacket !== undefined && this.infile !== undefined) return;
        const [rows] = await connection.query<RowDataPacket[]>('SELECT @@max_allowed_packet AS max_packet, @@local_infile AS local_infile');
        this.learn(rows[0] as ServerVariables | undefined);
      };
      const result = await work({
        server,
        maxPacketBytes: async () => {
          if (this.maxPacket === undefined) await readVariables();
          return this.maxPacket ?? 4 * 1024 * 1024;
        },
        localInfile: async () => {
          if (this.infile === undefined) await readVariables();
          return this.infile ?? false;
        },
        learnVariables: (row) => this.learn(row),
        async rows<Row>(sql: string, params: readonly BoundValue[]) {
          const [rows] = await connection.query<RowDataPacket[]>(sql, params as BoundValue[]);
          return rows as Row[];
        },
        async run(sql, params) {
          const [result] = await connection.query<ResultSetHeader>(sql, params as BoundValue[]);
          return result.affectedRows;
        },
        async exec(sql) {
          await connection.query(sql);
        },
        async load(sql, rows) {
          const [result] = await connection.query<ResultSetHeader>({ sql, infileStreamFactory: rows });
          return { affectedRows: result.affectedRows, warnings: result.warningStatus };
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
