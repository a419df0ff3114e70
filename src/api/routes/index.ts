/** Every API route, in the order the OpenAPI document lists them. */
import type { ApiRoute } from '../route.ts';
import { listTenants } from './tenants.ts';
import { getStatus } from './status.ts';
import { getRun, listRuns } from './runs.ts';
import { triggerSync } from './trigger.ts';
import { listDeadLetters, replayDeadLetter } from './dead-letters.ts';
import { tenantEvents } from './events.ts';
import { reconcileRoute } from './reconcile.ts';
import { getHealth } from './health.ts';
import { getMetrics } from './metrics.ts';
import { replicaPull, replicaPush } from './replica.ts';

export const API_ROUTES: readonly ApiRoute[] = [listTenants, getStatus, listRuns, getRun, triggerSync, listDeadLetters, replayDeadLetter, tenantEvents, reconcileRoute, getHealth, getMetrics, replicaPush, replicaPull] as readonly ApiRoute[];
