/** GET /api/v1/tenants: the tenants this token may see. */
import { z } from 'zod';
import { defineRoute } from '../route.ts';
import { canSee } from '../tokens.ts';

export const listTenants = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants',
  summary: 'Tenants visible to this token, with their syncs',
  tags: ['status'],
  auth: 'read',
  response: z.object({ tenants: z.array(z.object({ id: z.string(), name: z.string(), timezone: z.string(), syncs: z.array(z.string()), operate: z.boolean() })) }),
  async handle({ grant }, { config }) {
    const tenants = config.tenants
      .filter((t) => grant && canSee(grant, t.id))
      .map((t) => ({ id: t.id, name: t.name, timezone: t.timezone, syncs: config.syncs.filter((s) => s.tenant === t.id).map((s) => s.id), operate: grant?.scope === 'operate' }));
    return { body: { tenants } };
  },
});
