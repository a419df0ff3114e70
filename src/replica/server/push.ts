/**
 * POST /api/v1/replica/push: each mutation in its own transaction, with the client's last mutation
 * id (LMID) updated in that same transaction (docs/replica.md "Push"):
 *   id ≤ LMID      already applied: skipped (and checked to be the same mutation);
 *   id > LMID + 1  a gap: refused with 409 out_of_order and the LMID, nothing after it is applied;
 *   id = LMID + 1  run the mutator under the replica's version lock; a mutator that refuses (or
 *                  fails on its own data) is recorded as rejected and still consumed.
 * At most pushMaxMutations of a push are applied; the site sends the rest in its next push.
 * A database failure that retrying can fix stops the push with 503 and Retry-After.
 */
import { createHash } from 'node:crypto';
import type { SqlClient, SqlQueryable } from '../../db/sql-client.ts';
import { businessDateOf } from '../../time/business-day.ts';
import type { MutationArgs } from '../definition.ts';
import type { Mutation, MutationResult, PushRequest } from '../protocol.ts';
import type { ReplicaClientIdentity } from './clients.ts';
import { serverTx } from './server-tx.ts';
import { isTransient, type ReplicaAnswer, type ReplicaRuntime } from './replica-runtime.ts';
import { clockOf } from './server-clock.ts';

export interface PushContext {
  readonly db: SqlClient;
  /** The quoted control-plane schema. */
  readonly schema: string;
  readonly replica: ReplicaRuntime;
  readonly now: () => Date;
  /** Told when a site's business date disagrees with the server's for the same instant. */
  readonly notice: (message: string, details: Record<string, unknown>) => void;
}

type Outcome =
  | { readonly kind: 'result'; readonly result: MutationResult; readonly lastMutationId: number }
  | { readonly kind: 'out_of_order' | 'client_state_mismatch' | 'gone'; readonly lastMutationId: number };

const argsHash = (m: Mutation) => createHash('sha256').update(JSON.stringify([m.name, m.args]), 'utf8').digest('hex');

function rejection(error: unknown): string {
  const message = error instanceof Error ? (error.name === 'MutationRejected' ? error.message : `${error.name}: ${error.message}`) : String(error);
  return message.slice(0, 1000);
}

async function applyOne(ctx: PushContext, tx: SqlQueryable, clientId: string, m: Mutation): Promise<Outcome> {
  const { schema: s, replica } = ctx;
  const client = await tx.query<{ last_mutation_id: string }>(
    `SELECT last_mutation_id FROM ${s}.replica_clients WHERE replica_id = $1 AND client_id = $2 AND revoked_at IS NULL FOR UPDATE`,
    [replica.id, clientId],
  );
  if (!client.rows[0]) return { kind: 'gone', lastMutationId: 0 };
  const lmid = Number(client.rows[0].last_mutation_id);
  const hash = argsHash(m);
  if (m.id <= lmid) {
    const seen = await tx.query<{ args_hash: string; status: string; error: string | null }>(`SELECT args_hash, status, error FROM ${s}.replica_mutations WHERE replica_id = $1 AND client_id = $2 AND mutation_id = $3`, [replica.id, clientId, m.id]);
    // A pruned record cannot be compared; an id at or below the LMID was applied either way.
    if (seen.rows[0] && seen.rows[0].args_hash !== hash) return { kind: 'client_state_mismatch', lastMutationId: lmid };
    // A replay of a rejected mutation says so again: the site may not have heard it the first time.
    const rejected = seen.rows[0]?.status === 'rejected' ? { error: seen.rows[0].error ?? 'rejected' } : {};
    return { kind: 'result', result: { id: m.id, status: 'skipped', ...rejected }, lastMutationId: lmid };
  }
  if (m.id > lmid + 1) return { kind: 'out_of_order', lastMutationId: lmid };

  const space = await tx.query<{ version: string }>(
    `INSERT INTO ${s}.replica_spaces (replica_id, version) VALUES ($1, 1)
     ON CONFLICT (replica_id) DO UPDATE SET version = ${s}.replica_spaces.version + 1 RETURNING version`,
    [replica.id],
  );
  const version = Number(space.rows[0]!.version);
  const serverDate = businessDateOf(new Date(m.createdAt), replica.timezone);
  if (serverDate !== m.businessDate) {
    ctx.notice('replica: the site and the server disagree on a business date', { replica: replica.id, client: clientId, mutation: m.id, createdAt: m.createdAt, site: m.businessDate, server: serverDate });
  }
  let error: string | null = null;
  const mutator = Object.hasOwn(replica.definition.mutators, m.name) ? replica.definition.mutators[m.name] : undefined;
  if (!mutator) {
    error = `no mutator "${m.name}" on the server; known: ${Object.keys(replica.definition.mutators).join(', ')}`;
  } else {
    await tx.query('SAVEPOINT tidemark_mutation');
    try {
      const effects = serverTx({ db: tx, schema: s, replicaId: replica.id, definition: replica.definition, version, clientId, mutationId: m.id, businessDate: m.businessDate, createdAt: m.createdAt });
      await mutator(effects, m.args as MutationArgs);
      await tx.query('RELEASE SAVEPOINT tidemark_mutation');
    } catch (cause) {
      if (isTransient(cause)) throw cause;
      await tx.query('ROLLBACK TO SAVEPOINT tidemark_mutation');
      error = rejection(cause);
    }
  }
  await tx.query(
    `INSERT INTO ${s}.replica_mutations (replica_id, client_id, mutation_id, name, args, args_hash, status, error, version, client_created_at, client_business_date, server_business_date)
     VALUES ($1, $2, $3, $4, $5::jsonb, $6, $7, $8, $9, $10, $11, $12)`,
    [replica.id, clientId, m.id, m.name, JSON.stringify(m.args), hash, error === null ? 'applied' : 'rejected', error, version, m.createdAt, m.businessDate, serverDate],
  );
  await tx.query(`UPDATE ${s}.replica_clients SET last_mutation_id = $3, last_seen_at = now() WHERE replica_id = $1 AND client_id = $2`, [replica.id, clientId, m.id]);
  const result: MutationResult = error === null ? { id: m.id, status: 'applied' } : { id: m.id, status: 'rejected', error };
  return { kind: 'result', result, lastMutationId: m.id };
}

async function currentLmid(ctx: PushContext, clientId: string): Promise<number> {
  const { rows } = await ctx.db.query<{ last_mutation_id: string }>(
    `UPDATE ${ctx.schema}.replica_clients SET last_seen_at = now() WHERE replica_id = $1 AND client_id = $2 RETURNING last_mutation_id`,
    [ctx.replica.id, clientId],
  );
  return Number(rows[0]?.last_mutation_id ?? 0);
}

export async function push(ctx: PushContext, identity: ReplicaClientIdentity, request: PushRequest): Promise<ReplicaAnswer> {
  const { replica } = ctx;
  if (request.clientId !== identity.clientId) {
    return { status: 403, body: { error: `this credential belongs to client "${identity.clientId}"; a client can only push as itself` } };
  }
  if (request.schemaVersion !== replica.definition.schemaVersion) {
    return { status: 409, body: { error: 'schema_mismatch', message: `the server runs schema version ${replica.definition.schemaVersion}; this site sent ${request.schemaVersion}: upgrade the site`, schemaVersion: replica.definition.schemaVersion } };
  }
  const results: MutationResult[] = [];
  let lastMutationId = request.mutations.length === 0 ? await currentLmid(ctx, identity.clientId) : 0;
  // A push longer than pushMaxMutations is applied up to that many; the answer's lastMutationId
  // tells the site where to go on from (its next push starts there).
  for (const mutation of request.mutations.slice(0, replica.settings.pushMaxMutations)) {
    let outcome: Outcome;
    try {
      outcome = await ctx.db.transaction((tx) => applyOne(ctx, tx, identity.clientId, mutation));
    } catch (error) {
      if (!isTransient(error)) throw error;
      return { status: 503, headers: { 'retry-after': '5' }, body: { error: 'the server could not apply the push now; retry later', lastMutationId, results } };
    }
    lastMutationId = outcome.lastMutationId;
    if (outcome.kind === 'gone') return { status: 401, body: { error: 'this client was revoked' } };
    if (outcome.kind === 'out_of_order') {
      return {
        status: 409,
        body: { error: 'out_of_order', message: `mutation ${mutation.id} is not the next one: the server has applied up to ${outcome.lastMutationId}; send ${outcome.lastMutationId + 1} next`, lastMutationId: outcome.lastMutationId },
      };
    }
    if (outcome.kind === 'client_state_mismatch') {
      return {
        status: 409,
        body: { error: 'client_state_mismatch', message: `mutation ${mutation.id} differs from the one the server applied under that id (was the site database restored or replaced?)`, lastMutationId: outcome.lastMutationId },
      };
    }
    if (outcome.kind === 'result') results.push(outcome.result);
  }
  return { status: 200, body: { lastMutationId, results, ...clockOf(replica, ctx.now()) } };
}
