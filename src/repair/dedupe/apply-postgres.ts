/**
 * Postgres and PGlite: backup, delete and constraint in ONE transaction (Postgres DDL is
 * transactional), with the table locked against writers, so it all happens or none of it does.
 */
import type { SqlClient } from '../../db/sql-client.ts';
import type { ApplyStep, DedupeOutcome } from './apply.ts';
import { addUniqueSql, countRowsSql, lockTableSql, postgresBackupSql, postgresDeleteSql, summarySql } from './sql.ts';

export function applyPostgres(client: SqlClient, step: ApplyStep): Promise<DedupeOutcome> {
  const { shape, key, terms } = step.plan;
  return client.transaction(async (tx) => {
    await tx.query(lockTableSql(shape));
    const [summary] = (await tx.query<{ duplicate_groups: string | number }>(summarySql('postgres', shape, key))).rows;
    const groups = Number(summary?.duplicate_groups ?? 0);
    let backupRows = 0;
    let rowsDeleted = 0;
    if (groups > 0) {
      await tx.query(postgresBackupSql(shape, key, step.backupTable));
      const [copied] = (await tx.query<{ n: string | number }>(countRowsSql('postgres', shape.schema, step.backupTable))).rows;
      backupRows = Number(copied?.n ?? 0);
      rowsDeleted = (await tx.query(postgresDeleteSql(shape, key, terms))).rowCount;
    }
    if (step.addConstraint) await tx.query(addUniqueSql('postgres', shape, key, step.addConstraint));
    return { groups, rowsDeleted, backupTable: groups > 0 ? step.backupTable : undefined, backupRows, constraintAdded: step.addConstraint };
  });
}
