/** Turn ledger rows (snake_case, strings for bigint) into the typed records. */
import type { DeadLetterRecord, EventRecord, RunRecord } from './types.ts';

type Row = Record<string, unknown>;

const num = (value: unknown): number => (value === null || value === undefined ? 0 : Number(value));
const date = (value: unknown): Date | null => (value === null || value === undefined ? null : new Date(value as string | Date));
// Both SQL clients return `date` columns as 'YYYY-MM-DD' text.
const isoDate = (value: unknown): string | null => (value === null || value === undefined ? null : String(value));

export function toRunRecord(row: Row): RunRecord {
  return {
    id: String(row.id),
    syncId: String(row.sync_id),
    tenantId: String(row.tenant_id),
    stream: String(row.stream),
    mode: row.mode as RunRecord['mode'],
    windowFrom: isoDate(row.window_from),
    windowTo: isoDate(row.window_to),
    status: row.status as RunRecord['status'],
    trigger: String(row.trigger),
    owner: (row.owner as string | null) ?? null,
    createdAt: date(row.created_at) ?? new Date(0),
    startedAt: date(row.started_at),
    heartbeatAt: date(row.heartbeat_at),
    finishedAt: date(row.finished_at),
    fetched: num(row.fetched),
    created: num(row.created),
    updated: num(row.updated),
    unchanged: num(row.unchanged),
    deleted: num(row.deleted),
    dead: num(row.dead),
    progress: (row.progress ?? {}) as RunRecord['progress'],
    checkpoint: (row.checkpoint ?? null) as RunRecord['checkpoint'],
    resumedCount: num(row.resumed_count),
    warnings: (row.warnings ?? []) as RunRecord['warnings'],
    upstream: (row.upstream ?? {}) as RunRecord['upstream'],
    error: (row.error as string | null) ?? null,
    since: date(row.since),
    purged: num(row.purged),
    resumable: row.resumable === true,
    resumedFrom: row.resumed_from === null || row.resumed_from === undefined ? null : String(row.resumed_from),
    jobId: (row.job_id as string | null | undefined) ?? null,
    attempt: row.attempt === null || row.attempt === undefined ? null : Number(row.attempt),
  };
}

export function toDeadLetterRecord(row: Row): DeadLetterRecord {
  return {
    id: String(row.id),
    runId: row.run_id === null ? null : String(row.run_id),
    syncId: String(row.sync_id),
    tenantId: String(row.tenant_id),
    stream: String(row.stream),
    key: (row.record_key as string | null) ?? null,
    reason: String(row.reason),
    payload: row.payload,
    createdAt: date(row.created_at) ?? new Date(0),
    replayedAt: date(row.replayed_at),
  };
}

export function toEventRecord(row: Row): EventRecord {
  return {
    id: String(row.id),
    at: date(row.at) ?? new Date(0),
    kind: row.kind as EventRecord['kind'],
    tenantId: (row.tenant_id as string | null) ?? null,
    syncId: (row.sync_id as string | null) ?? null,
    runId: row.run_id === null || row.run_id === undefined ? null : String(row.run_id),
    message: String(row.message),
    data: (row.data ?? {}) as Record<string, unknown>,
  };
}
