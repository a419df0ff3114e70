/**
 * Prometheus metrics from the ledger, collected when scraped (one Registry per server).
 *
 * Counters (`_total`) count finished runs: the first scrape seeds them with every run the ledger
 * still holds, later scrapes add the runs finished since (found by finish time, with an overlap so a
 * run committed late is not missed, and by id so none is counted twice). They never go down when
 * the ledger prunes old runs; a restarted server starts again from the ledger, which Prometheus
 * reads as a counter reset. A resumed run's records are counted without its predecessor's (it
 * carries them over). Durations: a histogram of succeeded runs, seeded with the last 24 hours'.
 * Gauges (freshness, running runs, queued and dead-lettered jobs) are read afresh on every scrape.
 *
 * Every series carries a `tenant` label; a token scoped to tenants sees only theirs.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';
import type { Config } from '../config/schema.ts';
import type { Ledger } from '../ledger/ledger.ts';
import type { JobEngine } from '../jobs/job-engine.ts';
import { SYNC_QUEUE } from '../jobs/queues.ts';
import { quoteIdent } from '../db/identifiers.ts';
import { freshnessOf } from './freshness.ts';

export const DURATION_BUCKETS = [1, 5, 15, 30, 60, 120, 300, 600, 1800, 3600, 7200] as const;
const FINISHED = `('succeeded', 'failed', 'interrupted')`;
/** How late a finished run may commit and still be counted by the next scrape. */
const OVERLAP = `interval '2 minutes'`;
const SEED_HOURS = 24;
const SEED_RUNS = 20_000;
const OUTCOMES = ['created', 'updated', 'unchanged', 'deleted', 'dead'] as const;
/** runs.upstream (the client's stats) → counter. */
const UPSTREAM = { requests: 'requests', retries: 'retries', rateLimited: 'rate_limited', serverErrors: 'server_errors', waitMs: 'wait_ms' } as const;

const upstreamField = (json: string) =>
  `CASE WHEN jsonb_typeof(r.upstream -> '${json}') = 'number' THEN (r.upstream ->> '${json}')::float8 ELSE 0 END`;
/** A resumed run carries its predecessor's counts: count only what it added. */
const ownCount = (column: string) => `GREATEST(r.${column} - COALESCE(p.${column}, 0), 0)`;

type Row = Record<string, unknown>;
const num = (value: unknown) => (value === null || value === undefined ? 0 : Number(value));

export class LedgerMetrics {
  readonly registry = new Registry();
  private readonly config: Config;
  private readonly ledger: Ledger;
  private readonly engine: JobEngine | null;
  private readonly s: string;
  private readonly runs: Counter<'tenant' | 'sync' | 'status'>;
  private readonly records: Counter<'tenant' | 'sync' | 'outcome'>;
  private readonly upstreamRequests: Counter<'tenant' | 'sync'>;
  private readonly upstreamRetries: Counter<'tenant' | 'sync'>;
  private readonly upstreamRateLimited: Counter<'tenant' | 'sync'>;
  private readonly upstreamServerErrors: Counter<'tenant' | 'sync'>;
  private readonly upstreamWait: Counter<'tenant' | 'sync'>;
  private readonly durations: Histogram<'tenant' | 'sync'>;
  private readonly freshnessAge: Gauge<'tenant' | 'sync'>;
  private readonly stale: Gauge<'tenant' | 'sync'>;
  private readonly lastSuccess: Gauge<'tenant' | 'sync'>;
  private readonly running: Gauge<'tenant' | 'sync'>;
  private readonly jobs: Gauge<'tenant' | 'sync' | 'state'>;
  private readonly deadJobs: Gauge<'tenant' | 'sync'>;
  /** Finish time (ms) of the newest run counted; null before the first scrape. */
  private watermark: Date | null = null;
  private seeded = false;
  /** Runs counted whose finish time is still inside the overlap. */
  private counted = new Set<string>();
  private refreshing: Promise<void> = Promise.resolve();
  private readonly all: readonly (Counter | Gauge | Histogram)[];

  constructor(config: Config, ledger: Ledger, engine: JobEngine | null) {
    this.config = config;
    this.ledger = ledger;
    this.engine = engine;
    this.s = quoteIdent(ledger.schema);
    const registers = [this.registry];
    const tenantSync = ['tenant', 'sync'] as const;
    this.runs = new Counter({ name: 'tidemark_runs_total', help: 'Finished runs by sync and final status (succeeded, failed, interrupted)', labelNames: ['tenant', 'sync', 'status'], registers });
    this.records = new Counter({ name: 'tidemark_records_total', help: 'Records merged by finished runs, by outcome (created, updated, unchanged, deleted, dead)', labelNames: ['tenant', 'sync', 'outcome'], registers });
    this.upstreamRequests = new Counter({ name: 'tidemark_upstream_requests_total', help: 'HTTP requests to the upstream API made by finished runs', labelNames: tenantSync, registers });
    this.upstreamRetries = new Counter({ name: 'tidemark_upstream_retries_total', help: 'Upstream requests retried by finished runs (429, 5xx, timeouts, network)', labelNames: tenantSync, registers });
    this.upstreamRateLimited = new Counter({ name: 'tidemark_upstream_rate_limited_total', help: 'Upstream answers HTTP 429 seen by finished runs', labelNames: tenantSync, registers });
    this.upstreamServerErrors = new Counter({ name: 'tidemark_upstream_server_errors_total', help: 'Upstream answers HTTP 5xx seen by finished runs', labelNames: tenantSync, registers });
    this.upstreamWait = new Counter({ name: 'tidemark_upstream_wait_seconds_total', help: 'Seconds finished runs waited for the upstream budget and retry backoff', labelNames: tenantSync, registers });
    this.durations = new Histogram({ name: 'tidemark_run_duration_seconds', help: 'Durations of succeeded runs (seeded with the last 24 h at the first scrape)', labelNames: tenantSync, buckets: [...DURATION_BUCKETS], registers });
    this.freshnessAge = new Gauge({ name: 'tidemark_freshness_age_seconds', help: 'Seconds since the sync last succeeded (absent: never)', labelNames: tenantSync, registers });
    this.lastSuccess = new Gauge({ name: 'tidemark_last_success_timestamp_seconds', help: 'Unix time the sync last succeeded (absent: never)', labelNames: tenantSync, registers });
    this.stale = new Gauge({ name: 'tidemark_sync_stale', help: '1 when the sync\'s data is stale by its expected cadence inside business hours, else 0', labelNames: tenantSync, registers });
    this.running = new Gauge({ name: 'tidemark_runs_running', help: 'Runs in progress', labelNames: tenantSync, registers });
    this.jobs = new Gauge({ name: 'tidemark_jobs_queued', help: 'Jobs waiting in the queue (state created: ready or scheduled; retry: waiting to retry)', labelNames: ['tenant', 'sync', 'state'], registers });
    this.deadJobs = new Gauge({ name: 'tidemark_jobs_dead_lettered', help: 'Jobs in the dead-letter queue (failed every attempt)', labelNames: tenantSync, registers });
    this.all = [this.runs, this.records, this.upstreamRequests, this.upstreamRetries, this.upstreamRateLimited, this.upstreamServerErrors, this.upstreamWait, this.durations, this.freshnessAge, this.lastSuccess, this.stale, this.running, this.jobs, this.deadJobs];
  }

  /** Prometheus text of the series of the tenants `visible` accepts. */
  async scrape(visible: (tenant: string) => boolean, now: Date): Promise<string> {
    // One refresh at a time: two concurrent scrapes must not count the same run twice.
    const refresh = this.refreshing.then(() => this.refresh(now));
    this.refreshing = refresh.catch(() => undefined);
    await refresh;
    const view = new Registry();
    for (const metric of this.all) {
      const snapshot = await metric.get();
      const values = (snapshot.values as { labels: Record<string, unknown> }[]).filter((v) => visible(String(v.labels.tenant ?? '')));
      // A read-only copy with the visible series: the registry formats it like any metric.
      view.registerMetric({ name: snapshot.name, get: async () => ({ ...snapshot, values }) } as unknown as Counter);
    }
    return view.metrics();
  }

  get contentType(): string {
    return this.registry.contentType;
  }

  private async refresh(now: Date): Promise<void> {
    if (!this.seeded) await this.seed();
    else await this.countNewRuns();
    await this.readGauges(now);
  }

  private addTotals(row: Row, runs: number): void {
    const labels = { tenant: String(row.tenant_id), sync: String(row.sync_id) };
    this.runs.inc({ ...labels, status: String(row.status) }, runs);
    for (const outcome of OUTCOMES) this.records.inc({ ...labels, outcome }, num(row[outcome]));
    this.upstreamRequests.inc(labels, num(row[UPSTREAM.requests]));
    this.upstreamRetries.inc(labels, num(row[UPSTREAM.retries]));
    this.upstreamRateLimited.inc(labels, num(row[UPSTREAM.rateLimited]));
    this.upstreamServerErrors.inc(labels, num(row[UPSTREAM.serverErrors]));
    this.upstreamWait.inc(labels, num(row[UPSTREAM.waitMs]) / 1000);
  }

  private observeDuration(row: Row): void {
    if (row.status !== 'succeeded' || row.duration_s === null || row.duration_s === undefined) return;
    this.durations.observe({ tenant: String(row.tenant_id), sync: String(row.sync_id) }, Math.max(0, num(row.duration_s)));
  }

  private get perRunColumns(): string {
    return [
      ...OUTCOMES.map((o) => `${ownCount(o)} AS ${o}`),
      ...Object.entries(UPSTREAM).map(([json, column]) => `${upstreamField(json)} AS ${column}`),
      `EXTRACT(EPOCH FROM (r.finished_at - r.started_at))::float8 AS duration_s`,
    ].join(', ');
  }

  /** Everything the ledger holds, in one statement (one snapshot): totals, the last day's durations, and the runs inside the overlap. */
  private async seed(): Promise<void> {
    const sums = [...OUTCOMES, ...Object.values(UPSTREAM)].map((c) => `sum(${c})::float8 AS ${c}`).join(', ');
    const result = await this.ledger.db.query(
      `WITH finished AS (
         SELECT r.id, r.tenant_id, r.sync_id, r.status, r.finished_at, ${this.perRunColumns}
         FROM ${this.s}.runs r LEFT JOIN ${this.s}.runs p ON p.id = r.resumed_from
         WHERE r.status IN ${FINISHED} AND r.finished_at IS NOT NULL
       ), mark AS (SELECT max(finished_at) AS t0 FROM finished)
       SELECT 'total' AS part, tenant_id, sync_id, status, count(*)::float8 AS runs, ${sums},
              NULL::bigint AS id, NULL::float8 AS duration_s, (SELECT t0 FROM mark) AS t0, false AS recent
       FROM finished GROUP BY tenant_id, sync_id, status
       UNION ALL
       (SELECT 'run', f.tenant_id, f.sync_id, f.status, 1, ${[...OUTCOMES, ...Object.values(UPSTREAM)].map(() => '0').join(', ')},
               f.id, f.duration_s, m.t0, f.finished_at > m.t0 - ${OVERLAP} - interval '1 second'
        FROM finished f, mark m WHERE f.finished_at > m.t0 - interval '${SEED_HOURS} hours'
        ORDER BY f.finished_at DESC LIMIT ${SEED_RUNS})`,
    );
    const counted = new Set<string>();
    for (const row of result.rows) {
      if (row.part === 'total') this.addTotals(row, num(row.runs));
      else {
        this.observeDuration(row);
        if (row.recent === true) counted.add(String(row.id));
      }
      if (row.t0) this.watermark = new Date(row.t0 as string);
    }
    this.counted = counted;
    this.seeded = true;
  }

  /** Runs finished since the watermark (minus the overlap) that were not counted yet. */
  private async countNewRuns(): Promise<void> {
    const result = await this.ledger.db.query(
      `SELECT r.id, r.tenant_id, r.sync_id, r.status, r.finished_at, ${this.perRunColumns}
       FROM ${this.s}.runs r LEFT JOIN ${this.s}.runs p ON p.id = r.resumed_from
       WHERE r.status IN ${FINISHED} AND r.finished_at IS NOT NULL AND ($1::timestamptz IS NULL OR r.finished_at > $1::timestamptz - ${OVERLAP})
       ORDER BY r.finished_at LIMIT 100000`,
      [this.watermark?.toISOString() ?? null],
    );
    const seen = new Set<string>();
    for (const row of result.rows) {
      const id = String(row.id);
      seen.add(id);
      const finishedAt = new Date(row.finished_at as string);
      if (!this.watermark || finishedAt > this.watermark) this.watermark = finishedAt;
      if (this.counted.has(id)) continue;
      this.addTotals(row, 1);
      this.observeDuration(row);
    }
    // A run no longer returned has left the overlap for good (the lower bound only rises).
    this.counted = seen;
  }

  private async readGauges(now: Date): Promise<void> {
    const [successes, running] = await Promise.all([
      this.ledger.db.query(`SELECT sync_id, max(finished_at) AS at FROM ${this.s}.runs WHERE status = 'succeeded' GROUP BY sync_id`),
      this.ledger.db.query(`SELECT tenant_id, sync_id, count(*)::int AS n FROM ${this.s}.runs WHERE status = 'running' GROUP BY tenant_id, sync_id`),
    ]);
    const lastSuccess = new Map(successes.rows.map((r) => [String(r.sync_id), new Date(r.at as string)]));
    for (const gauge of [this.freshnessAge, this.lastSuccess, this.stale, this.running, this.jobs, this.deadJobs]) gauge.reset();
    const tenantOfSync = new Map(this.config.syncs.map((s) => [s.id, s.tenant]));
    for (const sync of this.config.syncs) {
      const tenant = this.config.tenants.find((t) => t.id === sync.tenant);
      if (!tenant) continue;
      const labels = { tenant: sync.tenant, sync: sync.id };
      const at = lastSuccess.get(sync.id) ?? null;
      const freshness = freshnessOf(sync, tenant, at, now);
      if (at) {
        this.lastSuccess.set(labels, at.getTime() / 1000);
        this.freshnessAge.set(labels, freshness.ageSeconds ?? 0);
      }
      this.stale.set(labels, freshness.state === 'stale' ? 1 : 0);
      this.running.set(labels, 0);
    }
    for (const row of running.rows) this.running.set({ tenant: String(row.tenant_id), sync: String(row.sync_id) }, num(row.n));
    if (!this.engine) return;
    const [queued, dead] = await Promise.all([this.engine.boss.findJobs<{ syncId?: string }>(SYNC_QUEUE, { queued: true, limit: 100_000 }), this.engine.deadLetters(100_000)]);
    for (const job of queued) {
      const sync = job.data?.syncId;
      const tenant = sync ? tenantOfSync.get(sync) : undefined;
      if (sync && tenant) this.jobs.inc({ tenant, sync, state: job.state === 'retry' ? 'retry' : 'created' });
    }
    for (const job of dead) {
      const tenant = tenantOfSync.get(job.data.syncId);
      if (tenant) this.deadJobs.inc({ tenant, sync: job.data.syncId });
    }
  }
}
