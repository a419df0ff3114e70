/**
 * One sync round of a site against the server: push the outbox in batches, then pull pages until
 * the site is level. Handles the protocol's answers (docs/replica.md): acknowledgements, rejected
 * mutations (their rows are refetched), a server behind the site (kept mutations sent again), and
 * a pull page that must wait because a newer local write has not been pushed yet.
 */
import type { z } from 'zod';
import { conflictSchema, pullResponseSchema, pushResponseSchema, PROTOCOL_VERSION, type PullResponse, type PushResponse } from '../protocol.ts';
import type { SiteReplica } from './site-replica.ts';

export interface ReplicaSyncClientOptions {
  /** The Tidemark server, e.g. `https://ops.example.com` (the routes are under /api/v1/replica). */
  readonly url: string;
  /** This site's credential from `tidemark replica client add`. */
  readonly token: string;
  readonly fetch?: typeof fetch;
  /** Mutations per push request (the server's pushMaxMutations caps it). */
  readonly pushBatch?: number;
  /** Changes per pull page (the server's pullPageSize caps it). */
  readonly pullLimit?: number;
  readonly timeoutMs?: number;
}

export interface SyncRound {
  readonly pushed: number;
  readonly rejected: number;
  readonly pulled: number;
  readonly pages: number;
  readonly reset: boolean;
}

/** A round that failed: `status` null when the server could not be reached. */
export class ReplicaSyncError extends Error {
  override readonly name = 'ReplicaSyncError';
  readonly status: number | null;
  readonly code: string | null;
  /** From Retry-After, when the server said when to come back. */
  readonly retryAfterMs: number | null;
  constructor(message: string, status: number | null, code: string | null = null, retryAfterMs: number | null = null) {
    super(message);
    this.status = status;
    this.code = code;
    this.retryAfterMs = retryAfterMs;
  }
}

const MAX_PASSES = 5;

export class ReplicaSyncClient {
  private readonly site: SiteReplica;
  private readonly options: Required<Omit<ReplicaSyncClientOptions, 'fetch'>> & { fetch: typeof fetch };

  constructor(site: SiteReplica, options: ReplicaSyncClientOptions) {
    this.site = site;
    this.options = {
      url: options.url.replace(/\/+$/, ''),
      token: options.token,
      fetch: options.fetch ?? globalThis.fetch,
      pushBatch: options.pushBatch ?? 500,
      pullLimit: options.pullLimit ?? 500,
      timeoutMs: options.timeoutMs ?? 30_000,
    };
  }

  private async post<T>(path: string, body: unknown, schema: z.ZodType<T>): Promise<{ ok: true; body: T } | { ok: false; status: number; body: unknown; retryAfterMs: number | null }> {
    let response: Response;
    try {
      response = await this.options.fetch(`${this.options.url}/api/v1/replica/${path}`, {
        method: 'POST',
        headers: { 'content-type': 'application/json', authorization: `Bearer ${this.options.token}` },
        body: JSON.stringify(body),
        signal: AbortSignal.timeout(this.options.timeoutMs),
      });
    } catch (error) {
      throw new ReplicaSyncError(`cannot reach ${this.options.url}: ${(error as Error).message}`, null);
    }
    const text = await response.text().catch(() => '');
    let json: unknown = null;
    try {
      json = text ? JSON.parse(text) : null;
    } catch {
      json = { error: text.slice(0, 200) };
    }
    if (response.status === 200) {
      const parsed = schema.safeParse(json);
      if (!parsed.success) throw new ReplicaSyncError(`the server's ${path} answer is not protocol ${PROTOCOL_VERSION}: ${parsed.error.issues[0]?.message ?? ''}`, 200, 'bad_answer');
      return { ok: true, body: parsed.data };
    }
    const retryAfter = Number(response.headers.get('retry-after'));
    return { ok: false, status: response.status, body: json, retryAfterMs: Number.isFinite(retryAfter) && retryAfter > 0 ? retryAfter * 1000 : null };
  }

  private failure(path: string, status: number, body: unknown, retryAfterMs: number | null): ReplicaSyncError {
    const error = (body as { error?: unknown } | null)?.error;
    const message = (body as { message?: unknown } | null)?.message;
    return new ReplicaSyncError(`${path}: ${status} ${typeof message === 'string' ? message : typeof error === 'string' ? error : 'failed'}`, status, typeof error === 'string' ? error : null, retryAfterMs);
  }

  /** Push every pending mutation, in order, in batches. */
  async push(): Promise<{ pushed: number; rejected: number }> {
    let pushed = 0;
    let rejected = 0;
    for (let pass = 0; ; ) {
      const batch = this.site.outgoing(this.options.pushBatch);
      if (batch.length === 0) break;
      const answer = await this.post<PushResponse>('push', { protocol: PROTOCOL_VERSION, schemaVersion: this.site.definition.schemaVersion, clientId: this.site.clientId, mutations: batch }, pushResponseSchema);
      if (answer.ok) {
        const done = await this.site.acknowledge(answer.body);
        pushed += done.acked + done.rejected;
        rejected += done.rejected;
        if (done.acked + done.rejected === 0) throw new ReplicaSyncError(`push: the server acknowledged none of mutations ${batch[0]!.id}…${batch.at(-1)!.id}`, 200, 'no_progress');
        continue;
      }
      const conflict = conflictSchema.safeParse(answer.body);
      if (answer.status === 409 && conflict.success && conflict.data.error === 'out_of_order' && conflict.data.lastMutationId !== undefined && pass++ < MAX_PASSES) {
        const serverHas = conflict.data.lastMutationId;
        // The server is behind what it acknowledged before (restored from a backup): send the kept ones again.
        if (serverHas < batch[0]!.id - 1 && (await this.site.requeueAfter(serverHas)) > 0) continue;
      }
      throw this.failure('push', answer.status, answer.body, answer.retryAfterMs);
    }
    return { pushed, rejected };
  }

  /** Pull pages until level; `blocked` when a local write newer than the server's acknowledgement came in between. */
  async pull(): Promise<{ pulled: number; pages: number; reset: boolean; blocked: boolean }> {
    let pulled = 0;
    let pages = 0;
    let reset = false;
    for (;;) {
      const refetch = this.site.toRefetch();
      const answer = await this.post<PullResponse>(
        'pull',
        {
          protocol: PROTOCOL_VERSION,
          schemaVersion: this.site.definition.schemaVersion,
          clientId: this.site.clientId,
          cookie: this.site.cookie,
          limit: this.options.pullLimit,
          ...(refetch.length ? { refetch: refetch.map((r) => ({ table: r.table, key: r.key })) } : {}),
        },
        pullResponseSchema,
      );
      if (!answer.ok) throw this.failure('pull', answer.status, answer.body, answer.retryAfterMs);
      const page = answer.body;
      // The server has fewer of our mutations than it once acknowledged (restored from a backup):
      // queue the kept ones again; the round pushes them before pulling on.
      if (page.lastMutationId < this.site.maxAckedId && (await this.site.requeueAfter(page.lastMutationId)) > 0) return { pulled, pages, reset, blocked: true };
      if ((await this.site.applyPull(page, refetch)) === 'pending-newer') return { pulled, pages, reset, blocked: true };
      pages += 1;
      pulled += page.changes.length;
      reset ||= page.reset;
      if (!page.hasMore) return { pulled, pages, reset, blocked: false };
    }
  }

  /** Push, then pull; again while a local write slipped in between (at most a few passes). */
  async sync(): Promise<SyncRound> {
    const round = { pushed: 0, rejected: 0, pulled: 0, pages: 0, reset: false };
    for (let pass = 0; pass < MAX_PASSES; pass++) {
      const pushed = await this.push();
      round.pushed += pushed.pushed;
      round.rejected += pushed.rejected;
      const pulled = await this.pull();
      round.pulled += pulled.pulled;
      round.pages += pulled.pages;
      round.reset ||= pulled.reset;
      if (!pulled.blocked) return round;
    }
    return round;
  }
}
