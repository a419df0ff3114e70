/**
 * The one shape of "a Postgres connection" the ledger and the Postgres destination use, whether
 * it is a real server through `pg` or embedded PGlite. Taking this interface (not a pool, not a
 * driver module) is what makes "handed a pool instead of the module" impossible to compile.
 */
import type { PGlite } from '@electric-sql/pglite';
export interface QueryResult<Row> {
  readonly rows: Row[];
  /** Rows changed by INSERT/UPDATE/DELETE, when the driver reports it. */
  readonly rowCount: number;
}

export interface SqlQueryable {
  /** Run one parameterized statement ($1, $2, …). */
  query<Row = Record<string, unknown>>(sql: string, params?: readonly unknown[]): Promise<QueryResult<Row>>;
}

/** One connection held for several statements, with COPY (Postgres servers only). */
export interface SqlSession extends SqlQueryable {
  /** Stream `chunks` (COPY text format) to `COPY … FROM STDIN`; each chunk is built as the previous one is sent. */
  copyFrom(sql: string, chunks: Iterable<string>): Promise<void>;
  /** Run `sql` the first time this connection sees `key` (e.g. creating a temp table), else nothing. */
  once(key: string, sql: string): Promise<void>;
}

export interface SqlClient extends SqlQueryable {
  /** Run `work` in one transaction on one connection; commit when it resolves, roll back when it throws. */
  transaction<T>(work: (tx: SqlQueryable) => Promise<T>): Promise<T>;
  /** Run several statements separated by semicolons, without parameters (migrations). */
  exec(sql: string): Promise<void>;
  /**
   * Hold one connection for `work` (temp tables live as long as the connection). Absent on PGlite.
   * A failure discards the connection, and with it anything `work` left in temp tables.
   */
  readonly session?: <T>(work: (session: SqlSession) => Promise<T>) => Promise<T>;
  /** The embedded database itself (PGlite only): the job engine shares its one connection. */
  readonly pglite?: PGlite;
  /** `postgres` for a server, `pglite` for the embedded database. */
  readonly kind: 'postgres' | 'pglite';
  /** A description safe to print: no password. */
  readonly description: string;
  close(): Promise<void>;
}
