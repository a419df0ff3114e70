/**
 * The upstream client of one YClients connection: it carries the company it reads (every YClients
 * path names the company, and streams only receive the client), and takes each request from the
 * process-wide per-IP budget (shared-budget.ts) before the client's own.
 */
import type { Query, RequestOptions, UpstreamClientOptions } from '../../upstream/index.ts';
import { UpstreamClient } from '../../upstream/index.ts';
import type { RateLimiter } from '../../upstream/rate-limiter.ts';
import { takeFromBudget } from './shared-budget.ts';

export class YclientsClient extends UpstreamClient {
  /** The company (branch) id as decimal text. */
  readonly companyId: string;
  /** Time spent waiting for the shared per-IP budget, in ms (the client's own `stats.waitMs` excludes it). */
  sharedWaitMs = 0;
  readonly #budget: RateLimiter;

  constructor(options: UpstreamClientOptions, companyId: string, budget: RateLimiter) {
    super(options);
    this.companyId = companyId;
    this.#budget = budget;
  }

  override async getJson(path: string, query?: Query, options?: RequestOptions): Promise<unknown> {
    this.sharedWaitMs += await takeFromBudget(this.#budget, options?.signal);
    return super.getJson(path, query, options);
  }
}

/** The company a stream reads; a client built by another connector is a wiring bug, said plainly. */
export function companyIdOf(client: UpstreamClient, stream: string): string {
  if (client instanceof YclientsClient) return client.companyId;
  throw new TypeError(`${stream} reads through a YClients connection; this sync's connection is not one (its client has no company id)`);
}
