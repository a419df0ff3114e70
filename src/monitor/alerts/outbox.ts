/**
 * Alerts waiting for delivery, kept in `alert_state` as rows of kind `delivery:<alert id>` in the
 * same transaction that opened or closed their condition: a crash or a receiver answering 500
 * loses nothing, and the next tick (of any process) tries the channels still pending.
 *
 * Each process claims rows with `FOR UPDATE SKIP LOCKED` and a lease in the row, so two
 * processes never send the same alert at the same time; a process that dies mid-delivery leaves
 * the lease to expire. A channel is removed from `pending` once it accepted the alert, so a retry
 * goes only to the channels that failed.
 */
import type { SqlQueryable } from '../../db/sql-client.ts';
import type { Alert } from './alert.ts';

export const DELIVERY_PREFIX = 'delivery:';

export interface DeliveryDetail {
  readonly tenant: string;
  readonly alert: Alert;
  /** Channel ids (`webhook:0`, `slack`, `telegram`, `sentry`) that have not accepted it yet. */
  readonly pending: readonly string[];
  readonly attempts: number;
  /** The last failure per channel, secrets removed. */
  readonly lastErrors?: Readonly<Record<string, string>>;
  readonly claimedUntil?: string;
}

export interface Delivery {
  readonly syncId: string;
  readonly key: string;
  readonly createdAt: Date;
  readonly detail: DeliveryDetail;
}

export async function insertDelivery(tx: SqlQueryable, s: string, syncId: string, detail: DeliveryDetail): Promise<void> {
  await tx.query(`INSERT INTO ${s}.alert_state (sync_id, kind, detail) VALUES ($1, $2, $3::jsonb)`, [syncId, `${DELIVERY_PREFIX}${detail.alert.id}`, JSON.stringify(detail)]);
}

/** Claim up to `limit` deliveries nobody holds, oldest first, for `leaseSeconds`. */
export async function claimDeliveries(db: SqlQueryable, s: string, leaseSeconds: number, limit: number): Promise<Delivery[]> {
  const result = await db.query<{ sync_id: string; kind: string; opened_at: Date | string; detail: DeliveryDetail }>(
    `UPDATE ${s}.alert_state a SET detail = a.detail || jsonb_build_object('claimedUntil', now() + make_interval(secs => $1))
     FROM (
       SELECT sync_id, kind FROM ${s}.alert_state
       WHERE kind LIKE '${DELIVERY_PREFIX}%' AND (detail->>'claimedUntil' IS NULL OR (detail->>'claimedUntil')::timestamptz < now())
       ORDER BY opened_at, kind LIMIT $2 FOR UPDATE SKIP LOCKED
     ) c
     WHERE a.sync_id = c.sync_id AND a.kind = c.kind
     RETURNING a.sync_id, a.kind, a.opened_at, a.detail`,
    [leaseSeconds, limit],
  );
  return result.rows
    .map((row) => ({ syncId: row.sync_id, key: row.kind, createdAt: new Date(row.opened_at), detail: row.detail }))
    .sort((a, b) => a.createdAt.getTime() - b.createdAt.getTime() || a.key.localeCompare(b.key));
}

/** After an attempt: gone when every channel accepted it (or it was given up), else released with what is left. */
export async function settleDelivery(db: SqlQueryable, s: string, delivery: Delivery, pending: readonly string[], lastErrors: Readonly<Record<string, string>>): Promise<void> {
  if (pending.length === 0) {
    await db.query(`DELETE FROM ${s}.alert_state WHERE sync_id = $1 AND kind = $2`, [delivery.syncId, delivery.key]);
    return;
  }
  await db.query(
    `UPDATE ${s}.alert_state SET detail = (detail - 'claimedUntil') || $3::jsonb WHERE sync_id = $1 AND kind = $2`,
    [delivery.syncId, delivery.key, JSON.stringify({ pending, attempts: delivery.detail.attempts + 1, lastErrors })],
  );
}
