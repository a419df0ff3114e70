/**
 * The MySQL/MariaDB statements of `repair tz-shift`. Only validated identifiers reach the text;
 * every value is a `?` the driver fills with an escaped literal. Rows are chosen by an indexed
 * range on start_at (the table's `(tenant_id, start_at)` key), never by a day computed from it.
 */
import type { TargetTable } from '../../destinations/destination.ts';
import { keyPlaceholder, qualifiedName, quoteMysqlIdent } from '../../destinations/mysql/sql.ts';

const lockClause = (lock: boolean) => (lock ? '\nFOR UPDATE' : '');

/** The backup table beside the table (same database). */
function backupName(table: TargetTable, backup: string): string {
  return qualifiedName({ ...table, name: backup });
}

function keyIn(table: TargetTable, count: number): string {
  return `${quoteMysqlIdent(table.spec.keyColumn)} IN (${Array(count).fill(keyPlaceholder(table.spec)).join(', ')})`;
}

/** Live rows of the tenant starting in [start, end). Parameters: tenant, start, end. */
export function storedShiftsSql(table: TargetTable, lock: boolean): string {
  return `SELECT shift_id, CAST(user_id AS CHAR) AS user_id, start_at, end_at, CAST(business_date AS CHAR) AS business_date
FROM ${qualifiedName(table)}
WHERE tenant_id = ? AND deleted_at IS NULL AND start_at >= CAST(? AS DATETIME(6)) AND start_at < CAST(? AS DATETIME(6))
ORDER BY start_at, shift_id${lockClause(lock)}`;
}

/**
 * The rows holding these ids, live or soft-deleted, anywhere in the table. Under REPEATABLE READ
 * the locking form also locks the absence of an id, so no row can take it before COMMIT.
 * Parameters: tenant, then `count` ids.
 */
export function twinRowsSql(table: TargetTable, count: number, lock: boolean): string {
  return `SELECT shift_id, deleted_at IS NOT NULL AS deleted
FROM ${qualifiedName(table)}
WHERE tenant_id = ? AND ${keyIn(table, count)}${lockClause(lock)}`;
}

/** Same columns, types and keys as the table, empty. DDL: it commits, so it runs before the transaction. */
export function createBackupSql(table: TargetTable, backup: string): string {
  return `CREATE TABLE ${backupName(table, backup)} LIKE ${qualifiedName(table)}`;
}

export function dropBackupSql(table: TargetTable, backup: string): string {
  return `DROP TABLE IF EXISTS ${backupName(table, backup)}`;
}

/** Parameters: tenant, then `count` ids. */
export function copyToBackupSql(table: TargetTable, backup: string, count: number): string {
  return `INSERT INTO ${backupName(table, backup)}
SELECT * FROM ${qualifiedName(table)} WHERE tenant_id = ? AND ${keyIn(table, count)}`;
}

/** Parameters: tenant, then `count` ids. */
export function deleteRowsSql(table: TargetTable, count: number): string {
  return `DELETE FROM ${qualifiedName(table)} WHERE tenant_id = ? AND ${keyIn(table, count)}`;
}
