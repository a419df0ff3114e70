/**
 * The rows a sync would merge, read and normalized ahead of time (content hashes included), so the
 * load measurements time the database alone: the same rows, from the same simulator and connector.
 */
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import type { MergeRow } from '../src/destinations/destination.ts';
import { contentHash } from '../src/engine/content-hash.ts';
import { BENCH_TENANT, benchClient, benchWindow } from './bench-sync.ts';
import type { JobContext } from './jobs.ts';

export async function readMergeRows(context: JobContext): Promise<MergeRow[]> {
  const client = benchClient(context);
  const window = benchWindow(context);
  const plan = { tenantId: BENCH_TENANT, timezone: window.timezone, mode: 'window' as const, window };
  const rows: MergeRow[] = [];
  const keys = new Set<string>();
  for await (const page of shiftsStream.read(client, plan)) {
    for (const raw of page.records) {
      const result = shiftsStream.normalize(raw, plan);
      if (!result.ok) throw new Error(`the simulator sent a record the connector rejects: ${result.reason}`);
      if (keys.has(result.record.key)) continue;
      keys.add(result.record.key);
      rows.push({ key: result.record.key, values: result.record.values, hash: contentHash(result.record.values) });
    }
  }
  return rows;
}
