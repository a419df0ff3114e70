/** POST /api/v1/tenants/{tenant}/syncs/{sync}/trigger: queue a run (coalesced with one already queued). */
import { z } from 'zod';
import { ApiError, defineRoute } from '../route.ts';
import { requireOperate, visibleSync } from '../tenant-access.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { windowOfTrigger, type SyncJobData } from '../../jobs/sync-job.ts';
import { ConfigError } from '../../config/config-error.ts';

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');

export const triggerSync = defineRoute({
  method: 'POST',
  path: '/api/v1/tenants/{tenant}/syncs/{sync}/trigger',
  summary: 'Queue a run of the sync; with one already queued the trigger is coalesced into it',
  tags: ['operate'],
  auth: 'operate',
  params: z.object({ tenant: z.string().min(1).max(63), sync: z.string().min(1).max(63) }),
  body: z
    .object({ from: isoDate.optional(), to: isoDate.optional(), window: z.string().regex(/^[a-z][a-z0-9_-]{0,31}$/).optional(), today: z.boolean().optional() })
    .strict()
    .refine((b) => (b.from === undefined) === (b.to === undefined), 'from and to go together')
    .refine((b) => !b.from || !b.to || b.to > b.from, '"to" is exclusive and must be after "from"')
    .refine((b) => [b.window !== undefined, b.today === true, b.from !== undefined].filter(Boolean).length <= 1, 'use one of window, today or from/to'),
  response: z.object({ jobId: z.string().nullable(), coalescedInto: z.string().nullable() }),
  async handle({ params, body, grant }, { config, env, engine }) {
    visibleSync(config, grant, params.tenant, params.sync);
    requireOperate(grant, params.tenant);
    if (!engine) throw new ApiError(503, 'this server runs without the job engine; use `tidemark start` or `tidemark serve` on the control plane');
    const parts = resolveSync(config, params.sync, env);
    let data: SyncJobData;
    try {
      data = { syncId: params.sync, trigger: 'api', ...windowOfTrigger(body, parts.sync, (name) => parts.namedWindow(name)) };
    } catch (error) {
      // An unknown window is a ConfigError naming the known ones; its problem text is the answer.
      throw new ApiError(400, error instanceof ConfigError ? error.problems.map((p) => p.message).join('; ') : (error as Error).message);
    }
    const result = await engine.trigger(data);
    return { status: result.jobId ? 202 : 200, body: { jobId: result.jobId, coalescedInto: result.queuedJobId } };
  },
});
