/**
 * One HTTP API endpoint as data: method, path (OpenAPI style, `{name}` parameters), who may call
 * it, zod schemas for its parameters, query and body (checked before the handler runs, and turned
 * into the OpenAPI document), and the handler.
 */
import type { z } from 'zod';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { JobEngine } from '../jobs/job-engine.ts';
import type { Grant, TokenStore } from './tokens.ts';
import type { ReplicaService } from '../replica/server/replica-service.ts';
import type { ReplicaClientIdentity } from '../replica/server/clients.ts';

export interface ApiDeps {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  /** Absent when the server runs without the job engine (then trigger and replay answer 503). */
  readonly engine: JobEngine | null;
  readonly tokens: TokenStore;
  /** The offline-site replicas; null when none is configured (their routes answer 404). */
  readonly replicas?: ReplicaService | null;
  readonly now: () => Date;
}

export interface ApiRequest<P, Q, B> {
  readonly params: P;
  readonly query: Q;
  readonly body: B;
  /** Null on routes with `auth: 'none'` or `'replica'`. */
  readonly grant: Grant | null;
  /** The site a replica credential belongs to (routes with `auth: 'replica'` only). */
  readonly client: ReplicaClientIdentity | null;
  /** Aborted when the client goes away (streams). */
  readonly signal: AbortSignal;
}

export interface ApiAnswer {
  readonly status?: number;
  readonly body: unknown;
  /** `text/plain` for Prometheus; default JSON. */
  readonly contentType?: string;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A server-sent event stream: the route writes events until the signal aborts. */
export interface ApiStream {
  readonly stream: (send: (event: string, data: unknown) => void, signal: AbortSignal) => Promise<void>;
}

export interface ApiRoute<P = unknown, Q = unknown, B = unknown> {
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly summary: string;
  readonly tags?: readonly string[];
  /**
   * `none`: open (health only); `read`: any valid token; `operate`: an operate token; `replica`: a
   * site's replica credential (`tidemark replica client add`), not an API token.
   */
  readonly auth: 'none' | 'read' | 'operate' | 'replica';
  /** A larger body limit than api.bodyLimitBytes (replica pushes). */
  readonly bodyLimitBytes?: (deps: ApiDeps) => number;
  readonly params?: z.ZodType<P>;
  readonly query?: z.ZodType<Q>;
  readonly body?: z.ZodType<B>;
  /** For the OpenAPI document. */
  readonly response?: z.ZodType;
  handle(request: ApiRequest<P, Q, B>, deps: ApiDeps): Promise<ApiAnswer | ApiStream>;
}

/** An answer the handler throws: status and a message safe to show. */
export class ApiError extends Error {
  override readonly name = 'ApiError';
  readonly status: number;
  constructor(status: number, message: string) {
    super(message);
    this.status = status;
  }
}

/** Same answer for "no such tenant" and "not yours": a token for tenant A learns nothing about B. */
export function notFound(what: string): ApiError {
  return new ApiError(404, `no ${what}`);
}

// Route modules export `defineRoute({...})` so their handler's types follow their schemas.
export function defineRoute<P, Q, B>(route: ApiRoute<P, Q, B>): ApiRoute<P, Q, B> {
  return route;
}
