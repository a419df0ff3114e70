/**
 * The site side of the replica: `mutate(name, args)` applies a named local write and appends it
 * to the outbox in ONE SQLite transaction, with the client's next sequential mutation id. A crash
 * (SIGKILL) mid-write rolls both back; nothing writes a tracked table without reaching the outbox.
 */
import { DatabaseSync } from 'node:sqlite';
import { mkdirSync } from 'node:fs';
import { dirname } from 'node:path';
import { businessDateOf } from '../../time/business-day.ts';
import { createBookkeeping, guardTable } from './schema.ts';

export type JsonArgs = Record<string, unknown>;

/** A named local write: gets the open database inside the mutation's transaction. */
export type Mutator = (db: DatabaseSync, args: JsonArgs) => void;

export interface SiteReplicaOptions {
  /** The SQLite file (created if missing). */
  readonly path: string;
  readonly clientId: string;
  /** The site's business timezone (as the server configures it; it answers it on every sync). */
  readonly timezone: string;
  /** Tracked tables: name → CREATE TABLE statement (run if the table is missing). */
  readonly tables: Readonly<Record<string, string>>;
  readonly mutators: Readonly<Record<string, Mutator>>;
  /** The clock, for created_at and the business date (tests). */
  readonly now?: () => Date;
}

export interface OutboxEntry {
  readonly mutationId: number;
  readonly name: string;
  readonly args: JsonArgs;
  readonly createdAt: string;
  readonly businessDate: string;
  readonly state: 'pending' | 'acked' | 'rejected';
}

export class SiteReplica {
  readonly db: DatabaseSync;
  readonly clientId: string;
  timezone: string;
  private readonly mutators: Readonly<Record<string, Mutator>>;
  private readonly now: () => Date;

  constructor(options: SiteReplicaOptions) {
    mkdirSync(dirname(options.path), { recursive: true });
    this.db = new DatabaseSync(options.path);
    this.db.exec('PRAGMA journal_mode = WAL; PRAGMA synchronous = FULL; PRAGMA busy_timeout = 5000;');
    createBookkeeping(this.db);
    // A process killed inside mutate() never committed its gate change; an earlier build could not leave it open either.
    this.db.prepare(`UPDATE sync_meta SET value = 'closed' WHERE key = 'write_gate'`).run();
    for (const [table, ddl] of Object.entries(options.tables)) {
      this.db.exec(ddl);
      guardTable(this.db, table);
    }
    this.db.prepare(`INSERT OR IGNORE INTO sync_meta (key, value) VALUES ('client_id', ?)`).run(options.clientId);
    const stored = this.meta('client_id');
    if (stored !== options.clientId) throw new Error(`this site database belongs to client ${stored}, not ${options.clientId}`);
    this.clientId = options.clientId;
    this.timezone = options.timezone;
    this.mutators = options.mutators;
    this.now = options.now ?? (() => new Date());
  }

  private meta(key: string): string | null {
    const row = this.db.prepare('SELECT value FROM sync_meta WHERE key = ?').get(key) as { value: string } | undefined;
    return row?.value ?? null;
  }

  /**
   * Apply `name` with `args` locally and queue it for the server, atomically. Returns the mutation
   * id. A mutator that throws leaves neither its writes nor an outbox row.
   */
  mutate(name: string, args: JsonArgs): number {
    const mutator = this.mutators[name];
    if (!mutator) throw new Error(`no mutator "${name}"; known: ${Object.keys(this.mutators).join(', ') || '(none)'}`);
    const at = this.now();
    this.db.exec('BEGIN IMMEDIATE');
    try {
      const id = Number(this.meta('next_mutation_id'));
      this.db.prepare(`UPDATE sync_meta SET value = 'open' WHERE key = 'write_gate'`).run();
      mutator(this.db, args);
      this.db.prepare(`UPDATE sync_meta SET value = 'closed' WHERE key = 'write_gate'`).run();
      this.db
        .prepare('INSERT INTO sync_outbox (mutation_id, name, args, created_at, business_date) VALUES (?, ?, ?, ?, ?)')
        .run(id, name, JSON.stringify(args), at.toISOString(), businessDateOf(at, this.timezone));
      this.db.prepare(`UPDATE sync_meta SET value = ? WHERE key = 'next_mutation_id'`).run(String(id + 1));
      this.db.exec('COMMIT');
      return id;
    } catch (error) {
      this.db.exec('ROLLBACK');
      throw error;
    }
  }

  /** Mutations not yet acknowledged by the server, oldest first. */
  pending(limit = 500): OutboxEntry[] {
    const rows = this.db.prepare(`SELECT * FROM sync_outbox WHERE state = 'pending' ORDER BY mutation_id LIMIT ?`).all(limit) as Record<string, unknown>[];
    return rows.map((r) => ({
      mutationId: Number(r.mutation_id),
      name: String(r.name),
      args: JSON.parse(String(r.args)) as JsonArgs,
      createdAt: String(r.created_at),
      businessDate: String(r.business_date),
      state: r.state as OutboxEntry['state'],
    }));
  }

  close(): void {
    this.db.close();
  }
}
