/**
 * SQL of the LOAD DATA LOCAL path of a merge: the batch's new rows streamed straight into the
 * table (see load-new-rows.ts for when and why).
 */
import type { TargetTable } from '../destination.ts';
import { INFILE_NAME } from './local-infile.ts';
import { qualifiedName, quoteMysqlIdent } from './sql.ts';

/**
 * The columns in the order of loadDataChunks' lines; deleted_at is left to its default, NULL. The
 * format is LOAD DATA's default, spelled out so it cannot drift from load-data-text.ts (the `\`
 * escapes in these SQL literals are read as such: the session's sql_mode has no
 * NO_BACKSLASH_ESCAPES). CHARACTER SET: the text is UTF-8 whatever character_set_database says.
 */
export function loadRowsSql(table: TargetTable): string {
  const columns = [...table.spec.columns.map((c) => c.name), 'tenant_id', 'row_hash', 'synced_at'].map(quoteMysqlIdent);
  return `LOAD DATA LOCAL INFILE '${INFILE_NAME}' INTO TABLE ${qualifiedName(table)} CHARACTER SET utf8mb4
FIELDS TERMINATED BY '\\t' ENCLOSED BY '' ESCAPED BY '\\\\' LINES TERMINATED BY '\\n' STARTING BY ''
(${columns.join(', ')})`;
}

/** What the LOAD reported, read only when it reported something. */
export const SHOW_WARNINGS_SQL = 'SHOW WARNINGS';
