/**
 * GET /api/v1/tenants/{tenant}/dead-letters: runs that failed every attempt (the job dead-letter
 * queue) and records that could not be read (the ledger's dead letters).
 * POST …/dead-letters/{job}/replay: send a dead-lettered run back to the queue.
 */
import { z } from 'zod';
import { ApiError, defineRoute, notFound } from '../route.ts';
import { requireOperate, visibleTenant } from '../tenant-access.ts';

function errorOf(output: unknown): string | null {
  if (output && typeof output === 'object' && typeof (output as { error?: unknown }).error === 'string') return (output as { error: string }).error;
  return output === null || output === undefined ? null : JSON.stringify(output);
}

export const listDeadLetters = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants/{tenant}/dead-letters',
  summary: 'Dead-lettered runs (failed every attempt) and dead-lettered records (could not be read) of the tenant',
  tags: ['dead letters'],
  auth: 'read',
  params: z.object({ tenant: z.string().min(1).max(63) }),
  query: z.object({ limit: z.coerce.number().int().min(1).max(1000).default(100) }),
  async handle({ params, query, grant }, { config, ledger, engine }) {
    visibleTenant(config, grant, params.tenant);
    const syncIds = new Set(config.syncs.filter((s) => s.tenant === params.tenant).map((s) => s.id));
    const jobs = engine ? (await engine.deadLetters(1000)).filter((j) => syncIds.has(j.data.syncId)).slice(0, query.limit) : [];
    const records = (await Promise.all([...syncIds].map((syncId) => ledger.deadLetters({ syncId, limit: query.limit })))).flat();
    return {
      body: {
        runs: jobs.map((j) => ({
          jobId: j.id,
          syncId: j.data.syncId,
          trigger: j.data.trigger,
          window: j.data.window ?? (j.data.from ? { from: j.data.from, to: j.data.to } : null),
          attempts: (j.sourceRetryCount ?? 0) + 1,
          deadLetteredAt: j.createdOn.toISOString(),
          error: errorOf(j.sourceOutput),
        })),
        records: records
          .sort((a, b) => b.createdAt.getTime() - a.createdAt.getTime())
          .slice(0, query.limit)
          .map((d) => ({ id: d.id, runId: d.runId, syncId: d.syncId, stream: d.stream, key: d.key, reason: d.reason, payload: d.payload, createdAt: d.createdAt.toISOString() })),
      },
    };
  },
});

export const replayDeadLetter = defineRoute({
  method: 'POST',
  path: '/api/v1/tenants/{tenant}/dead-letters/{job}/replay',
  summary: 'Send a dead-lettered run back to the queue (a worker runs it again)',
  tags: ['dead letters', 'operate'],
  auth: 'operate',
  params: z.object({ tenant: z.string().min(1).max(63), job: z.uuid() }),
  async handle({ params, grant }, { config, engine }) {
    visibleTenant(config, grant, params.tenant);
    requireOperate(grant, params.tenant);
    if (!engine) throw new ApiError(503, 'this server runs without the job engine');
    const syncIds = new Set(config.syncs.filter((s) => s.tenant === params.tenant).map((s) => s.id));
    const job = (await engine.deadLetters(1000)).find((j) => j.id === params.job);
    if (!job || !syncIds.has(job.data.syncId)) throw notFound(`dead-lettered job ${params.job}`);
    if (!(await engine.replay(params.job))) throw notFound(`dead-lettered job ${params.job}`);
    return { status: 202, body: { replayed: params.job } };
  },
});
