/** GET /api/v1/tenants/{tenant}/runs and GET /api/v1/runs/{id}: the ledger of runs, with a run's changes. */
import { z } from 'zod';
import { defineRoute, notFound } from '../route.ts';
import { visibleTenant } from '../tenant-access.ts';
import { canSee } from '../tokens.ts';
import type { RunRecord } from '../../ledger/types.ts';

function runJson(run: RunRecord) {
  return {
    id: run.id,
    syncId: run.syncId,
    tenantId: run.tenantId,
    stream: run.stream,
    mode: run.mode,
    window: run.windowFrom ? { from: run.windowFrom, to: run.windowTo } : null,
    status: run.status,
    trigger: run.trigger,
    attempt: run.attempt,
    createdAt: run.createdAt.toISOString(),
    startedAt: run.startedAt?.toISOString() ?? null,
    finishedAt: run.finishedAt?.toISOString() ?? null,
    durationMs: run.startedAt && run.finishedAt ? run.finishedAt.getTime() - run.startedAt.getTime() : null,
    counts: { fetched: run.fetched, created: run.created, updated: run.updated, unchanged: run.unchanged, deleted: run.deleted, dead: run.dead, purged: run.purged },
    progress: run.progress,
    warnings: run.warnings,
    error: run.error,
    resumedFrom: run.resumedFrom,
    upstream: run.upstream,
  };
}

export const listRuns = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants/{tenant}/runs',
  summary: 'Runs of the tenant, newest first (optionally of one sync)',
  tags: ['runs'],
  auth: 'read',
  params: z.object({ tenant: z.string().min(1).max(63) }),
  query: z.object({ sync: z.string().min(1).max(63).optional(), limit: z.coerce.number().int().min(1).max(500).default(50) }),
  async handle({ params, query, grant }, { config, ledger }) {
    visibleTenant(config, grant, params.tenant);
    const runs = await ledger.listRuns({ tenantId: params.tenant, ...(query.sync ? { syncId: query.sync } : {}), limit: query.limit });
    return { body: { runs: runs.map(runJson) } };
  },
});

export const getRun = defineRoute({
  method: 'GET',
  path: '/api/v1/runs/{id}',
  summary: 'One run: counts, timings, warnings, error, and the rows it changed (before/after)',
  tags: ['runs'],
  auth: 'read',
  params: z.object({ id: z.string().regex(/^\d{1,18}$/, 'a run id') }),
  query: z.object({ changes: z.coerce.number().int().min(0).max(5000).default(200) }),
  async handle({ params, query, grant }, { ledger }) {
    const run = await ledger.getRun(params.id);
    if (!run || !grant || !canSee(grant, run.tenantId)) throw notFound(`run ${params.id}`);
    const changes = query.changes > 0 ? await ledger.changes(run.id, query.changes) : [];
    return { body: { run: runJson(run), changes } };
  },
});
