/**
 * Where each sync of a tenant stands: queued / running (with progress and ETA) / succeeded /
 * failed / never run; last success and freshness; the last error; a colour for the dashboard:
 * green (fresh), yellow (last run failed but data still fresh, or freshness unknown), red (stale).
 */
import type { Config, SyncConfig, TenantConfig } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { RunRecord } from '../ledger/types.ts';
import type { JobEngine } from '../jobs/job-engine.ts';
import { freshnessOf, type Freshness } from './freshness.ts';

export type SyncState = 'queued' | 'running' | 'succeeded' | 'failed' | 'interrupted' | 'never_run';
export type Colour = 'green' | 'yellow' | 'red';

export interface SyncStatus {
  readonly syncId: string;
  readonly stream: string;
  readonly state: SyncState;
  readonly colour: Colour;
  /** 0..100 while running (null when the amount of work is unknown). */
  readonly progress: number | null;
  /** "2 min", while running. */
  readonly eta: string | null;
  readonly etaSeconds: number | null;
  /** Records processed by the current (or last) run. */
  readonly records: number;
  readonly currentRunId: string | null;
  readonly lastRun: { readonly id: string; readonly status: string; readonly startedAt: string | null; readonly finishedAt: string | null } | null;
  readonly lastSuccessAt: string | null;
  readonly freshness: Freshness;
  readonly lastError: string | null;
  readonly queuedJobs: number;
  readonly schedules: readonly { readonly name: string; readonly cron: string }[];
}

export interface TenantStatus {
  readonly tenant: { readonly id: string; readonly name: string; readonly timezone: string };
  readonly generatedAt: string;
  readonly syncs: readonly SyncStatus[];
}

/** "45 s", "2 min", "3 h", "2 days" — how the wish list wrote it. */
export function humanDuration(seconds: number): string {
  if (seconds < 60) return `${Math.max(0, Math.round(seconds))} s`;
  if (seconds < 3600) return `${Math.round(seconds / 60)} min`;
  if (seconds < 172_800) return `${Math.round(seconds / 3600)} h`;
  return `${Math.round(seconds / 86_400)} days`;
}

function colourOf(state: SyncState, freshness: Freshness): Colour {
  if (freshness.state === 'stale') return 'red';
  if (state === 'failed' || freshness.state === 'unknown') return 'yellow';
  return 'green';
}

async function syncStatus(
  sync: SyncConfig,
  tenant: TenantConfig,
  ledger: Ledger,
  engine: JobEngine | null,
  now: Date,
): Promise<SyncStatus> {
  const [recent, lastSuccess] = await Promise.all([ledger.listRuns({ syncId: sync.id, limit: 1 }), ledger.lastSucceededRun(sync.id)]);
  const last: RunRecord | undefined = recent[0];
  const queued = engine ? (await engine.queuedJobsOf(sync.id)).length : 0;
  const running = last?.status === 'running' ? last : null;
  let state: SyncState = last ? (last.status === 'queued' ? 'queued' : last.status) : 'never_run';
  if (!running && queued > 0) state = 'queued';
  const lastSuccessAt = lastSuccess?.finishedAt ?? null;
  const freshness = freshnessOf(sync, tenant, lastSuccessAt, now);
  const progress = running && 'percent' in running.progress ? running.progress : null;
  const etaSeconds = progress?.etaSeconds ?? null;
  return {
    syncId: sync.id,
    stream: sync.stream,
    state,
    colour: colourOf(state, freshness),
    progress: progress?.percent ?? null,
    eta: etaSeconds === null ? null : humanDuration(etaSeconds),
    etaSeconds,
    records: last?.fetched ?? 0,
    currentRunId: running?.id ?? null,
    lastRun: last ? { id: last.id, status: last.status, startedAt: last.startedAt?.toISOString() ?? null, finishedAt: last.finishedAt?.toISOString() ?? null } : null,
    lastSuccessAt: lastSuccessAt?.toISOString() ?? null,
    freshness,
    lastError: last?.status === 'failed' || last?.status === 'interrupted' ? last.error : null,
    queuedJobs: queued,
    schedules: sync.schedules.map((s) => ({ name: s.name ?? s.window ?? 'default', cron: s.cron })),
  };
}

export async function tenantStatus(config: Config, tenantId: string, ledger: Ledger, engine: JobEngine | null, now: Date): Promise<TenantStatus> {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant) throw new Error(`no tenant "${tenantId}"`);
  const syncs = config.syncs.filter((s) => s.tenant === tenantId);
  return {
    tenant: { id: tenant.id, name: tenant.name, timezone: tenant.timezone },
    generatedAt: now.toISOString(),
    syncs: await Promise.all(syncs.map((s) => syncStatus(s, tenant, ledger, engine, now))),
  };
}
