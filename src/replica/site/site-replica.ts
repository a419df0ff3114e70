/**
 * The site side of the replica: `mutate(name, args)` runs the named mutator against the local
 * SQLite tables and appends the mutation to the outbox in ONE transaction, with the client's next
 * sequential mutation id. A crash (SIGKILL) mid-write rolls both back; nothing writes a replicated
 * table without reaching the outbox. The sync client (sync-client.ts) drains the outbox and applies
 * what the server answers through `acknowledge()` and `applyPull()`.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { businessDateOf } from '../../time/business-day.ts';
import type { JsonValue, MutationArgs, ReplicaDefinition, ReplicaRow, ReplicaTx } from '../definition.ts';
import { keyText } from '../rows.ts';
import type { Change, Mutation, PullResponse, PushResponse } from '../protocol.ts';
import { createBookkeeping, createTable, setGate } from './schema.ts';
import { SqliteRows } from './sqlite-rows.ts';

export interface SiteReplicaOptions {
  /** The SQLite file (created if missing). */
  readonly path: string;
  readonly clientId: string;
  readonly definition: ReplicaDefinition;
  /**
   * The site's business timezone until the server has said it (the server's answer is stored and
   * wins from then on: the zone is configured once, on the server).
   */
  readonly timezone: string;
  /** The clock, for created_at and the business date (tests). */
  readonly now?: () => Date;
  /** Acknowledged mutations are kept this long, to re-send them if the server is restored from a backup. */
  readonly keepAckedDays?: number;
}

export interface OutboxEntry {
  readonly mutationId: number;
  readonly name: string;
  readonly args: MutationArgs;
  readonly createdAt: string;
  readonly businessDate: string;
  readonly state: 'pending' | 'acked' | 'rejected';
  readonly error: string | null;
}

/** A row a rejected mutation wrote locally: the server's state of it is fetched on the next pull. */
export interface TouchedRow {
  readonly mutationId: number;
  readonly table: string;
  readonly key: ReplicaRow;
}

type Listener = (mutationId: number) => void;

export class SiteReplica {
  readonly db: DatabaseSync;
  readonly clientId: string;
  readonly definition: ReplicaDefinition;
  private readonly rows: SqliteRows;
  private readonly now: () => Date;
  private readonly keepAckedDays: number;
  private readonly listeners = new Set<Listener>();
  /** Local transactions one after another (a mutator may await between its statements). */
  private queue: Promise<unknown> = Promise.resolve();

  constructor(options: SiteReplicaOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    createBookkeeping(this.db);
    // A process killed inside mutate() never committed its gate change; make sure of it anyway.
    setGate(this.db, 'closed');
    for (const table of Object.keys(options.definition.tables)) createTable(this.db, options.definition, table);
    this.db.prepare(`INSERT OR IGNORE INTO sync_meta (key, value) VALUES ('client_id', ?), ('timezone', ?)`).run(options.clientId, options.timezone);
    const stored = this.meta('client_id');
    if (stored !== options.clientId) throw new Error(`this site database belongs to client ${stored}, not ${options.clientId}`);
    this.clientId = options.clientId;
    this.definition = options.definition;
    this.rows = new SqliteRows(this.db, options.definition);
    this.now = options.now ?? (() => new Date());
    this.keepAckedDays = options.keepAckedDays ?? 30;
  }

  meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  private setMeta(key: string, value: string | null): void {
    if (value === null) this.db.prepare('DELETE FROM sync_meta WHERE key = ?').run(key);
    else this.db.prepare('INSERT INTO sync_meta (key, value) VALUES (?, ?) ON CONFLICT (key) DO UPDATE SET value = excluded.value').run(key, value);
  }

  /** The site's business timezone (the server's, once it has answered). */
  get timezone(): string {
    return this.meta('timezone')!;
  }

  /** The highest mutation id the server has acknowledged to this site. */
  get maxAckedId(): number {
    return Number(this.meta('max_acked_id') ?? 0);
  }

  /** The pull cookie of the last page applied (null: nothing pulled yet). */
  get cookie(): string | null {
    return this.meta('cookie');
  }

  /** The business date of `instant` (default now) at this site: the same function the server uses. */
  businessDate(instant: Date = this.now()): string {
    return businessDateOf(instant, this.timezone);
  }

  /** Called after each committed mutate() (the sync loop pushes soon after). */
  onMutate(listener: Listener): () => void {
    this.listeners.add(listener);
    return () => this.listeners.delete(listener);
  }

  private exclusive<T>(work: () => Promise<T> | T): Promise<T> {
    const run = this.queue.then(work, work);
    this.queue = run.catch(() => undefined);
    return run;
  }

  private transaction<T>(work: () => Promise<T> | T): Promise<T> {
    return this.exclusive(async () => {
      this.db.exec('BEGIN IMMEDIATE');
      try {
        const result = await work();
        this.db.exec('COMMIT');
        return result;
      } catch (error) {
        // The rollback also closes the write gate again (it was closed when the transaction began).
        if (this.db.isTransaction) this.db.exec('ROLLBACK');
        throw error;
      }
    });
  }

  /**
   * Apply `name` with `args` locally and queue it for the server, atomically. Resolves to the
   * mutation id. A mutator that throws leaves neither its writes nor an outbox row, and uses no id.
   */
  mutate(name: string, args: MutationArgs): Promise<number> {
    const mutator = Object.hasOwn(this.definition.mutators, name) ? this.definition.mutators[name] : undefined;
    if (!mutator) return Promise.reject(new Error(`no mutator "${name}"; known: ${Object.keys(this.definition.mutators).join(', ') || '(none)'}`));
    const stored = JSON.parse(JSON.stringify(args)) as MutationArgs;
    return this.transaction(async () => {
      const at = this.now();
      const id = Number(this.meta('next_mutation_id'));
      const createdAt = at.toISOString();
      const businessDate = this.businessDate(at);
      const touched = new Map<string, { table: string; key: string }>();
      const touch = (table: string, row: ReplicaRow) => {
        const key = keyText(this.definition, table, row);
        touched.set(`${table}\u0000${key}`, { table, key });
      };
      const rows = this.rows;
      const tx: ReplicaTx = {
        side: 'site',
        clientId: this.clientId,
        mutationId: id,
        businessDate,
        createdAt,
        get: async (table, key) => rows.get(table, key),
        list: async (table, where) => rows.list(table, where),
        put: async (table, row) => touch(table, rows.put(table, row)),
        delete: async (table, key) => {
          touch(table, key);
          rows.delete(table, key);
        },
      };
      setGate(this.db, 'mutate');
      await mutator(tx, stored);
      setGate(this.db, 'closed');
      this.db
        .prepare('INSERT INTO sync_outbox (mutation_id, name, args, created_at, business_date) VALUES (?, ?, ?, ?, ?)')
        .run(id, name, JSON.stringify(stored), createdAt, businessDate);
      const mark = this.db.prepare('INSERT OR IGNORE INTO sync_touched (mutation_id, table_name, row_key) VALUES (?, ?, ?)');
      for (const { table, key } of touched.values()) mark.run(id, table, key);
      this.setMeta('next_mutation_id', String(id + 1));
      return id;
    }).then((id) => {
      for (const listener of this.listeners) listener(id);
      return id;
    });
  }

  /** Read a replicated row (no transaction needed). */
  get(table: string, key: ReplicaRow): ReplicaRow | null {
    return this.rows.get(table, key);
  }

  list(table: string, where?: ReplicaRow): ReplicaRow[] {
    return this.rows.list(table, where);
  }

  private entries(sql: string, ...params: (string | number)[]): OutboxEntry[] {
    const rows = this.db.prepare(sql).all(...params) as Record<string, unknown>[];
    return rows.map((r) => ({
      mutationId: Number(r.mutation_id),
      name: String(r.name),
      args: JSON.parse(String(r.args)) as MutationArgs,
      createdAt: String(r.created_at),
      businessDate: String(r.business_date),
      state: r.state as OutboxEntry['state'],
      error: (r.last_error as string | null) ?? null,
    }));
  }

  /** Mutations not yet acknowledged by the server, oldest first. */
  pending(limit = 1000): OutboxEntry[] {
    return this.entries(`SELECT * FROM sync_outbox WHERE state = 'pending' ORDER BY mutation_id LIMIT ?`, limit);
  }

  pendingCount(): number {
    return this.countOf('pending');
  }

  rejectedCount(): number {
    return this.countOf('rejected');
  }

  private countOf(state: OutboxEntry['state']): number {
    return Number((this.db.prepare('SELECT count(*) AS n FROM sync_outbox WHERE state = ?').get(state) as { n: number }).n);
  }

  /** Mutations the server refused (kept for a "needs attention" view). */
  rejected(): OutboxEntry[] {
    return this.entries(`SELECT * FROM sync_outbox WHERE state = 'rejected' ORDER BY mutation_id`);
  }

  /** The pending mutations as the push request carries them. */
  outgoing(limit: number): Mutation[] {
    return this.pending(limit).map((e) => ({ id: e.mutationId, name: e.name, args: e.args as Record<string, unknown>, createdAt: e.createdAt, businessDate: e.businessDate }));
  }

  private remember(clock: { serverTime: string; timezone: string }): void {
    this.setMeta('timezone', clock.timezone);
    // The server's clock against ours: shown in status, never used to order anything.
    this.setMeta('clock_offset_ms', String(new Date(clock.serverTime).getTime() - this.now().getTime()));
  }

  /** Record a push answer: acked up to the server's last mutation id, rejected ones flagged for refetch. */
  acknowledge(answer: PushResponse): Promise<{ acked: number; rejected: number }> {
    return this.transaction(() => {
      const at = this.now().toISOString();
      let rejected = 0;
      const reject = this.db.prepare(`UPDATE sync_outbox SET state = 'rejected', last_error = ?, acked_at = ?, needs_refetch = 1 WHERE mutation_id = ? AND state = 'pending'`);
      for (const result of answer.results) {
        if (result.status === 'rejected' || (result.status === 'skipped' && result.error)) rejected += Number(reject.run(result.error ?? 'rejected', at, result.id).changes);
      }
      const acked = this.db.prepare(`UPDATE sync_outbox SET state = 'acked', acked_at = ?, attempts = attempts + 1 WHERE state = 'pending' AND mutation_id <= ?`).run(at, answer.lastMutationId);
      this.setMeta('max_acked_id', String(Math.max(answer.lastMutationId, Number(this.meta('max_acked_id') ?? 0))));
      this.remember(answer);
      // Acknowledged mutations are kept a while (a server restored from backup gets them again).
      const cutoff = new Date(this.now().getTime() - this.keepAckedDays * 86_400_000).toISOString();
      this.db.prepare(`DELETE FROM sync_touched WHERE mutation_id IN (SELECT mutation_id FROM sync_outbox WHERE state = 'acked' AND acked_at < ?)`).run(cutoff);
      this.db.prepare(`DELETE FROM sync_outbox WHERE state = 'acked' AND acked_at < ?`).run(cutoff);
      return { acked: Number(acked.changes), rejected };
    });
  }

  /**
   * The server says it has applied only up to `lastMutationId`, below mutations it acknowledged
   * before (it was restored from a backup): send the kept ones again. Returns how many went back
   * to pending; throws when the site no longer keeps one the server lacks.
   */
  requeueAfter(lastMutationId: number): Promise<number> {
    return this.transaction(() => {
      const first = this.db.prepare(`SELECT min(mutation_id) AS id FROM sync_outbox WHERE mutation_id > ?`).get(lastMutationId) as { id: number | null };
      const next = Number(this.meta('next_mutation_id'));
      if (first.id === null ? next > lastMutationId + 1 : first.id > lastMutationId + 1) {
        throw new Error(`the server has applied mutations up to ${lastMutationId}, but this site no longer keeps ${lastMutationId + 1}…${(first.id ?? next) - 1} to send again`);
      }
      const { changes } = this.db.prepare(`UPDATE sync_outbox SET state = 'pending', acked_at = NULL WHERE mutation_id > ? AND state <> 'pending'`).run(lastMutationId);
      return Number(changes);
    });
  }

  /** Rows written by rejected mutations whose server state has not been fetched yet. */
  toRefetch(limit = 500): TouchedRow[] {
    const rows = this.db
      .prepare(`SELECT t.mutation_id, t.table_name, t.row_key FROM sync_touched t JOIN sync_outbox o USING (mutation_id) WHERE o.needs_refetch = 1 ORDER BY t.mutation_id LIMIT ?`)
      .all(limit) as { mutation_id: number; table_name: string; row_key: string }[];
    return rows
      .filter((r) => Object.hasOwn(this.definition.tables, r.table_name))
      .map((r) => {
        const columns = this.definition.tables[r.table_name]!.key;
        const values = JSON.parse(r.row_key) as JsonValue[];
        return { mutationId: r.mutation_id, table: r.table_name, key: Object.fromEntries(columns.map((c, i) => [c, values[i] ?? null])) };
      });
  }

  private applyChange(change: Change): void {
    if (!Object.hasOwn(this.definition.tables, change.table)) return; // a table this build does not know
    if (change.op === 'put') this.rows.put(change.table, change.row as ReplicaRow);
    else this.rows.delete(change.table, change.key as ReplicaRow);
  }

  /**
   * Apply one pull page in one transaction, unless a pending mutation is newer than what the
   * server has acknowledged (then the server's rows do not include it yet: push first, pull again).
   */
  applyPull(page: PullResponse, refetched: readonly TouchedRow[] = []): Promise<'applied' | 'pending-newer'> {
    return this.transaction(() => {
      const newer = this.db.prepare(`SELECT 1 FROM sync_outbox WHERE state = 'pending' AND mutation_id > ? LIMIT 1`).get(page.lastMutationId);
      if (newer) return 'pending-newer' as const;
      setGate(this.db, 'pull');
      if (page.reset) this.rows.clear();
      for (const change of page.changes) this.applyChange(change);
      for (const change of page.refetched) this.applyChange(change);
      setGate(this.db, 'closed');
      const done = this.db.prepare('UPDATE sync_outbox SET needs_refetch = 0 WHERE mutation_id = ?');
      for (const mutationId of new Set(refetched.map((r) => r.mutationId))) done.run(mutationId);
      this.setMeta('cookie', page.cookie);
      this.setMeta('last_pull_at', this.now().toISOString());
      this.remember(page);
      return 'applied' as const;
    });
  }

  close(): void {
    this.db.close();
  }
}
