/**
 * Per-client credentials of a replica: a site gets one token when it is added (shown once, kept as
 * a SHA-256 hash). The token names the client, so a site can only push and pull as itself.
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SqlQueryable } from '../../db/sql-client.ts';
import { quoteIdent } from '../../db/identifiers.ts';

export interface ReplicaClientIdentity {
  readonly replicaId: string;
  readonly clientId: string;
}

export interface ReplicaClientRecord extends ReplicaClientIdentity {
  readonly lastMutationId: number;
  readonly createdAt: Date;
  readonly lastSeenAt: Date | null;
  readonly revokedAt: Date | null;
}

export const CLIENT_ID = /^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/;
const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

export class ReplicaClients {
  private readonly db: SqlQueryable;
  private readonly s: string;

  constructor(db: SqlQueryable, schema: string) {
    this.db = db;
    this.s = quoteIdent(schema);
  }

  /** Add a client (or give a revoked one a new credential); the token is shown only here. */
  async add(replicaId: string, clientId: string): Promise<string> {
    if (!CLIENT_ID.test(clientId)) throw new Error(`client id "${clientId}" must be 1–64 letters, digits, _ . - (starting with a letter or digit)`);
    const token = `tmr_${randomBytes(32).toString('base64url')}`;
    const { rows } = await this.db.query<{ revoked_at: string | null }>(
      `INSERT INTO ${this.s}.replica_clients (replica_id, client_id, token_hash) VALUES ($1, $2, $3)
       ON CONFLICT (replica_id, client_id) DO UPDATE SET token_hash = EXCLUDED.token_hash, revoked_at = NULL
         WHERE ${this.s}.replica_clients.revoked_at IS NOT NULL
       RETURNING revoked_at`,
      [replicaId, clientId, hash(token)],
    );
    if (rows.length === 0) throw new Error(`client "${clientId}" of replica "${replicaId}" exists; revoke it first to issue a new credential (its mutation ids continue)`);
    await this.db.query(`INSERT INTO ${this.s}.replica_spaces (replica_id) VALUES ($1) ON CONFLICT DO NOTHING`, [replicaId]);
    return token;
  }

  async revoke(replicaId: string, clientId: string): Promise<boolean> {
    const { rowCount } = await this.db.query(`UPDATE ${this.s}.replica_clients SET revoked_at = now() WHERE replica_id = $1 AND client_id = $2 AND revoked_at IS NULL`, [replicaId, clientId]);
    return rowCount > 0;
  }

  async list(replicaId?: string): Promise<ReplicaClientRecord[]> {
    const { rows } = await this.db.query<Record<string, unknown>>(
      `SELECT replica_id, client_id, last_mutation_id, created_at, last_seen_at, revoked_at FROM ${this.s}.replica_clients
       WHERE $1::text IS NULL OR replica_id = $1 ORDER BY replica_id, client_id`,
      [replicaId ?? null],
    );
    return rows.map((r) => ({
      replicaId: String(r.replica_id),
      clientId: String(r.client_id),
      lastMutationId: Number(r.last_mutation_id),
      createdAt: new Date(r.created_at as string),
      lastSeenAt: r.last_seen_at ? new Date(r.last_seen_at as string) : null,
      revokedAt: r.revoked_at ? new Date(r.revoked_at as string) : null,
    }));
  }

  /** The client a token belongs to, or null (unknown or revoked). */
  async verify(token: string): Promise<ReplicaClientIdentity | null> {
    if (!token.startsWith('tmr_')) return null;
    const { rows } = await this.db.query<{ replica_id: string; client_id: string }>(
      `SELECT replica_id, client_id FROM ${this.s}.replica_clients WHERE token_hash = $1 AND revoked_at IS NULL`,
      [hash(token)],
    );
    const row = rows[0];
    return row ? { replicaId: row.replica_id, clientId: row.client_id } : null;
  }
}
