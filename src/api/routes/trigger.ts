/** POST /api/v1/tenants/{tenant}/syncs/{sync}/trigger: queue a run (coalesced with one already queued). */
import { z } from 'zod';
import { ApiError, defineRoute } from '../route.ts';
import { requireOperate, visibleSync } from '../tenant-access.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { addDays, todayIn } from '../../time/business-day.ts';
import type { SyncJobData } from '../../jobs/sync-job.ts';

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
    const windowed = body.window !== undefined || body.today === true || body.from !== undefined;
    if (windowed && parts.sync.mode !== 'window') throw new ApiError(400, `sync "${params.sync}" runs in ${parts.sync.mode} mode and takes no window`);
    const data: SyncJobData = { syncId: params.sync, trigger: 'api' };
    if (body.window !== undefined) {
      try {
        parts.namedWindow(body.window);
      } catch (error) {
        throw new ApiError(400, (error as Error).message.replace(/^.*?: /, ''));
      }
      data.window = body.window;
    } else if (body.today) {
      data.from = todayIn(parts.sync.timezone);
      data.to = addDays(data.from, 1);
    } else if (body.from && body.to) {
      data.from = body.from;
      data.to = body.to;
    }
    const result = await engine.trigger(data);
    return { status: result.jobId ? 202 : 200, body: { jobId: result.jobId, coalescedInto: result.queuedJobId } };
  },
});
