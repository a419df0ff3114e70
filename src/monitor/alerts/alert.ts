/**
 * What an alert is: the one JSON shape every channel receives (webhooks verbatim; Slack, Telegram
 * and Sentry a rendering of it). Conditions are per sync: a failed run, stale data, a slow run;
 * `recovered` is sent once when the sync's open conditions have all cleared.
 */
import { randomUUID } from 'node:crypto';

export const CONDITION_KINDS = ['run_failed', 'stale', 'slow_run'] as const;
export type ConditionKind = (typeof CONDITION_KINDS)[number];
export type AlertKind = ConditionKind | 'recovered';

export interface Alert {
  /** Unique per alert and kept across delivery retries: receivers may de-duplicate on it. */
  readonly id: string;
  readonly kind: AlertKind;
  /** Tenant id. */
  readonly tenant: string;
  /** Sync id. */
  readonly sync: string;
  /** One line for a person. */
  readonly message: string;
  readonly runId?: string;
  /** When the alert was raised (ISO 8601). */
  readonly at: string;
  readonly details: Record<string, unknown>;
}

export function newAlert(fields: Omit<Alert, 'id' | 'at'>, now: Date): Alert {
  const alert: Alert = { id: randomUUID(), kind: fields.kind, tenant: fields.tenant, sync: fields.sync, message: fields.message, at: now.toISOString(), details: fields.details };
  return fields.runId === undefined ? alert : { ...alert, runId: fields.runId };
}

/** The alert as JSON with its fields in the documented order (stored alerts come back from jsonb reordered). */
export function alertJson(alert: Alert): string {
  const { id, kind, tenant, sync, message, runId, at, details } = alert;
  return JSON.stringify({ id, kind, tenant, sync, message, ...(runId === undefined ? {} : { runId }), at, details });
}

/** Headline words per kind, for chat channels and Sentry. */
export const KIND_LABEL: Readonly<Record<AlertKind, string>> = {
  run_failed: 'run failed',
  stale: 'data stale',
  slow_run: 'slow run',
  recovered: 'recovered',
};
