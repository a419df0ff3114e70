/**
 * What the alert conditions are judged on, read for all watched syncs in three statements per
 * tick (not per sync): each sync's latest finished run, latest success and running run (index
 * lookups), the worker's undelivered events, and the conditions already open.
 */
import type { SqlQueryable } from '../../db/sql-client.ts';
import { CONDITION_KINDS, type ConditionKind } from './alert.ts';

export interface RunFact {
  readonly id: string;
  readonly status: string;
  readonly startedAt: Date | null;
  readonly finishedAt: Date | null;
  readonly error: string | null;
  readonly attempt: number | null;
  readonly trigger: string;
  readonly progress: Record<string, unknown>;
}

export interface SyncFacts {
  /** The latest run that ended succeeded or failed (runs of a sync never overlap). */
  readonly lastFinished: RunFact | null;
  readonly lastSuccess: RunFact | null;
  readonly running: RunFact | null;
}

/** An undelivered `run_dead_lettered` / `run_lost` event written by a worker. */
export interface PendingEvent {
  readonly id: string;
  readonly at: Date;
  readonly kind: string;
  readonly syncId: string;
  readonly runId: string | null;
  readonly message: string;
}

/** A condition open in `alert_state`: what it was opened for. */
export interface OpenCondition {
  readonly syncId: string;
  readonly kind: ConditionKind;
  readonly openedAt: Date;
  readonly detail: ConditionDetail;
}

/** The `detail` of an open condition row (ISO strings, as stored). */
export interface ConditionDetail {
  readonly tenant: string;
  readonly alertId: string;
  readonly runId?: string | null;
  /** run_failed: the latest failure this condition covers (a run's end, or an event). */
  readonly failedAt?: string;
  /** stale: the last success when it was opened (a later one proves fresh data arrived). */
  readonly lastSuccessAt?: string | null;
  readonly message: string;
}

type Row = Record<string, unknown>;
const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | Date));

function runFact(row: Row, prefix: string): RunFact | null {
  if (row[`${prefix}_id`] === null || row[`${prefix}_id`] === undefined) return null;
  return {
    id: String(row[`${prefix}_id`]),
    status: String(row[`${prefix}_status`]),
    startedAt: date(row[`${prefix}_started_at`]),
    finishedAt: date(row[`${prefix}_finished_at`]),
    error: (row[`${prefix}_error`] as string | null) ?? null,
    attempt: row[`${prefix}_attempt`] === null || row[`${prefix}_attempt`] === undefined ? null : Number(row[`${prefix}_attempt`]),
    trigger: String(row[`${prefix}_trigger`]),
    progress: (row[`${prefix}_progress`] ?? {}) as Record<string, unknown>,
  };
}

const RUN_FIELDS = (alias: string) =>
  `${alias}.id AS ${alias}_id, ${alias}.status AS ${alias}_status, ${alias}.started_at AS ${alias}_started_at, ${alias}.finished_at AS ${alias}_finished_at,
   ${alias}.error AS ${alias}_error, ${alias}.attempt AS ${alias}_attempt, ${alias}.trigger AS ${alias}_trigger, ${alias}.progress AS ${alias}_progress`;

/** `s` is the quoted control-plane schema. */
export async function readSyncFacts(db: SqlQueryable, s: string, syncIds: readonly string[]): Promise<Map<string, SyncFacts>> {
  const result = await db.query<Row>(
    `SELECT ids.sync_id, ${RUN_FIELDS('f')}, ${RUN_FIELDS('ok')}, ${RUN_FIELDS('r')}
     FROM unnest($1::text[]) AS ids(sync_id)
     LEFT JOIN LATERAL (SELECT * FROM ${s}.runs WHERE sync_id = ids.sync_id AND status IN ('succeeded', 'failed') ORDER BY id DESC LIMIT 1) f ON true
     LEFT JOIN LATERAL (SELECT * FROM ${s}.runs WHERE sync_id = ids.sync_id AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1) ok ON true
     LEFT JOIN LATERAL (SELECT * FROM ${s}.runs WHERE sync_id = ids.sync_id AND status = 'running' ORDER BY id DESC LIMIT 1) r ON true`,
    [syncIds],
  );
  const facts = new Map<string, SyncFacts>();
  for (const row of result.rows) {
    facts.set(String(row.sync_id), { lastFinished: runFact(row, 'f'), lastSuccess: runFact(row, 'ok'), running: runFact(row, 'r') });
  }
  return facts;
}

export async function readPendingEvents(db: SqlQueryable, s: string, syncIds: readonly string[]): Promise<PendingEvent[]> {
  const result = await db.query<Row>(
    `SELECT id, at, kind, sync_id, run_id, message FROM ${s}.events
     WHERE delivered_at IS NULL AND kind IN ('run_dead_lettered', 'run_lost') AND sync_id = ANY($1::text[]) ORDER BY id`,
    [syncIds],
  );
  return result.rows.map((row) => ({
    id: String(row.id),
    at: date(row.at) ?? new Date(0),
    kind: String(row.kind),
    syncId: String(row.sync_id),
    runId: row.run_id === null || row.run_id === undefined ? null : String(row.run_id),
    message: String(row.message),
  }));
}

export async function readOpenConditions(db: SqlQueryable, s: string, syncIds: readonly string[]): Promise<OpenCondition[]> {
  const result = await db.query<Row>(
    `SELECT sync_id, kind, opened_at, detail FROM ${s}.alert_state WHERE sync_id = ANY($1::text[]) AND kind = ANY($2::text[])`,
    [syncIds, CONDITION_KINDS],
  );
  return result.rows.map((row) => ({
    syncId: String(row.sync_id),
    kind: row.kind as ConditionKind,
    openedAt: date(row.opened_at) ?? new Date(0),
    detail: row.detail as ConditionDetail,
  }));
}
