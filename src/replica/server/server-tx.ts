/**
 * The server's side of a mutator: reads and writes `replica_rows` inside the push transaction, and
 * stamps every row it writes with the mutation's version (so pulls return it in commit order).
 */
import type { SqlQueryable } from '../../db/sql-client.ts';
import type { ReplicaDefinition, ReplicaRow, ReplicaTx } from '../definition.ts';
import { keyOf, keyText, normalizeRow, tableOf } from '../rows.ts';

export interface ServerTxContext {
  readonly db: SqlQueryable;
  /** The quoted control-plane schema. */
  readonly schema: string;
  readonly replicaId: string;
  readonly definition: ReplicaDefinition;
  readonly version: number;
  readonly clientId: string;
  readonly mutationId: number;
  readonly businessDate: string;
  readonly createdAt: string;
}

export function serverTx(ctx: ServerTxContext): ReplicaTx {
  const { db, schema: s, replicaId, definition } = ctx;
  return {
    side: 'server',
    clientId: ctx.clientId,
    mutationId: ctx.mutationId,
    businessDate: ctx.businessDate,
    createdAt: ctx.createdAt,
    async get(table, key) {
      const { rows } = await db.query<{ row: ReplicaRow }>(
        `SELECT row FROM ${s}.replica_rows WHERE replica_id = $1 AND table_name = $2 AND row_key = $3 AND deleted_at IS NULL`,
        [replicaId, table, keyText(definition, table, key)],
      );
      return rows[0]?.row ?? null;
    },
    async list(table, where = {}) {
      tableOf(definition, table);
      const { rows } = await db.query<{ row: ReplicaRow }>(
        `SELECT row FROM ${s}.replica_rows WHERE replica_id = $1 AND table_name = $2 AND deleted_at IS NULL AND row @> $3::jsonb ORDER BY row_key`,
        [replicaId, table, JSON.stringify(where)],
      );
      return rows.map((r) => r.row);
    },
    async put(table, row) {
      const full = normalizeRow(definition, table, row);
      await db.query(
        `INSERT INTO ${s}.replica_rows (replica_id, table_name, row_key, row, version, changed_by) VALUES ($1, $2, $3, $4::jsonb, $5, $6)
         ON CONFLICT (replica_id, table_name, row_key) DO UPDATE SET row = EXCLUDED.row, version = EXCLUDED.version, deleted_at = NULL, changed_by = EXCLUDED.changed_by`,
        [replicaId, table, keyText(definition, table, full), JSON.stringify(full), ctx.version, ctx.clientId],
      );
    },
    async delete(table, key) {
      const k = keyOf(definition, table, key);
      await db.query(
        `UPDATE ${s}.replica_rows SET version = $4, deleted_at = now(), changed_by = $5 WHERE replica_id = $1 AND table_name = $2 AND row_key = $3 AND deleted_at IS NULL`,
        [replicaId, table, keyText(definition, table, k), ctx.version, ctx.clientId],
      );
    },
  };
}
