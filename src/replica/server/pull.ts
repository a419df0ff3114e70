/**
 * POST /api/v1/replica/pull: the replica's changes after a cookie, in version order (the order the
 * server committed them), one page at a time, with the client's last mutation id read in the same
 * REPEATABLE READ snapshot. A cookie older than the tombstone horizon is answered with `reset`: the
 * site empties its replicated tables and starts again from this page.
 */
import type { SqlClient, SqlQueryable } from '../../db/sql-client.ts';
import type { ReplicaRow } from '../definition.ts';
import type { Change, PullRequest } from '../protocol.ts';
import { keyFromText, keyText } from '../rows.ts';
import type { ReplicaClientIdentity } from './clients.ts';
import type { ReplicaAnswer, ReplicaRuntime } from './replica-runtime.ts';
import { clockOf } from './server-clock.ts';

export interface PullContext {
  readonly db: SqlClient;
  readonly schema: string;
  readonly replica: ReplicaRuntime;
  readonly now: () => Date;
}

/**
 * Where a pull stopped: the last (version, table, key) it returned, plus what held when this site's
 * download began (from nothing, or after a reset): the tombstone horizon then (`base`) and the
 * replica's version then (`start`). Opaque to the site.
 */
interface Cursor {
  readonly version: number;
  readonly table: string;
  readonly key: string;
  readonly base: number;
  readonly start: number;
}

export function encodeCookie(cursor: Cursor): string {
  return Buffer.from(JSON.stringify([cursor.version, cursor.table, cursor.key, cursor.base, cursor.start]), 'utf8').toString('base64url');
}

export function decodeCookie(cookie: string): Cursor | null {
  try {
    const v = JSON.parse(Buffer.from(cookie, 'base64url').toString('utf8')) as unknown;
    if (Array.isArray(v) && v.length === 5 && Number.isSafeInteger(v[0]) && typeof v[1] === 'string' && typeof v[2] === 'string' && Number.isSafeInteger(v[3]) && Number.isSafeInteger(v[4])) {
      return { version: v[0] as number, table: v[1], key: v[2], base: v[3] as number, start: v[4] as number };
    }
  } catch {
    // fall through: not a cookie this server made
  }
  return null;
}

interface StoredRow {
  table_name: string;
  row_key: string;
  row: ReplicaRow;
  version: string;
  deleted: boolean;
}

function toChange(ctx: PullContext, row: StoredRow): Change {
  return row.deleted ? { op: 'delete', table: row.table_name, key: keyFromText(ctx.replica.definition, row.table_name, row.row_key) } : { op: 'put', table: row.table_name, row: row.row };
}

async function refetch(ctx: PullContext, tx: SqlQueryable, refs: NonNullable<PullRequest['refetch']>): Promise<Change[]> {
  const definition = ctx.replica.definition;
  // A row of a table this build does not know, or a malformed key, is left out (the site cannot hold it either).
  const wanted = refs.flatMap((r) => {
    if (!Object.hasOwn(definition.tables, r.table)) return [];
    try {
      return [{ table: r.table, key: keyText(definition, r.table, r.key as ReplicaRow) }];
    } catch {
      return [];
    }
  });
  if (wanted.length === 0) return [];
  const { rows } = await tx.query<StoredRow>(
    `SELECT table_name, row_key, row, version, deleted_at IS NOT NULL AS deleted FROM ${ctx.schema}.replica_rows
     WHERE replica_id = $1 AND (table_name, row_key) IN (SELECT * FROM unnest($2::text[], $3::text[]))`,
    [ctx.replica.id, wanted.map((w) => w.table), wanted.map((w) => w.key)],
  );
  const found = new Map(rows.map((r) => [`${r.table_name}\u0000${r.row_key}`, r]));
  // A row the server never had is answered as deleted: the site drops its local copy.
  return wanted.map((w) => {
    const row = found.get(`${w.table}\u0000${w.key}`);
    return row ? toChange(ctx, row) : { op: 'delete', table: w.table, key: keyFromText(definition, w.table, w.key) };
  });
}

export async function pull(ctx: PullContext, identity: ReplicaClientIdentity, request: PullRequest): Promise<ReplicaAnswer> {
  const { replica, schema: s } = ctx;
  if (request.clientId !== identity.clientId) {
    return { status: 403, body: { error: `this credential belongs to client "${identity.clientId}"; a client can only pull as itself` } };
  }
  if (request.schemaVersion !== replica.definition.schemaVersion) {
    return { status: 409, body: { error: 'schema_mismatch', message: `the server runs schema version ${replica.definition.schemaVersion}; this site has ${request.schemaVersion}: upgrade the site`, schemaVersion: replica.definition.schemaVersion } };
  }
  const cursor = request.cookie === null ? null : decodeCookie(request.cookie);
  if (request.cookie !== null && cursor === null) return { status: 400, body: { error: 'cookie: not a cookie this server gave; pull with cookie null to start again' } };
  const limit = Math.min(request.limit ?? replica.settings.pullPageSize, replica.settings.pullPageSize);
  const tables = Object.keys(replica.definition.tables);

  return ctx.db.transaction(async (tx) => {
    await tx.query('SET TRANSACTION ISOLATION LEVEL REPEATABLE READ, READ ONLY');
    const client = await tx.query<{ last_mutation_id: string }>(`SELECT last_mutation_id FROM ${s}.replica_clients WHERE replica_id = $1 AND client_id = $2 AND revoked_at IS NULL`, [replica.id, identity.clientId]);
    if (!client.rows[0]) return { status: 401, body: { error: 'this client was revoked' } };
    const space = await tx.query<{ version: string; pruned_through: string }>(`SELECT version, pruned_through FROM ${s}.replica_spaces WHERE replica_id = $1`, [replica.id]);
    const current = Number(space.rows[0]?.version ?? 0);
    const prunedThrough = Number(space.rows[0]?.pruned_through ?? 0);
    // Reset when a deletion the site has not seen may have been pruned (a tombstone newer than its
    // cookie, and newer than the horizon its download began at), or when the cookie is ahead of the
    // replica (the server was restored from a backup older than the site).
    const reset = cursor !== null && (prunedThrough > Math.max(cursor.version, cursor.base) || cursor.version > current || cursor.start > current);
    // A download from nothing starts a chain: it needs no tombstone older than its start.
    const from: Cursor = cursor === null || reset ? { version: 0, table: '', key: '', base: prunedThrough, start: current } : cursor;
    const { rows } = await tx.query<StoredRow>(
      `SELECT table_name, row_key, row, version, deleted_at IS NOT NULL AS deleted FROM ${s}.replica_rows
       WHERE replica_id = $1 AND table_name = ANY($2::text[]) AND (version, table_name, row_key) > ($3::bigint, $4::text COLLATE "C", $5::text COLLATE "C")
         AND (deleted_at IS NULL OR version > $6)
       ORDER BY version, table_name, row_key LIMIT $7`,
      [replica.id, tables, from.version, from.table, from.key, from.start, limit + 1],
    );
    const page = rows.slice(0, limit);
    const last = page.at(-1);
    const cookie = encodeCookie(last ? { ...from, version: Number(last.version), table: last.table_name, key: last.row_key } : from);
    return {
      status: 200,
      body: {
        cookie,
        lastMutationId: Number(client.rows[0].last_mutation_id),
        reset,
        hasMore: rows.length > limit,
        changes: page.map((row) => toChange(ctx, row)),
        refetched: request.refetch?.length ? await refetch(ctx, tx, request.refetch) : [],
        ...clockOf(replica, ctx.now()),
      },
    };
  });
}
