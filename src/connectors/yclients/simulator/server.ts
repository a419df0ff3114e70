/**
 * The YClients simulator's HTTP server: latency, the per-IP rate limit, auth, injected faults,
 * then the route. Control endpoints under /__sim/ (stats, faults, reset) skip all of that and are
 * not counted, so a test's own bookkeeping never shows up in what it measures.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerControl } from '../../simulator-control.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { errorAnswer, QueryError, type Answer } from './answers.ts';
import { authProblem } from './auth.ts';
import { DEFAULT_SEED, generateDataset, type GenerateOptions } from './dataset.ts';
import { applyFaultPatch, NO_FAULTS, type FaultOptions } from './faults.ts';
import { createRateLimiter, YCLIENTS_RATE_LIMIT, type RateLimit, type RateLimitViolations } from './rate-limit.ts';
import { matchRoute, type RouteContext } from './routes.ts';
import { YclientsStore } from './store.ts';
import type { YclientsDataset } from './types.ts';

export interface YclientsSimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** Default 1. */
  seed?: number;
  /** Serve this instead of generating (the simulator keeps its own copy). */
  dataset?: YclientsDataset;
  /** Ignored when `dataset` is given. */
  generate?: Partial<GenerateOptions>;
  /** Default YClients': 5 a second and 200 a minute per client address. `false`: unlimited. */
  rateLimit?: RateLimit | false;
  faults?: Partial<FaultOptions>;
  /** Default 'sim-yclients-partner'. */
  partnerToken?: string;
  /** Default 'sim-yclients-user'. */
  userToken?: string;
  /** Longest `staff/schedule` range in dates (undocumented upstream), default 62. */
  maxScheduleDays?: number;
  /** The clock for rate-limit windows and `book_dates`' default month. */
  now?: () => Date;
}

export interface SimulatorStats {
  /** API requests received, refused ones included. */
  requests: number;
  byRoute: Record<string, number>;
  /** Every 429 sent: injected ones and rate-limit refusals. */
  served429: number;
  served5xx: number;
  served401: number;
  /** Requests over the documented per-IP limit (a well-behaved client causes none). */
  violations: RateLimitViolations;
}

export interface YclientsSimulator {
  /** e.g. http://127.0.0.1:43123 (no trailing slash): the connection's base URL. */
  readonly url: string;
  readonly port: number;
  readonly partnerToken: string;
  readonly userToken: string;
  readonly store: YclientsStore;
  /** Change at runtime: the next request sees it. */
  readonly faults: FaultOptions;
  readonly stats: SimulatorStats;
  /** Zero the counters (stats and rate-limit windows), keeping the data and faults. */
  resetStats(): void;
  close(): Promise<void>;
}

export const DEFAULT_PARTNER_TOKEN = 'sim-yclients-partner';
export const DEFAULT_USER_TOKEN = 'sim-yclients-user';

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function send(response: ServerResponse, answer: Answer): void {
  response.writeHead(answer.status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(answer.body) });
  response.end(answer.body);
}

/** Status line, headers and half the body straight to the socket, then close: a body cut short. */
function sendTruncated(response: ServerResponse, answer: Answer): void {
  const body = Buffer.from(answer.body);
  const head = `HTTP/1.1 ${answer.status} OK\r\ncontent-type: application/json; charset=utf-8\r\nconnection: close\r\n\r\n`;
  response.socket?.end(Buffer.concat([Buffer.from(head), body.subarray(0, Math.floor(body.length / 2))]));
}

function assertOptions(options: YclientsSimulatorOptions): void {
  const { port = 0, maxScheduleDays = 62, partnerToken = DEFAULT_PARTNER_TOKEN, userToken = DEFAULT_USER_TOKEN } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port is ${port}; use a whole number from 0 (any free port) to 65535`);
  if (!Number.isInteger(maxScheduleDays) || maxScheduleDays < 1) throw new RangeError(`maxScheduleDays is ${maxScheduleDays}; use a whole number ≥ 1`);
  for (const [name, token] of Object.entries({ partnerToken, userToken })) {
    if (!/^\S+$/.test(token) || token.includes(',')) throw new RangeError(`${name} must be one word without spaces or commas (it travels in "Bearer <partner>, User <user>")`);
  }
}

function emptyStats(): SimulatorStats {
  return { requests: 0, byRoute: {}, served429: 0, served5xx: 0, served401: 0, violations: { perSecond: 0, perMinute: 0 } };
}

export async function startYclientsSimulator(options: YclientsSimulatorOptions = {}): Promise<YclientsSimulator> {
  assertOptions(options);
  const host = options.host ?? '127.0.0.1';
  const tokens = { partnerToken: options.partnerToken ?? DEFAULT_PARTNER_TOKEN, userToken: options.userToken ?? DEFAULT_USER_TOKEN };
  const now = options.now ?? (() => new Date());
  const dataset = options.dataset ? structuredClone(options.dataset) : generateDataset(options.seed ?? DEFAULT_SEED, options.generate);
  const store = new YclientsStore(dataset);
  const initialFaults = applyFaultPatch({ ...NO_FAULTS }, options.faults ?? {});
  const faults: FaultOptions = { ...initialFaults };
  const limiter = options.rateLimit === false ? undefined : createRateLimiter(options.rateLimit ?? YCLIENTS_RATE_LIMIT);
  const stats = emptyStats();
  const context: RouteContext = { store, faults, maxScheduleDays: options.maxScheduleDays ?? 62, now };

  async function answerApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const method = request.method ?? 'GET';
    const route = matchRoute(url.pathname, context);
    const label = route ? `${method} ${route.template}` : 'unmatched';
    stats.requests++;
    stats.byRoute[label] = (stats.byRoute[label] ?? 0) + 1;
    if (faults.latencyMs > 0) await delay(faults.latencyMs);

    // The limit is per IP and counts every request, whatever its token (upstream-apis.md §2.6).
    const verdict = limiter?.take(request.socket.remoteAddress ?? 'unknown', now().getTime());
    if (verdict !== undefined && !verdict.allowed) {
      stats.served429++;
      if (verdict.window === 'second') stats.violations.perSecond++;
      else stats.violations.perMinute++;
      return send(response, errorAnswer(429, 'Too many requests: the limit is 200 requests per minute or 5 requests per second per IP address'));
    }
    const refused = authProblem(request.headers.authorization, tokens, route?.needsUser ?? false);
    if (refused !== null) {
      stats.served401++;
      return send(response, errorAnswer(401, refused));
    }
    if (faults.status429 > 0) {
      faults.status429--;
      stats.served429++;
      return send(response, errorAnswer(429, 'Too many requests (simulated: faults.status429)'));
    }
    if (faults.status5xx > 0) {
      faults.status5xx--;
      stats.served5xx++;
      return send(response, errorAnswer(503, 'Service temporarily unavailable (simulated: faults.status5xx)'));
    }

    let answer: Answer;
    if (route === undefined) answer = errorAnswer(404, `Not found: the simulator serves no ${method} ${url.pathname}`);
    else if (method !== 'GET') answer = errorAnswer(405, `Method not allowed: the simulator serves GET ${route.template}`);
    else {
      try {
        answer = route.answer(url.searchParams);
      } catch (error) {
        if (!(error instanceof QueryError)) throw error;
        answer = error.toAnswer();
      }
    }
    if (answer.status === 200 && faults.truncateNext > 0) {
      faults.truncateNext--;
      return sendTruncated(response, answer);
    }
    send(response, answer);
  }

  function resetStats(): void {
    Object.assign(stats, emptyStats());
    limiter?.reset();
  }

  function controlState() {
    return { stats, faults, counts: store.counts(), companies: store.companies() };
  }

  async function answerSimControl(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { status, value } = await answerControl(request, url, {
      state: controlState,
      patchFaults: (patch) => applyFaultPatch(faults, patch),
      reset() {
        store.reset();
        Object.assign(faults, initialFaults);
        resetStats();
      },
    });
    send(response, { status, body: JSON.stringify(value) });
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const handle = url.pathname.startsWith('/__sim/') ? answerSimControl : answerApi;
    handle(request, response, url).catch((error: unknown) => {
      if (response.headersSent || response.socket?.writableEnded) return;
      send(response, errorAnswer(500, `simulator failure: ${error instanceof Error ? error.message : String(error)}`));
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
    ...tokens,
    store,
    faults,
    stats,
    resetStats,
    close() {
      closing ??= new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        server.closeAllConnections();
      });
      return closing;
    },
  };
}
