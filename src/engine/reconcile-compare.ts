/**
 * Reconcile one window of a sync: the upstream's totals per business day and group against the
 * destination table's, and the report as JSON. Shared by `tidemark reconcile` (which may then fix
 * the differing days) and `GET /api/v1/tenants/{tenant}/reconcile` (read-only).
 */
import type { Destination } from '../destinations/destination.ts';
import { openDestination } from '../destinations/open.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { BusinessWindow } from '../time/window.ts';
import { datesOf } from '../time/window.ts';
import type { ReconcileSpec } from './stream.ts';
import type { SyncParts } from './resolve-sync.ts';
import type { RunSummary } from './run-sync.ts';
import { compareTotals, type Comparison } from './reconcile-report.ts';
import { readUpstreamTotals } from './upstream-totals.ts';

/** The sync cannot be reconciled (its stream has no daily totals, or it is not window mode). */
export class ReconcileUnsupportedError extends Error {
  override readonly name = 'ReconcileUnsupportedError';
}

export interface ReconcileSide {
  readonly comparison: Comparison;
  /** Upstream records that did not normalize (a sync dead-letters them): not in the totals. */
  readonly unreadableUpstream: number;
}

export function reconcileSpecOf(parts: SyncParts): ReconcileSpec {
  const { sync } = parts;
  const spec = sync.stream.reconcile;
  if (!spec) {
    throw new ReconcileUnsupportedError(
      `sync "${sync.id}" reads ${sync.stream.name}, which reconcile cannot total yet; it supports window-mode streams with totals per day (connecteam.shifts)`,
    );
  }
  if (sync.mode !== 'window') throw new ReconcileUnsupportedError(`sync "${sync.id}" runs in ${sync.mode} mode; reconcile compares business days of window-mode syncs`);
  const names = new Set(sync.table.spec.columns.map((c) => c.name));
  for (const column of [spec.dateColumn, spec.groupColumn, spec.sumColumn]) {
    if (!names.has(column)) throw new Error(`stream ${sync.stream.name}: reconcile column "${column}" is not a column of table ${sync.table.spec.name}`);
  }
  return spec;
}

/** Read the upstream's totals and the table's for the window, and compare them. */
export async function compareWindow(
  parts: SyncParts,
  spec: ReconcileSpec,
  client: UpstreamClient,
  destination: Destination,
  window: BusinessWindow,
  signal: AbortSignal,
): Promise<ReconcileSide> {
  const { sync } = parts;
  const [upstream, stored] = await Promise.all([
    readUpstreamTotals(sync, spec, client, window, signal),
    destination.dailyTotals(sync.table, sync.tenantId, { start: window.start, end: window.end }, spec),
  ]);
  return { comparison: compareTotals(datesOf(window), upstream.totals, stored), unreadableUpstream: upstream.unreadable };
}

export const sideJson = (side: ReconcileSide) => ({ matches: side.comparison.matches, days: side.comparison.days, unreadableUpstream: side.unreadableUpstream });

/** The report as `tidemark reconcile --json` prints it (and the API answers it). */
export function reconcileJson(
  parts: SyncParts,
  spec: ReconcileSpec,
  window: BusinessWindow,
  final: ReconcileSide,
  fix: { readonly before: ReconcileSide; readonly runs: readonly RunSummary[] } | null,
) {
  const { sync } = parts;
  return {
    syncId: sync.id,
    tenantId: sync.tenantId,
    stream: sync.stream.name,
    table: sync.table.schema ? `${sync.table.schema}.${sync.table.name}` : sync.table.name,
    window: { from: window.from, to: window.to, timezone: window.timezone },
    labels: spec.labels,
    // The table as it stands now (after --fix); the comparison that led to a fix is in fix.before.
    ...sideJson(final),
    fix: fix ? { before: sideJson(fix.before), runs: fix.runs.map((r) => ({ runId: r.runId, window: r.window, status: r.status, counts: r.counts, error: r.error })) } : null,
  };
}

export type ReconcileReport = ReturnType<typeof reconcileJson>;

/** Compare one window without changing anything: the destination is opened, read and closed (never created). */
export async function reconcileReport(parts: SyncParts, window: BusinessWindow, signal: AbortSignal): Promise<ReconcileReport> {
  const spec = reconcileSpecOf(parts);
  const client = parts.createClient();
  const destination = await openDestination(parts.destinationUrl);
  try {
    return reconcileJson(parts, spec, window, await compareWindow(parts, spec, client, destination, window, signal), null);
  } finally {
    await destination.close();
  }
}
