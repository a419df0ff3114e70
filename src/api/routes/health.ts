/**
 * GET /api/health (no token): the control plane, each destination and each upstream connection,
 * each ok or not with its latency; 200 when all are ok, else 503. Checked at most every 30 s (the
 * answer says how old it is), so load balancers and monitors may poll it freely.
 */
import { z } from 'zod';
import { defineRoute, type ApiDeps } from '../route.ts';
import { checkHealth, HEALTH_CACHE_SECONDS, HealthCache } from '../../monitor/health.ts';

const caches = new WeakMap<ApiDeps, HealthCache>();

const component = z.object({
  id: z.string(),
  kind: z.string(),
  tenant: z.string().optional(),
  ok: z.boolean(),
  latencyMs: z.number().nullable(),
  error: z.string().optional(),
  note: z.string().optional(),
});

export const getHealth = defineRoute({
  method: 'GET',
  path: '/api/health',
  summary: 'Health of the control plane, each destination and each upstream, with latencies (no token; 503 when any is failing; cached 30 s)',
  tags: ['health'],
  auth: 'none',
  response: z.object({
    status: z.enum(['ok', 'failing']),
    checkedAt: z.string(),
    ageSeconds: z.number(),
    cacheSeconds: z.number(),
    controlPlane: component,
    destinations: z.array(component),
    upstreams: z.array(component),
  }),
  async handle(_request, deps) {
    let cache = caches.get(deps);
    if (!cache) {
      cache = new HealthCache(() => checkHealth(deps.config, deps.env, deps.ledger, deps.now()));
      caches.set(deps, cache);
    }
    const { report, ageSeconds } = await cache.get();
    const { status, checkedAt, controlPlane, destinations, upstreams } = report;
    return {
      status: status === 'ok' ? 200 : 503,
      body: { status, checkedAt, ageSeconds, cacheSeconds: HEALTH_CACHE_SECONDS, controlPlane, destinations, upstreams },
    };
  },
});
