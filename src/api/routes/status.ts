/** GET /api/v1/tenants/{tenant}/status: per sync state, progress, ETA, last success, freshness, last error. */
import { z } from 'zod';
import { defineRoute } from '../route.ts';
import { visibleTenant } from '../tenant-access.ts';
import { tenantStatus } from '../../monitor/status.ts';

export const tenantParams = z.object({ tenant: z.string().min(1).max(63) });

export const getStatus = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants/{tenant}/status',
  summary: 'Where each sync of the tenant stands: queued/running/succeeded/failed, progress, ETA, last success, freshness, last error',
  tags: ['status'],
  auth: 'read',
  params: tenantParams,
  async handle({ params, grant }, { config, ledger, engine, now }) {
    visibleTenant(config, grant, params.tenant);
    return { body: await tenantStatus(config, params.tenant, ledger, engine, now()) };
  },
});
