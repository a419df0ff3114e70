/**
 * GET /metrics: Prometheus text, read from the ledger and the job queue when scraped. Any valid
 * token may scrape; a token scoped to tenants sees only their series (every series has a `tenant`
 * label), a `*` token sees all.
 */
import { defineRoute, type ApiDeps } from '../route.ts';
import { canSee } from '../tokens.ts';
import { LedgerMetrics } from '../../monitor/metrics.ts';

// One registry per server: its counters carry on between scrapes.
const collectors = new WeakMap<ApiDeps, LedgerMetrics>();

export const getMetrics = defineRoute({
  method: 'GET',
  path: '/metrics',
  summary: 'Prometheus metrics: runs, records by outcome, durations, upstream requests, retries, 429s, freshness, queued jobs (the token\'s tenants only)',
  tags: ['metrics'],
  auth: 'read',
  async handle({ grant }, deps) {
    let metrics = collectors.get(deps);
    if (!metrics) {
      metrics = new LedgerMetrics(deps.config, deps.ledger, deps.engine);
      collectors.set(deps, metrics);
    }
    const body = await metrics.scrape((tenant) => grant !== null && canSee(grant, tenant), deps.now());
    return { body, contentType: metrics.contentType };
  },
});
