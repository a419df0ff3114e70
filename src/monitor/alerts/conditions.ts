/**
 * Which alert conditions hold for one sync now, judged from its facts (pure: no I/O, `now` given).
 *
 * - run_failed: the sync's latest failure (its latest finished run failed, or a worker event
 *   `run_dead_lettered` / `run_lost`) is newer than its latest success. Further failures while it
 *   is open are the same condition; a success after the latest failure clears it.
 * - stale: `freshnessOf` says stale (judged only inside business hours). Once open, it clears when
 *   data is judged fresh again, or when a new success arrives (even at night), never merely
 *   because the night began.
 * - slow_run: a run has been running longer than the tenant's `alerts.slowRunMinutes`; clears when
 *   no run is that slow any more.
 */
import type { SyncConfig, TenantConfig } from '../../config/schema.ts';
import { freshnessOf } from '../freshness.ts';
import { humanDuration } from '../status.ts';
import type { ConditionKind } from './alert.ts';
import type { OpenCondition, PendingEvent, SyncFacts } from './facts.ts';

/** A condition that holds now, with what its alert would say and what its state row keeps. */
export interface HeldCondition {
  readonly kind: ConditionKind;
  readonly message: string;
  readonly runId: string | null;
  readonly details: Record<string, unknown>;
  /** Kept in the state row (ISO strings). */
  readonly failedAt?: string;
  readonly lastSuccessAt?: string | null;
}

export interface SyncJudgement {
  readonly sync: SyncConfig;
  readonly tenant: TenantConfig;
  readonly facts: SyncFacts;
  /** Undelivered worker events of this sync. */
  readonly events: readonly PendingEvent[];
  readonly open: ReadonlyMap<ConditionKind, OpenCondition>;
  readonly now: Date;
}

const MAX_ERROR = 500;

function clip(text: string, max = MAX_ERROR): string {
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}

function later(a: Date | null, b: Date | null): Date | null {
  if (!a) return b;
  if (!b) return a;
  return a > b ? a : b;
}

function minutesText(minutes: number): string {
  return humanDuration(minutes * 60);
}

function runFailed(j: SyncJudgement): HeldCondition | null {
  const lastOk = j.facts.lastSuccess?.finishedAt ?? null;
  const failing = j.facts.lastFinished?.status === 'failed' ? j.facts.lastFinished : null;
  // Events older than the latest success describe a failure already over.
  const events = j.events.filter((e) => !lastOk || e.at > lastOk);
  let failedAt: Date | null = failing?.finishedAt ?? null;
  for (const event of events) failedAt = later(failedAt, event.at);
  const stored = j.open.get('run_failed')?.detail.failedAt;
  if (stored) failedAt = later(failedAt, new Date(stored));
  if (!failedAt || (lastOk && lastOk >= failedAt)) return null;

  const latestEvent = events.at(-1);
  let core: string;
  let runId: string | null;
  if (failing) {
    runId = failing.id;
    core = `run #${failing.id} failed${failing.attempt ? ` (attempt ${failing.attempt})` : ''}: ${clip(failing.error ?? 'no error recorded')}`;
    if (latestEvent?.kind === 'run_dead_lettered') core += '; the job was moved to the dead-letter queue';
  } else if (latestEvent) {
    runId = latestEvent.runId;
    core = clip(latestEvent.message);
  } else {
    // Open from an earlier tick, its events already folded in: nothing new to say (no alert is sent for it).
    runId = j.open.get('run_failed')?.detail.runId ?? null;
    core = j.open.get('run_failed')?.detail.message ?? 'failing';
  }
  return {
    kind: 'run_failed',
    message: `Sync ${j.sync.id} (${j.tenant.name}): ${core}`,
    runId,
    failedAt: failedAt.toISOString(),
    details: {
      error: failing?.error ? clip(failing.error) : null,
      attempt: failing?.attempt ?? null,
      trigger: failing?.trigger ?? null,
      failedAt: failedAt.toISOString(),
      lastSuccessAt: lastOk?.toISOString() ?? null,
      events: events.map((e) => ({ kind: e.kind, runId: e.runId, at: e.at.toISOString(), message: clip(e.message) })),
    },
  };
}

function stale(j: SyncJudgement): HeldCondition | null {
  const lastOk = j.facts.lastSuccess?.finishedAt ?? null;
  const freshness = freshnessOf(j.sync, j.tenant, lastOk, j.now);
  const open = j.open.get('stale');
  const businessOnly = j.sync.freshness?.businessHoursOnly ?? true;
  if (freshness.staleAfterMinutes === null) return null;
  if (open && freshness.state !== 'stale') {
    const judged = freshness.inBusinessHours || !businessOnly;
    const openedWith = open.detail.lastSuccessAt ? new Date(open.detail.lastSuccessAt) : null;
    const newSuccess = lastOk !== null && (openedWith === null || lastOk > openedWith);
    // Outside business hours "not stale" means "not judged": the condition stays until fresh data.
    if ((freshness.state === 'fresh' && judged) || newSuccess) return null;
  } else if (freshness.state !== 'stale') {
    return null;
  }
  const expected = `expected at least every ${minutesText(freshness.staleAfterMinutes)}${businessOnly ? ' within business hours' : ''}`;
  const core =
    freshness.ageSeconds === null
      ? `no successful run yet (${expected})`
      : `data is stale: the last successful run ended ${humanDuration(freshness.ageSeconds)} ago (${expected})`;
  return {
    kind: 'stale',
    message: `Sync ${j.sync.id} (${j.tenant.name}): ${core}`,
    runId: j.facts.lastSuccess?.id ?? null,
    lastSuccessAt: open ? (open.detail.lastSuccessAt ?? null) : (lastOk?.toISOString() ?? null),
    details: {
      lastSuccessAt: lastOk?.toISOString() ?? null,
      ageSeconds: freshness.ageSeconds,
      staleAfterMinutes: freshness.staleAfterMinutes,
      businessHoursOnly: businessOnly,
      timezone: j.tenant.timezone,
    },
  };
}

function slowRun(j: SyncJudgement): HeldCondition | null {
  const run = j.facts.running;
  const limitMinutes = j.tenant.alerts?.slowRunMinutes ?? 5;
  if (!run?.startedAt) return null;
  const runningSeconds = (j.now.getTime() - run.startedAt.getTime()) / 1000;
  if (runningSeconds <= limitMinutes * 60) return null;
  const percent = typeof run.progress.percent === 'number' ? run.progress.percent : null;
  return {
    kind: 'slow_run',
    message: `Sync ${j.sync.id} (${j.tenant.name}): run #${run.id} has been running for ${humanDuration(runningSeconds)} (limit ${minutesText(limitMinutes)})${percent === null ? '' : `, ${Math.round(percent)}% done`}`,
    runId: run.id,
    details: {
      startedAt: run.startedAt.toISOString(),
      runningSeconds: Math.round(runningSeconds),
      limitMinutes,
      progress: percent,
      records: typeof run.progress.records === 'number' ? run.progress.records : null,
      trigger: run.trigger,
    },
  };
}

/** The conditions holding now for one sync. */
export function judgeSync(j: SyncJudgement): HeldCondition[] {
  return [runFailed(j), stale(j), slowRun(j)].filter((c): c is HeldCondition => c !== null);
}

/** The one-line summary of a recovery: what cleared, and the evidence. */
export function recoveryMessage(j: SyncJudgement, cleared: readonly ConditionKind[]): { message: string; runId: string | null; details: Record<string, unknown> } {
  const ok = j.facts.lastSuccess;
  const parts: string[] = [];
  if (cleared.includes('run_failed') && ok) parts.push(`run #${ok.id} succeeded`);
  if (cleared.includes('stale')) parts.push('data is fresh again');
  if (cleared.includes('slow_run')) {
    const slowId = j.open.get('slow_run')?.detail.runId ?? null;
    parts.push(slowId === null ? 'no run is over its time limit any more' : `slow run #${slowId} ${ok?.id === slowId ? 'succeeded' : 'ended'}`);
  }
  if (parts.length === 0) parts.push(`cleared: ${cleared.join(', ')}`);
  return {
    message: `Sync ${j.sync.id} (${j.tenant.name}) recovered: ${parts.join('; ')}`,
    runId: ok?.id ?? null,
    details: { cleared: [...cleared], lastSuccessAt: ok?.finishedAt?.toISOString() ?? null },
  };
}
