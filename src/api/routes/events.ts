/**
 * GET /api/v1/tenants/{tenant}/events: server-sent events with live progress. Every second a
 * `status` event (the tenant's status, as GET …/status answers it) and, whenever a run of one of
 * its syncs starts, moves or finishes, a `run` event. The stream lasts until the client leaves.
 */
import { defineRoute, type ApiDeps } from '../route.ts';
import { visibleTenant } from '../tenant-access.ts';
import { tenantParams } from './status.ts';
import { tenantStatus } from '../../monitor/status.ts';
import { TenantFeed, type FeedEvent } from '../../monitor/tenant-feed.ts';

// Per server and tenant, one poller shared by every client watching.
const feeds = new WeakMap<ApiDeps, Map<string, TenantFeed>>();

function feedOf(deps: ApiDeps, tenantId: string): TenantFeed {
  let byTenant = feeds.get(deps);
  if (!byTenant) feeds.set(deps, (byTenant = new Map()));
  let feed = byTenant.get(tenantId);
  if (!feed) {
    const created: TenantFeed = new TenantFeed(
      () => tenantStatus(deps.config, tenantId, deps.ledger, deps.engine, deps.now()),
      deps.ledger,
      () => {
        if (byTenant.get(tenantId) === created) byTenant.delete(tenantId);
      },
    );
    feed = created;
    byTenant.set(tenantId, feed);
  }
  return feed;
}

export const tenantEvents = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants/{tenant}/events',
  summary: 'Live progress as server-sent events: `status` every second, `run` when a run starts, moves or finishes (text/event-stream)',
  tags: ['status'],
  auth: 'read',
  params: tenantParams,
  async handle({ params, grant }, deps) {
    visibleTenant(deps.config, grant, params.tenant);
    return {
      async stream(send, signal) {
        if (signal.aborted) return;
        const unsubscribe = feedOf(deps, params.tenant).subscribe((event: FeedEvent) => send(event.event, event.data));
        try {
          await new Promise<void>((resolve) => signal.addEventListener('abort', () => resolve(), { once: true }));
        } finally {
          unsubscribe();
        }
      },
    };
  },
});
