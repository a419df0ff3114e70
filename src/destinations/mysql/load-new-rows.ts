/**
 * A large batch's new rows, streamed into the table by one LOAD DATA LOCAL INFILE inside the
 * merge's transaction, instead of a multi-row INSERT. Measured on 100,000 new shift rows in batches
 * of 1,000 (bench/mysql-profile-merge.ts, docs/performance.md): with the INSERT (24 escaped
 * literals per row, parsed again by the server) the merge took ~2.3× a single LOAD DATA of all the
 * rows; with this path ~1.3×, the rows encoded while the server inserts the previous chunk.
 *
 * Only for rows the locked SELECT found absent, so there is nothing to compare or update: a plain
 * insert is the whole job. LOCAL turns what would be errors into warnings (the server cannot stop
 * a client mid-stream): a value that does not fit, a duplicate key. Strict mode is kept by hand:
 * any warning fails the batch, which the caller rolls back. Notes pass, as they do in a strict
 * INSERT (a DECIMAL or DATETIME(6) rounded to its scale).
 */
import type { MergeRow, TargetTable } from '../destination.ts';
import type { MysqlSession } from './mysql-pool.ts';
import { loadDataChunks } from './load-data-text.ts';
import { loadRowsSql, SHOW_WARNINGS_SQL } from './load-data-sql.ts';
import { ownRowsOnly } from './local-infile.ts';

/**
 * New rows in a batch from which they go by LOAD DATA. The LOAD costs one more exchange than an
 * INSERT (the server asks for the data) and saves ~29 ms of server and client work per 1,000 rows
 * (measured at 0 ms RTT): from 1,000 rows it pays even 20 ms away; 500 rows would not.
 */
export const LOAD_MIN_ROWS = 1000;

/**
 * The server refusing LOAD DATA LOCAL (local_infile switched off after the pool read it): 1148
 * before MySQL 8 and MariaDB 10.5, 3948 on MySQL 8, 4166 on MariaDB 10.5+. Refused before any row
 * is read, so the transaction is intact and the rows can go by INSERT instead.
 */
const REFUSED = new Set([1148, 3948, 4166]);

interface Warning {
  Level: string;
  Code: number | string;
  Message: string;
}

/**
 * Insert `rows`, all found absent by the caller's locking SELECT. An absent key holds no lock under
 * READ COMMITTED, so another writer may add one meanwhile: that shows here as a duplicate, as it
 * shows in the upsert's affected-row count. False when the server refused LOAD DATA LOCAL: nothing
 * was inserted, and the pool will not try it again.
 */
export async function loadNewRows(session: MysqlSession, table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: string): Promise<boolean> {
  let outcome;
  try {
    outcome = await session.load(loadRowsSql(table), ownRowsOnly(() => loadDataChunks(table.spec, tenantId, rows, syncedAt)));
  } catch (error) {
    if (!REFUSED.has(Number((error as { errno?: unknown }).errno))) throw error;
    session.learnVariables({ local_infile: 0 });
    return false;
  }
  const warnings = outcome.warnings > 0 ? await session.rows<Warning>(SHOW_WARNINGS_SQL, []) : [];
  const serious = warnings.filter((w) => w.Level !== 'Note');
  // SHOW WARNINGS lists at most max_error_count of them: more than it listed counts as serious.
  if (serious.length > 0 || warnings.length < outcome.warnings || outcome.affectedRows !== rows.length) {
    const listed = serious.slice(0, 3).map((w) => `${w.Level} ${w.Code}: ${w.Message}`);
    const duplicate = serious.some((w) => Number(w.Code) === 1062);
    throw new Error(
      `LOAD DATA of ${rows.length} new rows inserted ${outcome.affectedRows} with ${outcome.warnings} warning(s)${listed.length > 0 ? ` (${listed.join('; ')})` : ''}; ` +
        (duplicate
          ? 'a duplicate means another writer added one of these rows since they were read: the batch was rolled back, run the sync again'
          : 'a value that does not fit its column would have failed a strict INSERT, so the batch was rolled back'),
    );
  }
  return true;
}
