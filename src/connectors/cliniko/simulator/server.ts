/**
 * The Cliniko simulator's HTTP server (`tidemark simulate cliniko`): one Cliniko account on
 * 127.0.0.1 under `/v1`, in the real paths and shapes. Each API request goes: latency, auth and
 * User-Agent, injected faults, the rate limit, then the route. Control endpoints under /__sim/
 * (stats, faults, reset) skip all of that and are not counted.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { answerControl } from '../../simulator-control.ts';
import { setTimeout as delay } from 'node:timers/promises';
import { shardOfKey } from '../shard.ts';
import { identifyCaller } from './auth.ts';
import { applyFaultPatch, malformedRecord, NO_FAULTS, type FaultOptions } from './faults.ts';
import { FilterError } from './filters.ts';
import { DEFAULT_SEED, generateDataset, type ClinikoGenerateOptions } from './generate.ts';
import { BadRequest, listAnswer, LISTS, messageAnswer, type Answer } from './list-route.ts';
import { SlidingRateLimiter, type ClinikoRateLimit } from './rate-limit.ts';
import { renderAppointment, renderPatient, renderPractitioner, withNumericIds } from './render.ts';
import { ClinikoStore } from './store.ts';
import type { ClinikoDataset } from './types.ts';

export interface ClinikoSimulatorOptions {
  /** Default '127.0.0.1'. */
  host?: string;
  /** Default 0: any free port. */
  port?: number;
  /** The key to accept. Its suffix names the shard. Default 'sim-cliniko-key-au1'. */
  apiKey?: string;
  /** Default 1. */
  seed?: number;
  /** Serve this instead of generating (the simulator keeps its own copy). */
  dataset?: ClinikoDataset;
  /** Ignored when `dataset` is given. */
  generate?: Partial<ClinikoGenerateOptions>;
  /** Default 200 per 60 000 ms per API key. `false`: unlimited. */
  rateLimit?: Partial<ClinikoRateLimit> | false;
  faults?: Partial<FaultOptions>;
  /** Send ids as bare JSON numbers, as older Cliniko answers did (past 2^53!). Default false. */
  numericIds?: boolean;
  /** The clock for `updated_at` of store edits. Default the real clock. */
  now?: () => Date;
}

export interface ClinikoSimulatorStats {
  /** Authenticated and unauthenticated API requests. */
  requests: number;
  byRoute: Record<string, number>;
  /** Every 429 served: rate-limit violations and injected ones. */
  served429: number;
  /** Requests over the rate limit (injected 429s not included): a well-behaved client causes none. */
  rateLimitViolations: number;
  /** Most requests of one key accepted within any one window of the limit. */
  peakInWindow: number;
  served5xx: number;
  /** 401 and 403 answers. */
  refused: number;
}

export interface ClinikoSimulator {
  /** e.g. http://127.0.0.1:43123 (no trailing slash). */
  readonly url: string;
  /** The connection's base URL: `url` + `/v1`. */
  readonly apiUrl: string;
  readonly port: number;
  readonly apiKey: string;
  readonly shard: string;
  readonly store: ClinikoStore;
  /** Change at runtime: the next request sees it. */
  readonly faults: FaultOptions;
  readonly stats: ClinikoSimulatorStats;
  /**
   * Called for each authenticated API request (after faults and the rate limit) before it is
   * answered; an async hook delays the answer. Tests use it to change the store mid-run.
   */
  beforeAnswer: BeforeAnswer | undefined;
  close(): Promise<void>;
}

export type BeforeAnswer = (request: { readonly path: string; readonly query: URLSearchParams }) => void | Promise<void>;

export const DEFAULT_API_KEY = 'sim-cliniko-key-au1';
const RECORD_PATH = /^(patients|practitioners|individual_appointments)\/(\d+)$/;

function emptyStats(): ClinikoSimulatorStats {
  return { requests: 0, byRoute: {}, served429: 0, rateLimitViolations: 0, peakInWindow: 0, served5xx: 0, refused: 0 };
}

function formatUrl(host: string, port: number): string {
  return `http://${host.includes(':') ? `[${host}]` : host}:${port}`;
}

function send(response: ServerResponse, status: number, text: string, headers: Record<string, string> = {}): void {
  response.writeHead(status, { 'content-type': 'application/json; charset=utf-8', 'content-length': Buffer.byteLength(text), ...headers });
  response.end(text);
}

/** Status line, headers and half the body straight to the socket, then the connection closes. */
function sendTruncated(response: ServerResponse, text: string): void {
  const body = Buffer.from(text);
  const head = 'HTTP/1.1 200 OK\r\ncontent-type: application/json; charset=utf-8\r\nconnection: close\r\n\r\n';
  response.socket?.end(Buffer.concat([Buffer.from(head), body.subarray(0, Math.floor(body.length / 2))]));
}

export async function startClinikoSimulator(options: ClinikoSimulatorOptions = {}): Promise<ClinikoSimulator> {
  const { port = 0 } = options;
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new RangeError(`port is ${port}; use a whole number from 0 (any free port) to 65535`);
  const apiKey = options.apiKey ?? DEFAULT_API_KEY;
  if (apiKey === '') throw new RangeError('apiKey is empty; pass a non-empty key or leave it out for "sim-cliniko-key-au1"');
  const host = options.host ?? '127.0.0.1';
  const shard = shardOfKey(apiKey);
  const now = options.now ?? (() => new Date());
  const dataset = options.dataset ? structuredClone(options.dataset) : generateDataset(options.seed ?? DEFAULT_SEED, options.generate);
  const store = new ClinikoStore(dataset, now);
  const initialFaults = applyFaultPatch({ ...NO_FAULTS }, options.faults ?? {});
  const faults: FaultOptions = { ...initialFaults };
  const limiter = options.rateLimit === false ? undefined : new SlidingRateLimiter(options.rateLimit ?? {});
  const stats = emptyStats();
  const numericIds = options.numericIds ?? false;
  let api = '';

  function recordOf(kind: string, id: string): Record<string, unknown> | undefined {
    if (kind === 'patients') {
      const patient = store.patients.get(id);
      return patient && renderPatient(patient, api);
    }
    if (kind === 'practitioners') {
      const practitioner = store.practitioners.get(id);
      return practitioner && renderPractitioner(practitioner, api);
    }
    const appointment = store.appointments.get(id);
    return appointment && renderAppointment(appointment, api);
  }

  function route(path: string, query: URLSearchParams): { label: string; answer: () => Answer } {
    const list = LISTS[path];
    if (list) {
      const extra = faults.malformedRecord ? malformedRecord(store.stamp()) : undefined;
      return { label: `GET /v1/${path}`, answer: () => listAnswer(list, store, { path, query, api, ...(extra ? { extra } : {}) }) };
    }
    const match = RECORD_PATH.exec(path);
    if (match) {
      const [, kind, id] = match as unknown as [string, string, string];
      return {
        label: `GET /v1/${kind}/{id}`,
        answer: () => {
          const record = recordOf(kind, id);
          return record ? { status: 200, text: JSON.stringify(record) } : messageAnswer(404, 'Not found');
        },
      };
    }
    return { label: 'unmatched', answer: () => messageAnswer(404, `Not found: the simulator serves ${Object.keys(LISTS).map((p) => `/v1/${p}`).join(', ')}`) };
  }

  async function answerApi(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    // Everything lives under /v1; any other path is unmatched (a 404 after auth, like the real API).
    const path = url.pathname.startsWith('/v1/') ? url.pathname.slice(4).replace(/\/+$/, '') : '';
    const { label, answer } = route(path, url.searchParams);
    stats.requests++;
    stats.byRoute[label] = (stats.byRoute[label] ?? 0) + 1;
    if (faults.latencyMs > 0) await delay(faults.latencyMs);

    const caller = identifyCaller(request, apiKey, shard);
    if (!caller.ok) {
      stats.refused++;
      return send(response, caller.status, JSON.stringify({ message: caller.message }));
    }
    if (faults.status429 > 0) {
      faults.status429--;
      stats.served429++;
      const reset = String(Math.ceil(Date.now() / 1000) + 1);
      return send(response, 429, JSON.stringify({ message: 'Too many requests (simulated: faults.status429)' }), { 'x-ratelimit-reset': reset });
    }
    if (faults.status5xx > 0) {
      faults.status5xx--;
      stats.served5xx++;
      return send(response, 503, JSON.stringify({ message: 'Service Unavailable (simulated: faults.status5xx)' }));
    }
    if (limiter) {
      const verdict = limiter.take(caller.user);
      stats.rateLimitViolations = limiter.counters.violations;
      stats.peakInWindow = limiter.counters.peakInWindow;
      if (!verdict.allowed) {
        stats.served429++;
        const message = `Too many requests: ${limiter.limit.perMinute} per minute per user; the limit resets at X-RateLimit-Reset`;
        return send(response, 429, JSON.stringify({ message }), { 'x-ratelimit-reset': String(verdict.resetEpochSeconds) });
      }
    }

    await simulator.beforeAnswer?.({ path, query: url.searchParams });
    let result: Answer;
    if ((request.method ?? 'GET') !== 'GET') result = messageAnswer(405, 'Method not allowed: the simulator serves GET only');
    else {
      try {
        result = answer();
      } catch (error) {
        if (!(error instanceof FilterError || error instanceof BadRequest)) throw error;
        result = messageAnswer(400, error.message);
      }
    }
    const text = numericIds ? withNumericIds(result.text) : result.text;
    if (result.status === 200 && faults.truncateNext > 0) {
      faults.truncateNext--;
      return sendTruncated(response, text);
    }
    send(response, result.status, text);
  }

  async function answerSimControl(request: IncomingMessage, response: ServerResponse, url: URL): Promise<void> {
    const { status, value } = await answerControl(request, url, {
      state: () => ({ stats, faults, counts: store.counts() }),
      patchFaults: (patch) => applyFaultPatch(faults, patch),
      reset() {
        store.reset();
        Object.assign(faults, initialFaults);
        Object.assign(stats, emptyStats());
        limiter?.reset();
      },
    });
    send(response, status, JSON.stringify(value));
  }

  const server = createServer((request, response) => {
    const url = new URL(request.url ?? '/', 'http://simulator.invalid');
    const handle = url.pathname.startsWith('/__sim/') ? answerSimControl : answerApi;
    handle(request, response, url).catch((error: unknown) => {
      if (response.headersSent || response.socket?.writableEnded) return;
      send(response, 500, JSON.stringify({ message: `simulator failure: ${error instanceof Error ? error.message : String(error)}` }));
    });
  });

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(port, host, () => {
      server.off('error', reject);
      resolve();
    });
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the simulator is not listening on a TCP port');
  const origin = formatUrl(host, address.port);
  api = `${origin}/v1`;

  let closing: Promise<void> | undefined;
  const simulator: ClinikoSimulator = {
    beforeAnswer: undefined,
    url: origin,
    apiUrl: api,
    port: address.port,
    apiKey,
    shard,
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
  return simulator;
}
