/**
 * Read a window through a stream exactly as a sync does (read + normalize), writing nothing: for
 * tools that compare the upstream with a table (reconcile, repair). Each record once, by key.
 */
import type { NormalizedRecord } from './stream.ts';
import type { ResolvedSync } from './resolved-sync.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { BusinessWindow } from '../time/window.ts';

export interface WindowRead {
  /** Normalized records by key, first occurrence kept (a chunk boundary may hand one out twice). */
  readonly records: ReadonlyMap<string, NormalizedRecord>;
  /** Records that did not normalize (a sync would dead-letter them). */
  readonly unreadable: number;
}

export async function readWindow(sync: ResolvedSync, client: UpstreamClient, window: BusinessWindow, signal?: AbortSignal): Promise<WindowRead> {
  const records = new Map<string, NormalizedRecord>();
  let unreadable = 0;
  const plan = { tenantId: sync.tenantId, timezone: sync.timezone, mode: 'window' as const, window, ...(signal ? { signal } : {}) };
  for await (const page of sync.stream.read(client, plan)) {
    for (const raw of page.records) {
      const result = sync.stream.normalize(raw, { tenantId: sync.tenantId, timezone: sync.timezone });
      if (!result.ok) unreadable++;
      else if (!records.has(result.record.key)) records.set(result.record.key, result.record);
    }
  }
  return { records, unreadable };
}
