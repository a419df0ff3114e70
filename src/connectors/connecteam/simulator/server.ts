/**
 * The Connecteam simulator's HTTP server: auth, injected faults, rate limits, then the route.
 * Control endpoints under /__sim/ (stats, faults, reset) skip all of that and are not counted,
 * so a test's own bookkeeping never shows up in what it measures.
 */
import { randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerControl } from '../../simulator-control.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { errorAnswer, QueryError, type Answer } from './answers.ts';
import { generateDataset, DEFAULT_SEED } from './dataset.ts';
import { applyFaultPatch, NO_FAULTS, type FaultOptions } from './faults.ts';
import type { GenerateOptions } from './generate-options.ts';
import { CONNECTEAM_PLAN_LIMITS, createRateLimiter, type RateLimit, type RateLimitHeaders } from './rate-limit.ts';
import { ConnecteamStore } from './store.ts';
import { listTimeActivities, listTimeClocks } from './time-activities-route.ts';
import type { ConnecteamDataset } from './types.ts';
import { listUsers } from './users-route.ts';

export interface ConnecteamSimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 'sim-connecteam-key'. */
  apiKey?: string;
  /** Default 1. */
  seed?: number;
  /** Serve this instead of generating (the simulator keeps its own copy). */
  dataset?: ConnecteamDataset;
  /** Ignored when `dataset` is given. */
  generate?: Partial<GenerateOptions>;
  /** Default Enterprise: 200 a minute, 20,000 a day. `false`: unlimited, and no rate-limit headers. */
  rateLimit?: RateLimit | false;
  /** Longest time-activities window in dates, default 92. */
  maxWindowDays?: number;
  faults?: Partial<FaultOptions>;
  /** The clock for rate-limit windows and the createdAt/modifiedAt of store edits. */
  now?: () => Date;
}

export interface SimulatorStats {
  requests: number;
  byRoute: Record<string, number>;
  served429: number;
  served5xx: number;
}

export interface ConnecteamSimulator {
  /** e.g. http://127.0.0.1:43123 (no trailing slash). */
  readonly url: string;
  readonly port: number;
  readonly apiKey: string;
  readonly store: ConnecteamStore;
  /** Change at runtime: the next request sees it. */
  readonly faults: FaultOptions;
  readonly stats: SimulatorStats;
  close(): Promise<void>;
}

export const DEFAULT_API_KEY = 'sim-connecteam-key';
const TIME_ACTIVITIES_PATH = /^\/time-clock\/v1\/time-clocks\/(\d+)\/time-activities\/?$/;

interface ApiRoute {
  /** The path as documented, for stats: `/time-clock/v1/time-clocks/{timeClockId}/time-activities`. */
  readonly template: string;
  answer(query: URLSearchParams, requestId: string, path: string): Answer;
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function send(response: ServerResponse, answer: Answer, headers: RateLimitHeaders = {}): void {
  response.writeHead(answer.status, {
    'content-type': 'application/json',
    'content-length': Buffer.byteLength(answer.body),
    ...headers,
  });
  response.end(answer.body);
}

/**
 * Writes the status line, headers and the first half of the body straight to the socket, with no
 * Content-Length and `connection: close`, then ends the connection: the client gets a 200 whose
 * body ends early and does not parse.
 */
function sendTruncated(response: ServerResponse, answer: Answer, headers: RateLimitHeaders): void {
  const body = Buffer.from(answer.body);
  const head = Object.entries({ 'content-type': 'application/json', ...headers, connection: 'close' })
    .map(([name, value]) => `${name}: ${value}\r\n`)
    .join('');
  response.socket?.end(Buffer.concat([Buffer.from(`HTTP/1.1 ${answer.status} OK\r\n${head}\r\n`), body.subarray(0, Math.floor(body.length / 2))]));
}

function assertOptions(options: ConnecteamSimulatorOptions): void {
  const { port = 0, maxWindowDays = 92, apiKey = DEFAULT_API_KEY } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port is ${port}; use a whole number from 0 (any free port) to 65535`);
  if (!Number.isInteger(maxWindowDays) || maxWindowDays < 1) throw new RangeError(`maxWindowDays is ${maxWindowDays}; use a whole number ≥ 1 (Connecteam documents 92)`);
  if (apiKey === '') throw new RangeError('apiKey is empty; pass a non-empty key or leave it out for "sim-connecteam-key"');
}

export async function startConnecteamSimulator(options: ConnecteamSimulatorOptions = {}): Promise<ConnecteamSimulator> {
  assertOptions(options);
  const host = options.host ?? '127.0.0.1';
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  const maxWindowDays = options.maxWindowDays ?? 92;
  const now = options.now ?? (() => new Date());
  const dataset = options.dataset ? structuredClone(options.dataset) : generateDataset(options.seed ?? DEFAULT_SEED, options.generate);
  const store = new ConnecteamStore(dataset, now);
  const initialFaults = applyFaultPatch({ ...NO_FAULTS }, options.faults ?? {});
  const faults: FaultOptions = { ...initialFaults };
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? CONNECTEAM_PLAN_LIMITS.enterprise, now);
  const stats: SimulatorStats = { requests: 0, byRoute: {}, served429: 0, served5xx: 0 };

  const routes: Record<string, ApiRoute> = {
    '/users/v1/users': { template: '/users/v1/users', answer: (query, requestId) => listUsers(store, query, requestId) },
    '/time-clock/v1/time-clocks': { template: '/time-clock/v1/time-clocks', answer: (_query, requestId) => listTimeClocks(store, requestId) },
  };
  function matchRoute(pathname: string): ApiRoute | undefined {
    const exact = routes[pathname.replace(/\/$/, '')];
    if (exact !== undefined) return exact;
    const match = TIME_ACTIVITIES_PATH.exec(pathname);
    if (match === null) return undefined;
    const timeClockId = Number(match[1]);
    return {
      template: '/time-clock/v1/time-clocks/{timeClockId}/time-activities',
      answer: (query, requestId, path) =>
        listTimeActivities(store, timeClockId, query, requestId, path, { maxWindowDays, malformedShift: faults.malformedShift }),
    };
  }

  function isAuthorized(request: IncomingMessage): boolean {
    // Node lower-cases header names, so X-API-KEY, X-API-Key and x-api-key all arrive here.
    return request.headers['x-api-key'] === apiKey;
  }

  async function answerApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const requestId = randomUUID();
    const path = url.pathname;
    const route = matchRoute(path);
    const method = request.method ?? 'GET';
    const label = route ? `${method} ${route.template}` : 'unmatched';
    stats.requests++;
    stats.byRoute[label] = (stats.byRoute[label] ?? 0) + 1;
    if (faults.latencyMs > 0) await delay(faults.latencyMs);

    if (!isAuthorized(request)) {
      return send(response, errorAnswer(401, 'UNAUTHORIZED: missing or invalid X-API-KEY header', path, requestId), limiter?.peek());
    }
    if (faults.status429 > 0) {
      faults.status429--;
      stats.served429++;
      const resetSoon = String(Math.floor(now().getTime() / 1000) + 2);
      const headers = { ...limiter?.peek(), 'x-ratelimit-minute-remaining': '0', 'x-ratelimit-minute-reset': resetSoon };
      return send(response, errorAnswer(429, 'Too Many Requests (simulated: faults.status429)', path, requestId), headers);
    }
    if (faults.status5xx > 0) {
      faults.status5xx--;
      stats.served5xx++;
      return send(response, errorAnswer(503, 'Service Unavailable (simulated: faults.status5xx)', path, requestId), limiter?.peek());
    }
    const verdict = limiter?.take();
    if (verdict !== undefined && !verdict.allowed) {
      stats.served429++;
      const message = `Too Many Requests: the per-${verdict.exhausted} limit is spent; it resets at x-ratelimit-${verdict.exhausted}-reset`;
      return send(response, errorAnswer(429, message, path, requestId), verdict.headers);
    }

    let answer: Answer;
    if (route === undefined) answer = errorAnswer(404, `Not Found: no route ${method} ${path}`, path, requestId);
    else if (method !== 'GET') answer = errorAnswer(405, `Method Not Allowed: the simulator serves GET ${route.template}`, path, requestId);
    else {
      try {
        answer = route.answer(url.searchParams, requestId, path);
      } catch (error) {
        if (!(error instanceof QueryError)) throw error;
        answer = error.toAnswer();
      }
    }
    if (answer.status === 200 && faults.truncateNext > 0) {
      faults.truncateNext--;
      return sendTruncated(response, answer, verdict?.headers ?? {});
    }
    send(response, answer, verdict?.headers);
  }

  function controlState() {
    return { stats, faults, counts: store.counts() };
  }

  async function answerSimControl(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { status, value } = await answerControl(request, url, {
      state: controlState,
      patchFaults: (patch) => applyFaultPatch(faults, patch),
      reset() {
        store.reset();
        Object.assign(faults, initialFaults);
        Object.assign(stats, { requests: 0, byRoute: {}, served429: 0, served5xx: 0 });
        limiter?.reset();
      },
    });
    send(response, { status, body: JSON.stringify(value) });
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const handle = url.pathname.startsWith('/__sim/') ? answerSimControl : answerApi;
    handle(request, response, url).catch((error: unknown) => {
      if (response.headersSent || response.socket?.writableEnded) return;
      send(response, { status: 500, body: JSON.stringify({ error: `simulator failure: ${error instanceof Error ? error.message : String(error)}` }) });
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the simulator is not listening on a TCP port');

  let closing: Promise<void> | undefined;
  return {
    url: formatUrl(host, address.port),
    port: address.port,
    apiKey,
    store,
    faults,
    stats,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
