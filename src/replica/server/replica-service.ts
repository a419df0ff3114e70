/**
 * The server side of every configured replica: loads each replica's definition module, answers
 * push and pull for authenticated clients, holds their credentials, and prunes old tombstones and
 * mutation records.
 */
import { pathToFileURL } from 'node:url';
import type { SqlClient } from '../../db/sql-client.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import type { Config } from '../../config/schema.ts';
import { ConfigError } from '../../config/config-error.ts';
import type { ReplicaDefinition } from '../definition.ts';
import type { PullRequest, PushRequest } from '../protocol.ts';
import { ReplicaClients, type ReplicaClientIdentity } from './clients.ts';
import { push } from './push.ts';
import { pull } from './pull.ts';
import type { ReplicaAnswer, ReplicaRuntime } from './replica-runtime.ts';

export interface ReplicaServiceOptions {
  readonly now?: () => Date;
  readonly notice?: (message: string, details: Record<string, unknown>) => void;
}

function isDefinition(value: unknown): value is ReplicaDefinition {
  const v = value as Partial<ReplicaDefinition> | null;
  return typeof v === 'object' && v !== null && typeof v.schemaVersion === 'number' && typeof v.tables === 'object' && typeof v.mutators === 'object';
}

/** Import each replica's module (its default export is `defineReplica({...})`). */
export async function loadReplicas(config: Config): Promise<ReplicaRuntime[]> {
  const runtimes: ReplicaRuntime[] = [];
  for (const [i, replica] of config.replicas.entries()) {
    let loaded: { default?: unknown };
    try {
      loaded = (await import(pathToFileURL(replica.module).href)) as { default?: unknown };
    } catch (error) {
      throw new ConfigError('configuration', [{ setting: `replicas[${i}].module`, message: `cannot load ${replica.module}: ${(error as Error).message}` }]);
    }
    if (!isDefinition(loaded.default)) {
      throw new ConfigError('configuration', [{ setting: `replicas[${i}].module`, message: `${replica.module} must export default defineReplica({ schemaVersion, tables, mutators })` }]);
    }
    const tenant = config.tenants.find((t) => t.id === replica.tenant);
    runtimes.push({
      id: replica.id,
      timezone: replica.timezone ?? tenant?.timezone ?? 'UTC',
      definition: loaded.default,
      settings: {
        pushMaxMutations: replica.pushMaxMutations,
        pullPageSize: replica.pullPageSize,
        tombstoneRetentionDays: replica.tombstoneRetentionDays,
        mutationsRetentionDays: replica.mutationsRetentionDays,
      },
    });
  }
  return runtimes;
}

export class ReplicaService {
  readonly clients: ReplicaClients;
  private readonly db: SqlClient;
  private readonly schema: string;
  private readonly replicas: ReadonlyMap<string, ReplicaRuntime>;
  private readonly now: () => Date;
  private readonly notice: NonNullable<ReplicaServiceOptions['notice']>;

  constructor(db: SqlClient, schema: string, replicas: readonly ReplicaRuntime[], options: ReplicaServiceOptions = {}) {
    this.db = db;
    this.schema = quoteIdent(schema);
    this.clients = new ReplicaClients(db, schema);
    this.replicas = new Map(replicas.map((r) => [r.id, r]));
    this.now = options.now ?? (() => new Date());
    this.notice = options.notice ?? (() => undefined);
  }

  get ids(): string[] {
    return [...this.replicas.keys()];
  }

  find(replicaId: string): ReplicaRuntime | undefined {
    return this.replicas.get(replicaId);
  }

  private runtime(identity: ReplicaClientIdentity): ReplicaRuntime | ReplicaAnswer {
    const replica = this.replicas.get(identity.replicaId);
    return replica ?? { status: 404, body: { error: `replica "${identity.replicaId}" is not configured on this server` } };
  }

  async push(identity: ReplicaClientIdentity, request: PushRequest): Promise<ReplicaAnswer> {
    const replica = this.runtime(identity);
    if ('status' in replica) return replica;
    return push({ db: this.db, schema: this.schema, replica, now: this.now, notice: this.notice }, identity, request);
  }

  async pull(identity: ReplicaClientIdentity, request: PullRequest): Promise<ReplicaAnswer> {
    const replica = this.runtime(identity);
    if ('status' in replica) return replica;
    return pull({ db: this.db, schema: this.schema, replica, now: this.now }, identity, request);
  }

  /**
   * Drop tombstones and mutation records past their retention (`before` overrides the cutoff of
   * tombstones, for tests and `tidemark replica prune`). A site whose cookie is older than the
   * newest dropped tombstone is answered `reset` on its next pull.
   */
  async prune(replicaId: string, before?: Date): Promise<{ tombstones: number; mutations: number }> {
    const replica = this.replicas.get(replicaId);
    if (!replica) throw new Error(`replica "${replicaId}" is not configured`);
    const now = this.now();
    const tombstoneCutoff = before ?? new Date(now.getTime() - replica.settings.tombstoneRetentionDays * 86_400_000);
    const mutationCutoff = new Date(now.getTime() - replica.settings.mutationsRetentionDays * 86_400_000);
    return this.db.transaction(async (tx) => {
      const gone = await tx.query<{ n: string; top: string | null }>(
        `WITH gone AS (DELETE FROM ${this.schema}.replica_rows WHERE replica_id = $1 AND deleted_at < $2 RETURNING version)
         SELECT count(*) AS n, max(version) AS top FROM gone`,
        [replicaId, tombstoneCutoff],
      );
      const top = gone.rows[0]?.top;
      if (top !== null && top !== undefined) {
        await tx.query(`UPDATE ${this.schema}.replica_spaces SET pruned_through = GREATEST(pruned_through, $2) WHERE replica_id = $1`, [replicaId, top]);
      }
      const mutations = await tx.query(`DELETE FROM ${this.schema}.replica_mutations WHERE replica_id = $1 AND received_at < $2`, [replicaId, mutationCutoff]);
      return { tombstones: Number(gone.rows[0]?.n ?? 0), mutations: mutations.rowCount };
    });
  }

  /** Prune every replica (the server does this every hour). */
  async pruneAll(): Promise<void> {
    for (const id of this.replicas.keys()) await this.prune(id);
  }
}
