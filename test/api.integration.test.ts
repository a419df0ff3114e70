/**
 * The HTTP API over real HTTP, in this process: the control plane and the warehouse on the test
 * Postgres (own schemas), the Connecteam simulator as the upstream of two tenants (acme, beta), the
 * job engine and, once the trigger checks are done, a worker.
 * - auth: 401 without or with a wrong token (no detail), a token for acme gets 404 for beta's data,
 *   a read token gets 403 on trigger; invalid bodies 400 naming the field; oversized bodies 413;
 * - trigger 202 with a job id, then 200 coalesced into it;
 * - /api/health without a token, /metrics (scoped to the token's tenants), SSE status and run
 *   events, /api/openapi.json listing every route, reconcile per business day.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import type { FastifyInstance } from 'fastify';
import { startConnecteamSimulator, type ConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { parseConfig } from '../src/config/load.ts';
import type { Config } from '../src/config/schema.ts';
import { openJobs, type OpenJobs } from '../src/jobs/open-jobs.ts';
import { startWorker, type Worker } from '../src/jobs/worker.ts';
import { buildServer } from '../src/api/server.ts';
import { TokenStore } from '../src/api/tokens.ts';
import { API_ROUTES } from '../src/api/routes/index.ts';
import { addDays } from '../src/time/business-day.ts';
import { freshSchema, PG_URL, pgRows } from './helpers/postgres.ts';
import { freshControlPlane, waitFor } from './helpers/job-engine.ts';
import { dataset, shift } from './helpers/shifts.ts';
import type { DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';

const FROM = '2026-11-09';
const TO = '2026-11-12';

interface Ctx {
  simulator: ConnecteamSimulator;
  control: { schema: string; drop(): Promise<void> };
  dest: { schema: string; drop(): Promise<void> };
  config: Config;
  env: NodeJS.ProcessEnv;
  jobs: OpenJobs;
  app: FastifyInstance;
  url: string;
  worker: Worker | null;
  tokens: { acmeRead: string; acmeOperate: string; betaOperate: string; all: string };
}

let ctx: Ctx;

function configFor(baseUrl: string, controlSchema: string, destinationSchema: string) {
  const connection = (tenant: string) => ({ id: `${tenant}-connecteam`, tenant, connector: 'connecteam', baseUrl, credentials: { apiKey: { env: 'CT_KEY' } }, maxAttempts: 1 });
  const sync = (tenant: string) => ({ id: `${tenant}-shifts`, tenant, connection: `${tenant}-connecteam`, stream: 'connecteam.shifts', destination: 'warehouse' });
  return {
    controlPlane: { url: PG_URL, schema: controlSchema },
    jobs: { pollingIntervalSeconds: 0.5 },
    api: { bodyLimitBytes: 1024 },
    tenants: [
      { id: 'acme', name: 'Acme', timezone: 'America/Chicago' },
      { id: 'beta', name: 'Beta', timezone: 'America/Chicago' },
    ],
    connections: [connection('acme'), connection('beta')],
    destinations: [{ id: 'warehouse', url: PG_URL, schema: destinationSchema }],
    syncs: [sync('acme'), sync('beta')],
  };
}

async function call(path: string, options: { token?: string; method?: string; body?: unknown; raw?: string } = {}) {
  const headers: Record<string, string> = {};
  if (options.token) headers.authorization = `Bearer ${options.token}`;
  if (options.body !== undefined || options.raw !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(`${ctx.url}${path}`, {
    method: options.method ?? 'GET',
    headers,
    ...(options.raw !== undefined ? { body: options.raw } : options.body !== undefined ? { body: JSON.stringify(options.body) } : {}),
  });
  const text = await response.text();
  let json: unknown = null;
  try {
    json = JSON.parse(text);
  } catch {
    // Prometheus text
  }
  return { status: response.status, text, json: json as Record<string, unknown> & { error?: string } };
}

const trigger = (tenant: string, sync: string, token: string, body: unknown = { from: FROM, to: TO }) =>
  call(`/api/v1/tenants/${tenant}/syncs/${sync}/trigger`, { method: 'POST', token, body });

async function finishedRuns(syncId: string): Promise<{ id: string; status: string }[]> {
  return pgRows(`SELECT id::text, status FROM "${ctx.control.schema}".runs WHERE sync_id = $1 AND status <> 'running' ORDER BY id`, [syncId]);
}

/**
 * Read server-sent events until `enough` says so or the deadline passes; returns them parsed.
 * `afterFirstStatus` runs once the first status event has arrived (changes after it are events).
 */
async function readEvents(path: string, token: string, enough: (events: { event: string; data: unknown }[]) => boolean, timeoutMs = 30_000, afterFirstStatus?: () => Promise<void>) {
  const abort = new AbortController();
  const timer = setTimeout(() => abort.abort(), timeoutMs);
  const events: { event: string; data: unknown }[] = [];
  try {
    const response = await fetch(`${ctx.url}${path}`, { headers: { authorization: `Bearer ${token}` }, signal: abort.signal });
    assert.equal(response.status, 200);
    assert.match(response.headers.get('content-type') ?? '', /^text\/event-stream/);
    const reader = response.body!.getReader();
    const decoder = new TextDecoder();
    let buffer = '';
    while (!enough(events)) {
      const { value, done } = await reader.read();
      if (done) break;
      buffer += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        const event = /^event: (.*)$/m.exec(block)?.[1];
        const data = /^data: (.*)$/m.exec(block)?.[1];
        if (event && data) events.push({ event, data: JSON.parse(data) });
        if (event === 'status' && events.filter((e) => e.event === 'status').length === 1) await afterFirstStatus?.();
      }
    }
  } catch (error) {
    if (!abort.signal.aborted) throw error;
  } finally {
    clearTimeout(timer);
    abort.abort();
  }
  return events;
}

describe('HTTP API', () => {
  before(async () => {
    const shifts: DatasetShift[] = [];
    for (let date = FROM; date < TO; date = addDays(date, 1)) {
      shifts.push(shift(101, `${date}T08:00`, `${date}T12:00`), shift(102, `${date}T14:00`, `${date}T18:30`));
    }
    const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false });
    const control = await freshControlPlane();
    const dest = await freshSchema('dst');
    const config = parseConfig(configFor(simulator.url, control.schema, dest.schema));
    const env = { CT_KEY: simulator.apiKey };
    const jobs = await openJobs(config, env, { schedule: false, supervise: false });
    const store = new TokenStore(jobs.ledger.db, control.schema);
    const tokens = {
      acmeRead: (await store.create('acme-read', ['acme'], 'read')).token,
      acmeOperate: (await store.create('acme-operate', ['acme'], 'operate')).token,
      betaOperate: (await store.create('beta-operate', ['beta'], 'operate')).token,
      all: (await store.create('all', ['*'], 'read')).token,
    };
    const app = await buildServer({ config, env, ledger: jobs.ledger, engine: jobs.engine, tokens: store, now: () => new Date() }, { bodyLimitBytes: config.api.bodyLimitBytes });
    await app.listen({ host: '127.0.0.1', port: 0 });
    const address = app.server.address();
    const url = `http://127.0.0.1:${typeof address === 'object' && address ? address.port : 0}`;
    ctx = { simulator, control, dest, config, env, jobs, app, url, worker: null, tokens };
  });

  after(async () => {
    if (!ctx) return;
    await ctx.app.close();
    await ctx.worker?.stop();
    await ctx.jobs.close();
    await ctx.simulator.close();
    await ctx.control.drop();
    await ctx.dest.drop();
  });

  test('401 without a token, with an unknown one and with a malformed one; the answer has no detail', async () => {
    const unknown = `tm_${'A'.repeat(32)}`;
    for (const path of ['/api/v1/tenants', '/api/v1/tenants/acme/status', '/metrics', '/api/openapi.json', '/api/v1/tenants/acme/events']) {
      for (const token of [undefined, unknown, 'not-a-token']) {
        const answer = await call(path, token ? { token } : {});
        assert.equal(answer.status, 401, `${path} with ${token ?? 'no token'}`);
        assert.deepEqual(answer.json, { error: 'a valid bearer token is required' });
      }
    }
    const post = await call('/api/v1/tenants/acme/syncs/acme-shifts/trigger', { method: 'POST', body: {} });
    assert.equal(post.status, 401);
    assert.deepEqual(post.json, { error: 'a valid bearer token is required' });
  });

  test('a read token gets 403 on trigger; bodies are validated (400 naming the field) and size-capped (413)', async () => {
    const read = await trigger('acme', 'acme-shifts', ctx.tokens.acmeRead, {});
    assert.equal(read.status, 403);
    assert.match(read.json.error!, /may read but not operate/);

    const badDate = await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate, { from: '9 Nov', to: TO });
    assert.equal(badDate.status, 400);
    assert.match(badDate.json.error!, /body\.from: a date YYYY-MM-DD/);
    const unknownField = await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate, { form: FROM });
    assert.equal(unknownField.status, 400);
    assert.match(unknownField.json.error!, /body: .*"form"/);
    const badQuery = await call('/api/v1/tenants/acme/runs?limit=0', { token: ctx.tokens.acmeRead });
    assert.equal(badQuery.status, 400);
    assert.match(badQuery.json.error!, /query\.limit/);

    const big = await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate, { window: 'x'.repeat(2000) });
    assert.equal(big.status, 413);
    assert.match(big.json.error!, /larger than 1024 bytes/);
    assert.equal((await finishedRuns('acme-shifts')).length, 0, 'nothing ran');
  });

  test('trigger: 202 with a job id, then 200 coalesced into it; then a worker runs both tenants', async () => {
    const first = await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate);
    assert.equal(first.status, 202, first.text);
    assert.match(String(first.json.jobId), /^[0-9a-f-]{36}$/);
    assert.equal(first.json.coalescedInto, null);
    const second = await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate);
    assert.equal(second.status, 200, second.text);
    assert.deepEqual(second.json, { jobId: null, coalescedInto: first.json.jobId });
    assert.equal((await trigger('beta', 'beta-shifts', ctx.tokens.betaOperate)).status, 202);

    const queued = await call('/api/v1/tenants/acme/status', { token: ctx.tokens.acmeRead });
    const shifts = (queued.json.syncs as { syncId: string; state: string; queuedJobs: number }[]).find((s) => s.syncId === 'acme-shifts')!;
    assert.equal(shifts.state, 'queued');
    assert.equal(shifts.queuedJobs, 1);
    // Scraped before any run: the queue shows; the counters are seeded empty and count the runs to come.
    const metrics = await call('/metrics', { token: ctx.tokens.all });
    assert.match(metrics.text, /^tidemark_jobs_queued\{tenant="acme",sync="acme-shifts",state="created"\} 1$/m);
    assert.match(metrics.text, /^tidemark_jobs_queued\{tenant="beta",sync="beta-shifts",state="created"\} 1$/m);
    assert.doesNotMatch(metrics.text, /^tidemark_runs_total\{/m);

    ctx.worker = await startWorker({ config: ctx.config, env: ctx.env, ledger: ctx.jobs.ledger, engine: ctx.jobs.engine });
    await waitFor('both tenants\' runs to succeed', async () => (await finishedRuns('acme-shifts')).length >= 1 && (await finishedRuns('beta-shifts')).length >= 1, {
      timeoutMs: 60_000,
      describe: async () => JSON.stringify(await pgRows(`SELECT sync_id, status, error FROM "${ctx.control.schema}".runs`)),
    });
    assert.deepEqual((await finishedRuns('acme-shifts')).map((r) => r.status), ['succeeded']);
  });

  test('a token for acme gets 404 for beta\'s status, runs, run, trigger, events, reconcile and dead letters', async () => {
    const [betaRun] = await finishedRuns('beta-shifts');
    assert.ok(betaRun, 'beta has a run');
    const own = await call(`/api/v1/runs/${betaRun.id}`, { token: ctx.tokens.betaOperate });
    assert.equal(own.status, 200);
    assert.equal((own.json.run as { syncId: string }).syncId, 'beta-shifts');

    const answers = [
      await call('/api/v1/tenants/beta/status', { token: ctx.tokens.acmeOperate }),
      await call('/api/v1/tenants/beta/runs', { token: ctx.tokens.acmeOperate }),
      await call(`/api/v1/runs/${betaRun.id}`, { token: ctx.tokens.acmeOperate }),
      await trigger('beta', 'beta-shifts', ctx.tokens.acmeOperate),
      await call('/api/v1/tenants/beta/events', { token: ctx.tokens.acmeOperate }),
      await call(`/api/v1/tenants/beta/reconcile?sync=beta-shifts&from=${FROM}&to=${TO}`, { token: ctx.tokens.acmeOperate }),
      await call('/api/v1/tenants/beta/dead-letters', { token: ctx.tokens.acmeOperate }),
    ];
    for (const answer of answers) assert.equal(answer.status, 404, answer.text);
    // Indistinguishable from a tenant that does not exist.
    const missing = await call('/api/v1/tenants/nobody/status', { token: ctx.tokens.acmeOperate });
    assert.equal(missing.status, 404);
    assert.deepEqual(answers[0]!.json, { error: 'no tenant "beta"' });
    assert.deepEqual(missing.json, { error: 'no tenant "nobody"' });
    const tenants = await call('/api/v1/tenants', { token: ctx.tokens.acmeOperate });
    assert.deepEqual((tenants.json.tenants as { id: string }[]).map((t) => t.id), ['acme']);
  });

  test('/api/health without a token: 200 with the control plane, the destination and each upstream, with latencies; no URL', async () => {
    const health = await call('/api/health');
    assert.equal(health.status, 200, health.text);
    const body = health.json as unknown as {
      status: string;
      controlPlane: { ok: boolean; latencyMs: number };
      destinations: { id: string; ok: boolean; latencyMs: number }[];
      upstreams: { id: string; tenant: string; ok: boolean; latencyMs: number }[];
      ageSeconds: number;
    };
    assert.equal(body.status, 'ok');
    assert.equal(body.controlPlane.ok, true);
    assert.equal(typeof body.controlPlane.latencyMs, 'number');
    assert.deepEqual(body.destinations.map((d) => [d.id, d.ok, typeof d.latencyMs]), [['warehouse', true, 'number']]);
    assert.deepEqual(body.upstreams.map((u) => [u.id, u.tenant, u.ok, typeof u.latencyMs]), [
      ['acme-connecteam', 'acme', true, 'number'],
      ['beta-connecteam', 'beta', true, 'number'],
    ]);
    assert.doesNotMatch(health.text, /postgres:|127\.0\.0\.1|CT_KEY/);
    assert.ok(!health.text.includes(ctx.simulator.apiKey));

    // Cached: a second call within 30 s does not probe the upstream again.
    const requests = ctx.simulator.stats.requests;
    const again = await call('/api/health');
    assert.equal(again.status, 200);
    assert.equal(ctx.simulator.stats.requests, requests);
  });

  test('/metrics: Prometheus text with runs, records, durations, upstream requests, freshness and jobs; a tenant token sees only its tenant', async () => {
    const all = await call('/metrics', { token: ctx.tokens.all });
    assert.equal(all.status, 200);
    const text = all.text;
    const acme = 'tenant="acme",sync="acme-shifts"';
    assert.match(text, new RegExp(`^tidemark_runs_total\\{${acme},status="succeeded"\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_records_total\\{${acme},outcome="created"\\} 6$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_records_total\\{${acme},outcome="dead"\\} 0$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_upstream_requests_total\\{${acme}\\} [1-9]\\d*$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_upstream_rate_limited_total\\{${acme}\\} 0$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_upstream_retries_total\\{${acme}\\} 0$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_run_duration_seconds_count\\{${acme}\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_run_duration_seconds_bucket\\{le="\\+Inf",${acme}\\} 1$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_freshness_age_seconds\\{${acme}\\} \\d+$`, 'm'));
    assert.match(text, new RegExp(`^tidemark_sync_stale\\{${acme}\\} 0$`, 'm'));
    assert.match(text, /^# TYPE tidemark_jobs_queued gauge$/m);
    assert.match(text, /^tidemark_runs_total\{tenant="beta",sync="beta-shifts",status="succeeded"\} 1$/m);

    // Counters carry on: a new run is added once, whatever the number of scrapes.
    assert.equal((await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate)).status, 202);
    await waitFor('the second acme run', async () => (await finishedRuns('acme-shifts')).length >= 2);
    await call('/metrics', { token: ctx.tokens.all });
    const later = await call('/metrics', { token: ctx.tokens.all });
    assert.match(later.text, new RegExp(`^tidemark_runs_total\\{${acme},status="succeeded"\\} 2$`, 'm'));
    assert.match(later.text, new RegExp(`^tidemark_records_total\\{${acme},outcome="unchanged"\\} 6$`, 'm'));

    // A server started now seeds its counters from the ledger: the same totals.
    const fresh = await buildServer(
      { config: ctx.config, env: ctx.env, ledger: ctx.jobs.ledger, engine: ctx.jobs.engine, tokens: new TokenStore(ctx.jobs.ledger.db, ctx.control.schema), now: () => new Date() },
      { bodyLimitBytes: 1024 },
    );
    try {
      const seeded = await fresh.inject({ method: 'GET', url: '/metrics', headers: { authorization: `Bearer ${ctx.tokens.all}` } });
      const totals = (text: string) => text.split('\n').filter((line) => /^tidemark_(runs|records|upstream_requests)_total\{/.test(line)).sort();
      assert.deepEqual(totals(seeded.body), totals(later.text));
      assert.match(seeded.body, new RegExp(`^tidemark_run_duration_seconds_count\\{${acme}\\} 2$`, 'm'));
    } finally {
      await fresh.close();
    }

    const scoped = await call('/metrics', { token: ctx.tokens.acmeRead });
    assert.equal(scoped.status, 200);
    assert.match(scoped.text, /tenant="acme"/);
    assert.doesNotMatch(scoped.text, /tenant="beta"/);
  });

  test('SSE: status events every second, and a run event when a triggered run finishes', async () => {
    const before = (await finishedRuns('acme-shifts')).length;
    let triggered = false;
    const events = await readEvents(
      '/api/v1/tenants/acme/events',
      ctx.tokens.acmeRead,
      (seen) => seen.filter((e) => e.event === 'status').length >= 2 && seen.some((e) => e.event === 'run' && (e.data as { status: string }).status === 'succeeded'),
      60_000,
      async () => {
        triggered = (await trigger('acme', 'acme-shifts', ctx.tokens.acmeOperate)).status === 202;
      },
    );
    assert.ok(triggered);
    const statuses = events.filter((e) => e.event === 'status').map((e) => e.data as { tenant: { id: string }; syncs: { syncId: string }[] });
    assert.ok(statuses.length >= 2, `status events: ${statuses.length}`);
    assert.equal(statuses[0]!.tenant.id, 'acme');
    assert.deepEqual(statuses[0]!.syncs.map((s) => s.syncId), ['acme-shifts']);
    const run = events.find((e) => e.event === 'run' && (e.data as { status: string }).status === 'succeeded')!.data as { runId: string; syncId: string; counts: { fetched: number } };
    assert.equal(run.syncId, 'acme-shifts');
    assert.equal(run.counts.fetched, 6);
    assert.ok((await finishedRuns('acme-shifts')).length > before);
  });

  test('/api/openapi.json: valid JSON listing every route with its method', async () => {
    const doc = await call('/api/openapi.json', { token: ctx.tokens.acmeRead });
    assert.equal(doc.status, 200);
    const paths = doc.json.paths as Record<string, Record<string, { summary: string }>>;
    assert.equal(doc.json.openapi, '3.1.0');
    for (const route of API_ROUTES) {
      assert.ok(paths[route.path]?.[route.method.toLowerCase()], `${route.method} ${route.path} is documented`);
    }
    for (const path of ['/api/health', '/metrics', '/api/v1/tenants/{tenant}/events', '/api/v1/tenants/{tenant}/reconcile']) assert.ok(paths[path], path);
    const reconcile = paths['/api/v1/tenants/{tenant}/reconcile']!.get as unknown as { parameters: { name: string; in: string }[] };
    assert.deepEqual(reconcile.parameters.map((p) => `${p.in}:${p.name}`), ['path:tenant', 'query:sync', 'query:from', 'query:to']);
  });

  test('reconcile: per-day rows against the simulator; a deleted row shows on its day; bad ranges are 400', async () => {
    const path = `/api/v1/tenants/acme/reconcile?sync=acme-shifts&from=${FROM}&to=${TO}`;
    const equal = await call(path, { token: ctx.tokens.acmeRead });
    assert.equal(equal.status, 200, equal.text);
    const report = equal.json as unknown as { matches: boolean; fix: null; window: { timezone: string }; days: { date: string; matches: boolean; upstream: { count: number; sum: number }; stored: { count: number } }[] };
    assert.equal(report.matches, true);
    assert.equal(report.fix, null);
    assert.equal(report.window.timezone, 'America/Chicago');
    assert.deepEqual(report.days.map((d) => [d.date, d.matches, d.upstream.count, d.upstream.sum]), [
      ['2026-11-09', true, 2, 510],
      ['2026-11-10', true, 2, 510],
      ['2026-11-11', true, 2, 510],
    ]);

    await pgRows(`DELETE FROM "${ctx.dest.schema}".connecteam_shifts WHERE tenant_id = 'acme' AND shift_id = $1`, [
      (await pgRows<{ shift_id: string }>(`SELECT shift_id FROM "${ctx.dest.schema}".connecteam_shifts WHERE tenant_id = 'acme' ORDER BY start_at LIMIT 1 OFFSET 2`))[0]!.shift_id,
    ]);
    const differs = await call(path, { token: ctx.tokens.acmeRead });
    assert.equal(differs.status, 200);
    const after = differs.json as unknown as typeof report;
    assert.equal(after.matches, false);
    assert.deepEqual(after.days.map((d) => [d.date, d.matches, d.stored.count]), [
      ['2026-11-09', true, 2],
      ['2026-11-10', false, 1],
      ['2026-11-11', true, 2],
    ]);

    // A slow upstream: the comparison waits for it (the request's abort signal fires only when the client goes).
    ctx.simulator.faults.latencyMs = 300;
    try {
      const [slowA, slowB] = await Promise.all([call(path, { token: ctx.tokens.acmeRead }), call(path, { token: ctx.tokens.all })]);
      assert.equal(slowA.status, 200, slowA.text);
      assert.deepEqual(slowB.json, slowA.json, 'identical requests share one comparison');
    } finally {
      ctx.simulator.faults.latencyMs = 0;
    }

    const backwards = await call(`/api/v1/tenants/acme/reconcile?sync=acme-shifts&from=${TO}&to=${FROM}`, { token: ctx.tokens.acmeRead });
    assert.equal(backwards.status, 400);
    assert.match(backwards.json.error!, /query\.to: "to" is exclusive/);
    const tooLong = await call('/api/v1/tenants/acme/reconcile?sync=acme-shifts&from=2026-01-01&to=2026-12-01', { token: ctx.tokens.acmeRead });
    assert.equal(tooLong.status, 400);
    assert.match(tooLong.json.error!, /at most 93 days/);
    const noSync = await call(`/api/v1/tenants/acme/reconcile?from=${FROM}&to=${TO}`, { token: ctx.tokens.acmeRead });
    assert.equal(noSync.status, 400);
    assert.match(noSync.json.error!, /query\.sync/);
  });
});

test('reconcile against an embedded (PGlite) warehouse the worker holds open in this process: one instance shared, not refused', async () => {
  const shifts = [shift(101, `${FROM}T08:00`, `${FROM}T12:00`), shift(102, `${FROM}T14:00`, `${FROM}T18:30`)];
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false });
  const control = await freshControlPlane();
  const dir = join(mkdtempSync(join(tmpdir(), 'tidemark-api-')), 'warehouse');
  const config = parseConfig({ ...configFor(simulator.url, control.schema, 'unused'), destinations: [{ id: 'warehouse', url: `pglite:${dir}` }] });
  const env = { CT_KEY: simulator.apiKey };
  const jobs = await openJobs(config, env, { schedule: false, supervise: false });
  const worker = await startWorker({ config, env, ledger: jobs.ledger, engine: jobs.engine });
  const store = new TokenStore(jobs.ledger.db, control.schema);
  const { token } = await store.create('acme', ['acme'], 'read');
  const app = await buildServer({ config, env, ledger: jobs.ledger, engine: jobs.engine, tokens: store, now: () => new Date() }, { bodyLimitBytes: 1024 });
  try {
    await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'api', from: FROM, to: addDays(FROM, 1) });
    await waitFor('the run into the embedded warehouse', async () => {
      const runs = await pgRows<{ status: string }>(`SELECT status FROM "${control.schema}".runs WHERE sync_id = 'acme-shifts' AND status <> 'running'`);
      return runs.length > 0 && runs;
    });
    // The worker's destination cache holds the directory open; reconcile opens it again in this process.
    const answer = await app.inject({ method: 'GET', url: `/api/v1/tenants/acme/reconcile?sync=acme-shifts&from=${FROM}&to=${addDays(FROM, 1)}`, headers: { authorization: `Bearer ${token}` } });
    assert.equal(answer.statusCode, 200, answer.body);
    const report = JSON.parse(answer.body) as { matches: boolean; days: { date: string; stored: { count: number } }[] };
    assert.equal(report.matches, true);
    assert.deepEqual(report.days.map((d) => [d.date, d.stored.count]), [[FROM, 2]]);
    // The worker still has its warehouse after the reconcile closed its share.
    await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'api', from: FROM, to: addDays(FROM, 1) });
    await waitFor('a second run after the reconcile', async () => {
      const runs = await pgRows<{ status: string }>(`SELECT status FROM "${control.schema}".runs WHERE sync_id = 'acme-shifts' AND status <> 'running' ORDER BY id`);
      return runs.length === 2 && runs;
    });
    const runs = await pgRows<{ status: string; error: string | null }>(`SELECT status, error FROM "${control.schema}".runs WHERE sync_id = 'acme-shifts' ORDER BY id`);
    assert.deepEqual(runs, [{ status: 'succeeded', error: null }, { status: 'succeeded', error: null }]);
  } finally {
    await app.close();
    await worker.stop();
    await jobs.close();
    await simulator.close();
    await control.drop();
  }
  assert.ok(!existsSync(`${dir}.lock`), 'the directory lock is released once every user closed it');
});
