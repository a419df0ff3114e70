/**
 * A worker runs many syncs against few databases: each destination is opened once per process and
 * each table ensured once, not per run (10,000 hourly syncs must not open 10,000 pools an hour).
 */
import type { Destination, TargetTable } from '../destinations/destination.ts';
import { openDestination } from '../destinations/open.ts';

/** DDL errors of a schema or table created by another process at the same moment (a unique catalog index, or "already exists"). */
const CONCURRENT_DDL = new Set(['23505', '42P06', '42P07', '42710']);

/**
 * Workers starting together on a fresh warehouse create the same schema (or table) at once; the
 * loser's `CREATE … IF NOT EXISTS` fails on the catalog's unique index. Trying again finds it made.
 */
async function ensureTable(destination: Destination, table: TargetTable): Promise<unknown> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await destination.ensureTable(table);
    } catch (error) {
      const code = (error as { code?: unknown } | null)?.code;
      if (attempt >= 3 || typeof code !== 'string' || !CONCURRENT_DDL.has(code)) throw error;
    }
  }
}

export class DestinationCache {
  private readonly open = new Map<string, Promise<Destination>>();
  private readonly ensured = new Map<string, Promise<unknown>>();

  async get(url: string, table: TargetTable): Promise<Destination> {
    let destination = this.open.get(url);
    if (!destination) {
      destination = openDestination(url);
      this.open.set(url, destination);
      destination.catch(() => this.open.delete(url));
    }
    const ready = await destination;
    const key = `${url}\u0000${table.schema ?? ''}.${table.name}`;
    let ensured = this.ensured.get(key);
    if (!ensured) {
      ensured = ensureTable(ready, table);
      this.ensured.set(key, ensured);
      ensured.catch(() => this.ensured.delete(key));
    }
    await ensured;
    return ready;
  }

  async closeAll(): Promise<void> {
    const all = [...this.open.values()];
    this.open.clear();
    this.ensured.clear();
    await Promise.allSettled(all.map(async (d) => (await d).close()));
  }
}
