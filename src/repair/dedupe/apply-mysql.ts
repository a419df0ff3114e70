/**
 * MySQL/MariaDB commit every DDL statement implicitly, so one transaction cannot hold all of it:
 * the (empty) backup table is created first, the copy and the delete run in one transaction, and
 * the ALTER TABLE adding the constraint runs after COMMIT. Each state in between is safe: a
 * failure before COMMIT leaves the table as it was (and the empty backup is dropped); a failure
 * of the ALTER (a new copy written meanwhile) leaves a deduplicated table, and running the command
 * again finishes the job.
 */
import type { MysqlPool } from '../../destinations/mysql/mysql-pool.ts';
import type { ApplyStep, DedupeOutcome } from './apply.ts';
import { addUniqueSql, dropTableSql, mysqlCopyToBackupSql, mysqlCreateBackupSql, mysqlDeleteSql, mysqlLockGroupsSql, summarySql } from './sql.ts';

export async function applyMysql(pool: MysqlPool, step: ApplyStep): Promise<DedupeOutcome> {
  const { shape, key, terms } = step.plan;
  const [summary] = await pool.session((s) => s.rows<{ duplicate_groups: string | number }>(summarySql('mysql', shape, key), []));
  let groups = Number(summary?.duplicate_groups ?? 0);
  let backupRows = 0;
  let rowsDeleted = 0;
  if (groups > 0) {
    await pool.session((s) => s.exec(mysqlCreateBackupSql(shape, step.backupTable)));
    try {
      ({ groups, backupRows, rowsDeleted } = await pool.transaction(async (tx) => {
        await tx.rows(mysqlLockGroupsSql(shape, key), []);
        const [locked] = await tx.rows<{ duplicate_groups: string | number }>(summarySql('mysql', shape, key), []);
        const copied = await tx.run(mysqlCopyToBackupSql(shape, key, step.backupTable), []);
        const deleted = await tx.run(mysqlDeleteSql(shape, key, terms, step.backupTable), []);
        return { groups: Number(locked?.duplicate_groups ?? 0), backupRows: copied, rowsDeleted: deleted };
      }));
    } catch (error) {
      await pool.session((s) => s.exec(dropTableSql('mysql', shape.schema, step.backupTable))).catch(() => undefined);
      throw error;
    }
    if (backupRows === 0) await pool.session((s) => s.exec(dropTableSql('mysql', shape.schema, step.backupTable)));
  }
  const constraint = step.addConstraint;
  if (constraint) await pool.session((s) => s.exec(addUniqueSql('mysql', shape, key, constraint)));
  return { groups, rowsDeleted, backupTable: backupRows > 0 ? step.backupTable : undefined, backupRows, constraintAdded: step.addConstraint };
}
