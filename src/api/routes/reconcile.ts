/**
 * GET /api/v1/tenants/{tenant}/reconcile?sync=…&from=…&to=…: the upstream against the table per
 * business day and group, as `tidemark reconcile --json` prints it (read-only: never fixes).
 * It reads the upstream, so identical requests arriving together share one comparison.
 */
import { z } from 'zod';
import { ApiError, defineRoute, type ApiDeps } from '../route.ts';
import { visibleSync } from '../tenant-access.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { reconcileReport, ReconcileUnsupportedError, type ReconcileReport } from '../../engine/reconcile-compare.ts';
import { errorMessage } from '../../engine/errors.ts';
import { ConfigError } from '../../config/config-error.ts';
import { DirectoryLockedError } from '../../db/directory-lock.ts';
import { isUpstreamError } from '../../upstream/index.ts';
import { businessWindow } from '../../time/window.ts';
import { daysBetween } from '../../time/business-day.ts';

export const MAX_RECONCILE_DAYS = 93;

const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD').refine((d) => !Number.isNaN(Date.parse(`${d}T00:00:00Z`)), 'a real calendar date');

interface Shared {
  readonly report: Promise<ReconcileReport>;
  readonly abort: AbortController;
  waiting: number;
}
const inFlight = new WeakMap<ApiDeps, Map<string, Shared>>();

function toApiError(error: unknown): unknown {
  if (error instanceof ApiError) return error;
  if (error instanceof ReconcileUnsupportedError) return new ApiError(400, error.message);
  if (error instanceof ConfigError) return new ApiError(503, `the sync cannot run here: ${error.problems.map((p) => p.message).join('; ')}`);
  if (error instanceof DirectoryLockedError) return new ApiError(409, 'the embedded destination is in use by another Tidemark process (embedded PGlite serves one process): reconcile from that process, or use a Postgres destination');
  if (isUpstreamError(error)) return new ApiError(502, `the upstream did not answer the comparison: ${errorMessage(error)}`);
  return error;
}

export const reconcileRoute = defineRoute({
  method: 'GET',
  path: '/api/v1/tenants/{tenant}/reconcile',
  summary: 'Compare the upstream with the table per business day and group for [from, to) (reads the upstream; changes nothing)',
  tags: ['reconcile'],
  auth: 'read',
  params: z.object({ tenant: z.string().min(1).max(63) }),
  query: z
    .object({ sync: z.string().min(1).max(63), from: isoDate, to: isoDate })
    .refine((q) => q.to > q.from, { message: '"to" is exclusive and must be after "from"', path: ['to'] })
    .refine((q) => daysBetween(q.from, q.to) <= MAX_RECONCILE_DAYS, { message: `at most ${MAX_RECONCILE_DAYS} days at a time`, path: ['to'] }),
  async handle({ params, query, grant, signal }, deps) {
    visibleSync(deps.config, grant, params.tenant, query.sync);
    let byKey = inFlight.get(deps);
    if (!byKey) inFlight.set(deps, (byKey = new Map()));
    const key = `${query.sync}\u0000${query.from}\u0000${query.to}`;
    let shared = byKey.get(key);
    if (!shared) {
      const abort = new AbortController();
      const run = async () => {
        const parts = resolveSync(deps.config, query.sync, deps.env);
        return reconcileReport(parts, businessWindow(query.from, query.to, parts.sync.timezone), abort.signal);
      };
      const entry: Shared = { report: run(), abort, waiting: 0 };
      shared = entry;
      byKey.set(key, entry);
      entry.report.catch(() => undefined).finally(() => byKey.delete(key));
    }
    const entry = shared;
    entry.waiting += 1;
    let left = false;
    // The comparison stops when every client asking for it has gone.
    const leave = (gone: boolean) => {
      if (left) return;
      left = true;
      entry.waiting -= 1;
      if (gone && entry.waiting === 0) entry.abort.abort(new DOMException('client gone', 'AbortError'));
    };
    const onAbort = () => leave(true);
    signal.addEventListener('abort', onAbort, { once: true });
    if (signal.aborted) onAbort();
    try {
      return { body: await entry.report };
    } catch (error) {
      throw toApiError(error);
    } finally {
      signal.removeEventListener('abort', onAbort);
      leave(false);
    }
  },
});
