/**
 * API tokens: shown once at creation, stored as a SHA-256 hash. A token is scoped to tenants (or
 * `*` for all) and to `read` or `operate` (read, trigger, replay).
 */
import { createHash, randomBytes } from 'node:crypto';
import type { SqlQueryable } from '../db/sql-client.ts';
import { quoteIdent } from '../db/identifiers.ts';

export const TOKEN_SCOPES = ['read', 'operate'] as const;
export type TokenScope = (typeof TOKEN_SCOPES)[number];

export interface TokenRecord {
  readonly id: string;
  readonly name: string;
  /** Tenant ids, or ['*'] for every tenant. */
  readonly tenants: readonly string[];
  readonly scope: TokenScope;
  readonly createdAt: Date;
  readonly lastUsedAt: Date | null;
  readonly revokedAt: Date | null;
}

export interface Grant {
  readonly tokenId: string;
  readonly tenants: readonly string[];
  readonly scope: TokenScope;
}

export function canSee(grant: Grant, tenantId: string): boolean {
  return grant.tenants.includes('*') || grant.tenants.includes(tenantId);
}

export function canOperate(grant: Grant, tenantId: string): boolean {
  return grant.scope === 'operate' && canSee(grant, tenantId);
}

const hash = (token: string) => createHash('sha256').update(token, 'utf8').digest('hex');

type Row = Record<string, unknown>;
const toRecord = (row: Row): TokenRecord => ({
  id: String(row.id),
  name: String(row.name),
  tenants: row.tenants as string[],
  scope: row.scope as TokenScope,
  createdAt: new Date(row.created_at as string),
  lastUsedAt: row.last_used_at ? new Date(row.last_used_at as string) : null,
  revokedAt: row.revoked_at ? new Date(row.revoked_at as string) : null,
});

export class TokenStore {
  private readonly db: SqlQueryable;
  private readonly s: string;

  constructor(db: SqlQueryable, schema: string) {
    this.db = db;
    this.s = quoteIdent(schema);
  }

  /** Create a token; the returned secret is the only time it is shown. */
  async create(name: string, tenants: readonly string[], scope: TokenScope): Promise<{ record: TokenRecord; token: string }> {
    const token = `tm_${randomBytes(24).toString('base64url')}`;
    const result = await this.db.query(
      `INSERT INTO ${this.s}.api_tokens (name, token_hash, tenants, scope) VALUES ($1, $2, $3, $4) RETURNING *`,
      [name, hash(token), tenants, scope],
    );
    return { record: toRecord(result.rows[0]!), token };
  }

  /** The grant of a live token, or null (unknown, revoked, malformed). */
  async verify(token: string): Promise<Grant | null> {
    if (!/^tm_[A-Za-z0-9_-]{32}$/.test(token)) return null;
    const result = await this.db.query(
      `UPDATE ${this.s}.api_tokens SET last_used_at = now() WHERE token_hash = $1 AND revoked_at IS NULL RETURNING id, tenants, scope`,
      [hash(token)],
    );
    const row = result.rows[0];
    return row ? { tokenId: String(row.id), tenants: row.tenants as string[], scope: row.scope as TokenScope } : null;
  }

  async list(): Promise<TokenRecord[]> {
    const result = await this.db.query(`SELECT * FROM ${this.s}.api_tokens ORDER BY id`);
    return result.rows.map(toRecord);
  }

  /** Revoke by id or name; false when there is no live token so called. */
  async revoke(idOrName: string): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE ${this.s}.api_tokens SET revoked_at = now() WHERE (id::text = $1 OR name = $1) AND revoked_at IS NULL RETURNING id`,
      [idOrName],
    );
    return result.rows.length > 0;
  }
}
