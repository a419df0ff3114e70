/**
 * Open and close alert conditions in `alert_state` (one row per sync and condition kind), so each
 * alert is sent once when its condition opens and once when the sync recovers. The database
 * decides, never a process's memory:
 *
 * - evaluation runs in one transaction holding a transaction-level advisory lock, so however many
 *   workers tick, one evaluates at a time and each sees what the previous one committed; a
 *   throttle row (`sync_id '*'`, kind `evaluator`) makes it at most once per interval for the
 *   whole deployment;
 * - a condition opens with `INSERT … ON CONFLICT DO NOTHING RETURNING`, and only the statement
 *   that inserted the row queues its alert; it closes with `DELETE … RETURNING`, and only the
 *   statement that deleted it may queue the recovery. Even two evaluations that overlapped could
 *   not send one alert twice.
 */
import type { SqlClient, SqlQueryable } from '../../db/sql-client.ts';
import type { ConditionKind } from './alert.ts';
import type { ConditionDetail } from './facts.ts';
import { insertDelivery, type DeliveryDetail } from './outbox.ts';

/** `work(tx)` inside the evaluation lock, or null when another process holds it or evaluated less than `minGapSeconds` ago. */
export async function withEvaluationLock<T>(db: SqlClient, schema: string, s: string, minGapSeconds: number, work: (tx: SqlQueryable) => Promise<T>): Promise<T | null> {
  return db.transaction(async (tx) => {
    const lock = await tx.query<{ ok: boolean }>(`SELECT pg_try_advisory_xact_lock(hashtext('tidemark-alerts'), hashtext($1)) AS ok`, [schema]);
    if (lock.rows[0]?.ok !== true) return null;
    const due = await tx.query(
      `INSERT INTO ${s}.alert_state (sync_id, kind, opened_at) VALUES ('*', 'evaluator', now())
       ON CONFLICT (sync_id, kind) DO UPDATE SET opened_at = now() WHERE alert_state.opened_at <= now() - make_interval(secs => $1)
       RETURNING opened_at`,
      [minGapSeconds],
    );
    if (due.rows.length === 0) return null;
    return work(tx);
  });
}

/** Open a condition; queue its alert only if this statement opened it. True when it did. */
export async function openCondition(tx: SqlQueryable, s: string, syncId: string, kind: ConditionKind, detail: ConditionDetail, delivery: DeliveryDetail | null): Promise<boolean> {
  const result = await tx.query<{ sync_id: string }>(
    `INSERT INTO ${s}.alert_state (sync_id, kind, detail) VALUES ($1, $2, $3::jsonb) ON CONFLICT (sync_id, kind) DO NOTHING RETURNING sync_id`,
    [syncId, kind, JSON.stringify(detail)],
  );
  if (result.rows.length === 0) return false;
  if (delivery) await insertDelivery(tx, s, syncId, delivery);
  return true;
}

/** A condition that stays open but now covers a later failure. */
export async function updateCondition(tx: SqlQueryable, s: string, syncId: string, kind: ConditionKind, patch: Partial<ConditionDetail>): Promise<void> {
  await tx.query(`UPDATE ${s}.alert_state SET detail = detail || $3::jsonb WHERE sync_id = $1 AND kind = $2`, [syncId, kind, JSON.stringify(patch)]);
}

/** Close conditions; returns the kinds this statement closed (the only ones it may announce). */
export async function closeConditions(tx: SqlQueryable, s: string, syncId: string, kinds: readonly ConditionKind[]): Promise<ConditionKind[]> {
  if (kinds.length === 0) return [];
  const result = await tx.query<{ kind: ConditionKind }>(`DELETE FROM ${s}.alert_state WHERE sync_id = $1 AND kind = ANY($2::text[]) RETURNING kind`, [syncId, kinds]);
  return result.rows.map((row) => row.kind);
}

/** Worker events folded into the alert state: delivered to alerting, not to be judged again. */
export async function markEventsDelivered(tx: SqlQueryable, s: string, ids: readonly string[]): Promise<void> {
  if (ids.length === 0) return;
  await tx.query(`UPDATE ${s}.events SET delivered_at = now() WHERE id = ANY($1::bigint[]) AND delivered_at IS NULL`, [ids]);
}
