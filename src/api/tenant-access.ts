/** Look a tenant (and a sync of it) up for a request: 404 when unknown or not visible to the token. */
import type { Config, SyncConfig, TenantConfig } from '../config/schema.ts';
import { canOperate, canSee, type Grant } from './tokens.ts';
import { ApiError, notFound } from './route.ts';

export function visibleTenant(config: Config, grant: Grant | null, tenantId: string): TenantConfig {
  const tenant = config.tenants.find((t) => t.id === tenantId);
  if (!tenant || !grant || !canSee(grant, tenantId)) throw notFound(`tenant "${tenantId}"`);
  return tenant;
}

export function visibleSync(config: Config, grant: Grant | null, tenantId: string, syncId: string): SyncConfig {
  visibleTenant(config, grant, tenantId);
  const sync = config.syncs.find((s) => s.id === syncId && s.tenant === tenantId);
  if (!sync) throw notFound(`sync "${syncId}" in tenant "${tenantId}"`);
  return sync;
}

export function requireOperate(grant: Grant | null, tenantId: string): void {
  if (!grant || !canOperate(grant, tenantId)) throw new ApiError(403, 'this token may read but not operate this tenant');
}
