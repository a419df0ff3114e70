/**
 * One evaluation of every watched sync (a sync of a tenant with at least one alert channel):
 * read the facts, judge the conditions, and open or close them in `alert_state`, queueing the
 * alerts to deliver, all in one transaction under the evaluation lock (see state.ts). Worker
 * events read here are marked delivered in the same transaction: they are folded into the
 * sync's `run_failed` condition (an alert if it opens, nothing new if it is already open).
 */
import type { Config, SyncConfig, TenantConfig } from '../../config/schema.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { newAlert, type Alert, type ConditionKind } from './alert.ts';
import { judgeSync, recoveryMessage, type HeldCondition, type SyncJudgement } from './conditions.ts';
import { readOpenConditions, readPendingEvents, readSyncFacts, type ConditionDetail, type OpenCondition, type PendingEvent } from './facts.ts';
import type { DeliveryDetail } from './outbox.ts';
import { insertDelivery } from './outbox.ts';
import { scrubDeep } from './redact.ts';
import { closeConditions, markEventsDelivered, openCondition, updateCondition, withEvaluationLock } from './state.ts';
import { tenantChannels } from './channels/tenant-channels.ts';

export interface WatchedSync {
  readonly sync: SyncConfig;
  readonly tenant: TenantConfig;
  /** Ids of the tenant's channels (`webhook:0`, `slack`, …). */
  readonly channelIds: readonly string[];
}

/** Syncs whose tenant has at least one channel: the only ones worth judging. */
export function watchedSyncs(config: Config, env: NodeJS.ProcessEnv): WatchedSync[] {
  const watched: WatchedSync[] = [];
  for (const tenant of config.tenants) {
    const channelIds = tenantChannels(tenant, env).map((c) => c.id);
    if (channelIds.length === 0) continue;
    for (const sync of config.syncs) if (sync.tenant === tenant.id) watched.push({ sync, tenant, channelIds });
  }
  return watched;
}

export interface EvaluateOptions {
  readonly config: Config;
  readonly ledger: Ledger;
  readonly watched: readonly WatchedSync[];
  readonly now: Date;
  /** Skip when any process evaluated less than this long ago. */
  readonly minGapSeconds: number;
  /** Masked in every alert text (see redact.ts). */
  readonly secrets: readonly string[];
}

export interface EvaluationReport {
  /** False when another process is evaluating, or evaluated within the gap. */
  readonly evaluated: boolean;
  /** Alerts queued by this evaluation (openings and recoveries). */
  readonly queued: readonly Alert[];
  /** Conditions closed, announced or not. */
  readonly closed: number;
}

function delivery(alert: Alert, watched: WatchedSync): DeliveryDetail {
  return { tenant: watched.tenant.id, alert, pending: [...watched.channelIds], attempts: 0 };
}

function conditionDetail(held: HeldCondition, tenant: string, alertId: string): ConditionDetail {
  return {
    tenant,
    alertId,
    runId: held.runId,
    message: held.message,
    ...(held.failedAt !== undefined ? { failedAt: held.failedAt } : {}),
    ...(held.lastSuccessAt !== undefined ? { lastSuccessAt: held.lastSuccessAt } : {}),
  };
}

export async function evaluateAlerts(options: EvaluateOptions): Promise<EvaluationReport> {
  const { ledger, watched, now } = options;
  if (watched.length === 0) return { evaluated: false, queued: [], closed: 0 };
  const s = quoteIdent(options.config.controlPlane.schema);
  const result = await withEvaluationLock(ledger.db, options.config.controlPlane.schema, s, options.minGapSeconds, async (tx) => {
    const ids = watched.map((w) => w.sync.id);
    const facts = await readSyncFacts(tx, s, ids);
    const events = await readPendingEvents(tx, s, ids);
    const open = await readOpenConditions(tx, s, ids);
    const eventsBySync = group(events, (e) => e.syncId);
    const openBySync = group(open, (o) => o.syncId);
    const queued: Alert[] = [];
    let closed = 0;

    for (const w of watched) {
      const openHere = new Map<ConditionKind, OpenCondition>((openBySync.get(w.sync.id) ?? []).map((o) => [o.kind, o]));
      const judgement: SyncJudgement = {
        sync: w.sync,
        tenant: w.tenant,
        facts: facts.get(w.sync.id) ?? { lastFinished: null, lastSuccess: null, running: null },
        events: eventsBySync.get(w.sync.id) ?? ([] as PendingEvent[]),
        open: openHere,
        now,
      };
      const held = judgeSync(judgement);

      for (const condition of held) {
        const already = openHere.get(condition.kind);
        if (already) {
          if (condition.failedAt !== undefined && condition.failedAt !== already.detail.failedAt) {
            await updateCondition(tx, s, w.sync.id, condition.kind, { failedAt: condition.failedAt, runId: condition.runId });
          }
          continue;
        }
        const alert = scrubDeep(
          newAlert({ kind: condition.kind, tenant: w.tenant.id, sync: w.sync.id, message: condition.message, ...(condition.runId ? { runId: condition.runId } : {}), details: condition.details }, now),
          options.secrets,
        );
        if (await openCondition(tx, s, w.sync.id, condition.kind, conditionDetail({ ...condition, message: alert.message }, w.tenant.id, alert.id), delivery(alert, w))) queued.push(alert);
      }

      const heldKinds = new Set(held.map((c) => c.kind));
      const clearing = [...openHere.keys()].filter((kind) => !heldKinds.has(kind));
      const cleared = await closeConditions(tx, s, w.sync.id, clearing);
      closed += cleared.length;
      // "Recovered" means all clear: a condition ending while another holds (a slow run that then
      // failed) is closed without a message; the open one speaks for the sync.
      if (cleared.length > 0 && held.length === 0) {
        const recovery = recoveryMessage(judgement, cleared);
        const alert = scrubDeep(
          newAlert({ kind: 'recovered', tenant: w.tenant.id, sync: w.sync.id, message: recovery.message, ...(recovery.runId ? { runId: recovery.runId } : {}), details: recovery.details }, now),
          options.secrets,
        );
        await insertDelivery(tx, s, w.sync.id, delivery(alert, w));
        queued.push(alert);
      }
    }
    await markEventsDelivered(tx, s, events.map((e) => e.id));
    return { queued, closed };
  });
  return result ? { evaluated: true, ...result } : { evaluated: false, queued: [], closed: 0 };
}

function group<T>(items: readonly T[], key: (item: T) => string): Map<string, T[]> {
  const map = new Map<string, T[]>();
  for (const item of items) {
    const list = map.get(key(item));
    if (list) list.push(item);
    else map.set(key(item), [item]);
  }
  return map;
}
