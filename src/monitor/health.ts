/**
 * Health of everything a sync needs: the control plane, each destination, each upstream
 * connection. One cheap probe each (`SELECT 1`; the connector's one authenticated request), in
 * parallel, each bounded by HEALTH_TIMEOUT_MS, with its latency. The answer is public (the health
 * endpoint needs no token), so it names components by id and kind only: never a URL, a host, an
 * environment variable or an upstream's message; failures are classified ("connection refused",
 * "credentials refused (HTTP 401)").
 *
 * Embedded PGlite destinations are checked on disk, not opened: a data directory serves one
 * process, and opening it here could lock out this process's own worker.
 */
import { existsSync } from 'node:fs';
import type { Config, ConnectionConfig, DestinationConfig } from '../config/schema.ts';
import { resolveUrl } from '../config/secrets.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { findConnector } from '../connectors/registry.ts';
import { isUpstreamError } from '../upstream/index.ts';
import { NotCreatedError, pglitePath, pingDatabase } from '../doctor/ping-database.ts';
import { credentialVariables, probeClient } from '../doctor/probe-client.ts';
import { isMysqlUrl } from '../destinations/mysql/mysql-url.ts';
import { isSqliteUrl } from '../destinations/sqlite/sqlite-destination.ts';

export const HEALTH_TIMEOUT_MS = 3_000;
export const HEALTH_CACHE_SECONDS = 30;

export interface ComponentHealth {
  /** `control-plane`, a destination id, or a connection id. */
  readonly id: string;
  /** postgres, pglite, mysql, sqlite; or the connector (connecteam, yclients, cliniko). */
  readonly kind: string;
  readonly tenant?: string;
  readonly ok: boolean;
  /** The probe's round trip; null when nothing was called. */
  readonly latencyMs: number | null;
  /** Why it is not ok (classified, no detail that could leak). */
  readonly error?: string;
  /** Something worth knowing while ok (rate limited, not probed). */
  readonly note?: string;
}

export interface HealthReport {
  readonly status: 'ok' | 'failing';
  readonly checkedAt: string;
  readonly controlPlane: ComponentHealth;
  readonly destinations: readonly ComponentHealth[];
  readonly upstreams: readonly ComponentHealth[];
}

class HealthTimeout extends Error {
  override readonly name = 'HealthTimeout';
}

const roundMs = (ms: number) => Math.round(ms * 10) / 10;

/** Run `work`, failing with HealthTimeout after `ms` (the work is abandoned; its own timeouts end it). */
async function bounded<T>(work: () => Promise<T>, ms = HEALTH_TIMEOUT_MS): Promise<{ value: T; ms: number }> {
  const started = performance.now();
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new HealthTimeout(`no answer within ${ms / 1000} s`)), ms);
  });
  const running = work();
  running.catch(() => undefined);
  try {
    const value = await Promise.race([running, timeout]);
    return { value, ms: roundMs(performance.now() - started) };
  } finally {
    clearTimeout(timer);
  }
}

function codeOf(error: unknown): string | undefined {
  for (let e: unknown = error; e && typeof e === 'object'; e = (e as { cause?: unknown }).cause) {
    const code = (e as { code?: unknown }).code;
    if (typeof code === 'string') return code;
  }
  return undefined;
}

/** A database failure in words that name no host, user or path. */
function databaseProblem(error: unknown): string {
  if (error instanceof HealthTimeout) return error.message;
  if (error instanceof NotCreatedError) return 'not created yet (tidemark migrate)';
  const code = codeOf(error);
  if (code === 'ECONNREFUSED') return 'connection refused';
  if (code === 'ENOTFOUND' || code === 'EAI_AGAIN') return 'host not found';
  if (code === 'ETIMEDOUT') return 'connection timed out';
  if (code === '28P01' || code === '28000' || code === 'ER_ACCESS_DENIED_ERROR') return 'authentication failed';
  if (code === '3D000' || code === 'ER_BAD_DB_ERROR') return 'database does not exist';
  if (code === '57P03') return 'the server is starting up or shutting down';
  return 'cannot connect';
}

function destinationKind(url: string): string {
  if (url.startsWith('pglite:')) return 'pglite';
  if (/^postgres(ql)?:\/\//.test(url)) return 'postgres';
  if (isMysqlUrl(url)) return 'mysql';
  if (isSqliteUrl(url)) return 'sqlite';
  return 'unknown';
}

async function checkControlPlane(ledger: Ledger): Promise<ComponentHealth> {
  const base = { id: 'control-plane', kind: ledger.db.kind };
  try {
    const { ms } = await bounded(() => ledger.db.query('SELECT 1'));
    return { ...base, ok: true, latencyMs: ms };
  } catch (error) {
    return { ...base, ok: false, latencyMs: null, error: databaseProblem(error) };
  }
}

async function checkDestination(destination: DestinationConfig, index: number, env: NodeJS.ProcessEnv): Promise<ComponentHealth> {
  let url: string;
  try {
    url = resolveUrl(destination.url, `destinations[${index}].url`, env);
  } catch {
    return { id: destination.id, kind: 'unknown', ok: false, latencyMs: null, error: 'its URL\'s environment variable is not set' };
  }
  const base = { id: destination.id, kind: destinationKind(url) };
  if (base.kind === 'pglite') {
    const started = performance.now();
    const path = pglitePath(url);
    const exists = path === 'memory' || existsSync(path);
    const ms = roundMs(performance.now() - started);
    return exists
      ? { ...base, ok: true, latencyMs: ms, note: 'embedded: its data directory is there (not opened: it serves one process)' }
      : { ...base, ok: false, latencyMs: ms, error: 'not created yet (tidemark migrate)' };
  }
  try {
    const { ms } = await bounded(() => pingDatabase(url));
    return { ...base, ok: true, latencyMs: ms };
  } catch (error) {
    return { ...base, ok: false, latencyMs: null, error: databaseProblem(error) };
  }
}

async function checkUpstream(connection: ConnectionConfig, env: NodeJS.ProcessEnv): Promise<ComponentHealth> {
  const connector = findConnector(connection.connector)!;
  const base = { id: connection.id, kind: connection.connector, tenant: connection.tenant };
  const { unconfigured, unset } = credentialVariables(connector, connection, env);
  if (unconfigured.length > 0 || unset.length > 0) return { ...base, ok: false, latencyMs: null, error: 'credentials not configured or not set' };
  if (!connector.probe) return { ...base, ok: true, latencyMs: null, note: 'the connector has no probe: not called' };
  const started = performance.now();
  const signal = AbortSignal.timeout(HEALTH_TIMEOUT_MS);
  let result;
  try {
    result = await connector.probe(probeClient(connector, connection, env), { signal });
  } catch {
    return { ...base, ok: false, latencyMs: null, error: 'the probe could not be made' };
  }
  const ms = roundMs(performance.now() - started);
  if (result.ok) return { ...base, ok: true, latencyMs: ms };
  const error = result.error;
  if (signal.aborted || isUpstreamError(error, 'timeout')) return { ...base, ok: false, latencyMs: null, error: `no answer within ${HEALTH_TIMEOUT_MS / 1000} s` };
  if (isUpstreamError(error, 'rate_limited')) return { ...base, ok: true, latencyMs: ms, note: 'rate limited (HTTP 429): answering, credentials not verified' };
  if (isUpstreamError(error, 'unauthorized', 'forbidden')) return { ...base, ok: false, latencyMs: ms, error: `credentials refused (HTTP ${error.status ?? (error.kind === 'forbidden' ? 403 : 401)})` };
  if (isUpstreamError(error, 'network')) return { ...base, ok: false, latencyMs: null, error: 'cannot reach the upstream' };
  if (isUpstreamError(error)) return { ...base, ok: false, latencyMs: ms, error: error.status ? `HTTP ${error.status}` : `request failed (${error.kind})` };
  return { ...base, ok: false, latencyMs: null, error: 'request failed' };
}

export async function checkHealth(config: Config, env: NodeJS.ProcessEnv, ledger: Ledger, now: Date): Promise<HealthReport> {
  const [controlPlane, destinations, upstreams] = await Promise.all([
    checkControlPlane(ledger),
    Promise.all(config.destinations.map((d, i) => checkDestination(d, i, env))),
    Promise.all(config.connections.map((c) => checkUpstream(c, env))),
  ]);
  const ok = controlPlane.ok && destinations.every((d) => d.ok) && upstreams.every((u) => u.ok);
  return { status: ok ? 'ok' : 'failing', checkedAt: now.toISOString(), controlPlane, destinations, upstreams };
}

/**
 * The last report for `ttlSeconds` (health endpoints are polled: every few seconds by a load
 * balancer must not mean a request to every upstream); concurrent callers share one check.
 */
export class HealthCache {
  private readonly check: () => Promise<HealthReport>;
  private readonly ttlMs: number;
  private current: { readonly at: number; readonly report: Promise<HealthReport> } | null = null;

  constructor(check: () => Promise<HealthReport>, ttlSeconds = HEALTH_CACHE_SECONDS) {
    this.check = check;
    this.ttlMs = ttlSeconds * 1000;
  }

  /** The report and how old it is (0 when just checked). */
  async get(): Promise<{ report: HealthReport; ageSeconds: number }> {
    const now = Date.now();
    if (!this.current || now - this.current.at >= this.ttlMs) {
      const report = this.check();
      const entry = { at: now, report };
      this.current = entry;
      // A check that throws is not kept: the next call tries again.
      report.catch(() => {
        if (this.current === entry) this.current = null;
      });
    }
    const entry = this.current;
    const report = await entry.report;
    return { report, ageSeconds: Math.round((now - entry.at) / 1000) };
  }
}
