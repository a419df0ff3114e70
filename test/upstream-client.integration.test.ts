/**
 * The shared upstream client against a real HTTP server on 127.0.0.1 that answers from a script.
 * Time is injected (a fake clock that `sleep` advances), so waits are asserted as the delays the
 * client asked for, never measured.
 */
import { describe, test } from 'node:test';
import type { TestContext } from 'node:test';
import assert from 'node:assert/strict';
import { createServer } from 'node:http';
import type { IncomingMessage, ServerResponse } from 'node:http';
import type { AddressInfo } from 'node:net';
import { inspect } from 'node:util';
import {
  UpstreamClient,
  UpstreamError,
  isAbortError,
  linkPages,
  nextLinkOf,
  offsetPages,
  pageNumberPages,
} from '../src/upstream/index.ts';
import type { UpstreamClientOptions } from '../src/upstream/index.ts';
import { backoffDelayMs } from '../src/upstream/retry-policy.ts';
import { sleepMs } from '../src/upstream/abort.ts';

const API_KEY = 'ct_live_9f8e7d6c5b4a3210';
const AUTH_HINT = 'check the API key in environment variable ACME_CONNECTEAM_API_KEY';
// A whole second, so HTTP dates (second precision) and epoch-second resets are exact.
const T0 = 1_790_000_000_000;

type Handler = (req: IncomingMessage, res: ServerResponse) => void;

interface Recorded {
  readonly url: URL;
  readonly headers: IncomingMessage['headers'];
  /** The fake clock when the request arrived. */
  readonly at: number;
}

interface ScriptedServer {
  readonly url: string;
  readonly requests: Recorded[];
  /** Answers for the next requests, in order; after them `fallback` answers. */
  script(...handlers: Handler[]): void;
  fallback: Handler;
  readonly maxInFlight: number;
  readonly inFlight: number;
}

interface FakeTime {
  now(): number;
  sleep(ms: number): Promise<void>;
  readonly sleeps: number[];
}

function fakeTime(start = T0): FakeTime {
  let t = start;
  const sleeps: number[] = [];
  return {
    now: () => t,
    sleeps,
    sleep(ms: number) {
      sleeps.push(ms);
      t += ms;
      return Promise.resolve();
    },
  };
}

async function startServer(t: TestContext, clock: FakeTime): Promise<ScriptedServer> {
  const queue: Handler[] = [];
  const requests: Recorded[] = [];
  let inFlight = 0;
  let maxInFlight = 0;
  const state: ScriptedServer = {
    url: '',
    requests,
    script: (...handlers) => queue.push(...handlers),
    fallback: json(500, { error: 'no scripted answer left' }),
    get maxInFlight() {
      return maxInFlight;
    },
    get inFlight() {
      return inFlight;
    },
  };
  const server = createServer((req, res) => {
    inFlight += 1;
    maxInFlight = Math.max(maxInFlight, inFlight);
    let done = false;
    const finished = (): void => {
      if (!done) inFlight -= 1;
      done = true;
    };
    res.on('finish', finished).on('close', finished);
    requests.push({ url: new URL(req.url ?? '/', 'http://127.0.0.1'), headers: req.headers, at: clock.now() });
    (queue.shift() ?? state.fallback)(req, res);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  t.after(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
  });
  return Object.assign(state, { url: `http://127.0.0.1:${port}` });
}

function json(status: number, body: unknown, headers: Record<string, string> = {}): Handler {
  return (_req, res) => {
    const text = JSON.stringify(body);
    res.writeHead(status, { 'content-type': 'application/json', 'content-length': Buffer.byteLength(text), ...headers });
    res.end(text);
  };
}

const ok = (body: unknown = { ok: true }, headers: Record<string, string> = {}): Handler => json(200, body, headers);
/** Never answers: the client's timeout (or the caller's abort) must end the request. */
const silence: Handler = () => undefined;

function client(server: ScriptedServer, clock: FakeTime, options: Partial<UpstreamClientOptions> = {}): UpstreamClient {
  return new UpstreamClient({
    baseUrl: server.url,
    tenantId: 'acme',
    connectionId: 'acme-connecteam',
    upstreamName: 'Connecteam',
    authHeaders: () => ({ 'X-API-KEY': API_KEY }),
    authHint: AUTH_HINT,
    userAgent: 'tidemark-test (dev@example.com)',
    sleep: (ms) => clock.sleep(ms),
    now: () => clock.now(),
    random: () => 0.5,
    timeoutMs: 2_000,
    ...options,
  });
}

async function rejection(promise: Promise<unknown>): Promise<UpstreamError> {
  try {
    await promise;
  } catch (error) {
    assert.ok(error instanceof UpstreamError, `expected UpstreamError, got ${inspect(error)}`);
    return error;
  }
  assert.fail('the call succeeded');
}

function assertNoSecret(error: unknown, ...secrets: string[]): void {
  const shown = [inspect(error, { depth: 5 }), String(error), error instanceof Error ? (error.stack ?? '') : ''].join('\n');
  for (const secret of secrets) assert.ok(!shown.includes(secret), `the error shows the secret "${secret}":\n${shown}`);
}

describe('requests', () => {
  test('query arrays repeat the key; base path, auth and user agent are sent', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(ok({ data: [1] }));
    const api = client(server, clock, { baseUrl: `${server.url}/api/v1/` });

    const body = await api.getJson('/users/v1/users', {
      userIds: [1, 2],
      limit: 500,
      userStatus: 'all',
      modifiedAt: undefined,
      archived: false,
      'q[]': ['updated_at:>2024-01-01T00:00:00Z', 'id:=1,2'],
    });

    assert.deepEqual(body, { data: [1] });
    const [request] = server.requests;
    assert.ok(request);
    assert.equal(request.url.pathname, '/api/v1/users/v1/users');
    assert.match(request.url.search, /^\?userIds=1&userIds=2&limit=500&userStatus=all&archived=false&q%5B%5D=/);
    assert.deepEqual(request.url.searchParams.getAll('q[]'), ['updated_at:>2024-01-01T00:00:00Z', 'id:=1,2']);
    assert.equal(request.url.searchParams.has('modifiedAt'), false);
    assert.equal(request.headers['x-api-key'], API_KEY);
    assert.equal(request.headers.accept, 'application/json');
    assert.equal(request.headers['user-agent'], 'tidemark-test (dev@example.com)');
    assert.deepEqual(api.stats, { requests: 1, retries: 0, rateLimited: 0, serverErrors: 0, waitMs: 0 });
  });

  test('a link to another origin is refused before any credential is sent', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const api = client(server, clock);
    const error = await rejection(api.getJsonUrl('https://evil.example/v1/patients?page=2'));
    assert.equal(error.kind, 'bad_response');
    assert.match(error.message, /refusing to send its credentials/);
    assert.equal(server.requests.length, 0);
  });

  test('a redirect is reported, not followed', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script((_req, res) => {
      res.writeHead(301, { location: 'https://api-au.connecteam.com/users/v1/users' });
      res.end();
    });
    const error = await rejection(client(server, clock).getJson('/users/v1/users'));
    assert.equal(error.kind, 'bad_response');
    assert.equal(error.status, 301);
    assert.match(error.message, /redirect \(301\) to https:\/\/api-au\.connecteam\.com/);
    assert.equal(server.requests.length, 1);
  });
});

describe('retries', () => {
  test('503 then success: one retry after a jittered backoff', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(json(503, { error: 'maintenance' }), ok({ data: 'fine' }));
    const api = client(server, clock);

    assert.deepEqual(await api.getJson('/x'), { data: 'fine' });
    assert.equal(server.requests.length, 2);
    assert.equal(api.stats.retries, 1);
    assert.equal(api.stats.serverErrors, 1);
    assert.equal(api.stats.requests, 2);
    assert.deepEqual(clock.sleeps, [250]); // random 0.5 × min(30 000, 500 × 2^0)
  });

  test('backoff delays are full jitter under a cap that doubles up to maxDelayMs', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = json(503, {});
    const top = client(server, clock, { random: () => 0.999_999, baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 7 });
    await rejection(top.getJson('/x'));
    assert.deepEqual(clock.sleeps, [100, 200, 400, 800, 1_000, 1_000]);

    const randomClock = fakeTime();
    const jittered = client(server, randomClock, { random: Math.random, baseDelayMs: 100, maxDelayMs: 1_000, maxAttempts: 7 });
    await rejection(jittered.getJson('/x'));
    assert.equal(randomClock.sleeps.length, 6);
    randomClock.sleeps.forEach((ms, retry) => {
      const cap = Math.min(1_000, 100 * 2 ** retry);
      assert.ok(ms >= 0 && ms <= cap, `retry ${retry} slept ${ms} ms, outside [0, ${cap}]`);
    });

    const options = { baseDelayMs: 500, maxDelayMs: 30_000 };
    assert.equal(backoffDelayMs(0, { ...options, random: () => 0 }), 0);
    assert.equal(backoffDelayMs(10, { ...options, random: () => 1 }), 30_000);
    assert.equal(backoffDelayMs(3, { ...options, random: () => 0.5 }), 2_000);
  });

  test('retries run out after maxAttempts and the error says how many and why', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = json(502, { message: 'upstream proxy error' });
    const api = client(server, clock);
    const error = await rejection(api.getJson('/time-clock/v1/time-clocks'));
    assert.equal(error.kind, 'server');
    assert.equal(error.status, 502);
    assert.equal(error.retryable, true);
    assert.equal(error.attempts, 5);
    assert.equal(server.requests.length, 5);
    assert.equal(api.stats.retries, 4);
    assert.match(error.message, /^Connecteam connection "acme-connecteam" of tenant "acme": GET http:\/\/127\.0\.0\.1:\d+\/time-clock\/v1\/time-clocks failed after 5 attempts; last: failed on the upstream's side \(502 Bad Gateway\): upstream proxy error/);
  });

  test('a body cut off mid-JSON is retried', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script((_req, res) => {
      res.writeHead(200, { 'content-type': 'application/json' });
      res.end('{"data":{"users":[{"id":1,"firstName":"Ana"');
    }, ok({ data: { users: [] } }));
    const api = client(server, clock);
    assert.deepEqual(await api.getJson('/users/v1/users'), { data: { users: [] } });
    assert.equal(api.stats.retries, 1);
  });

  test('a connection dropped mid-body or before answering is retried', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(
      (_req, res) => {
        res.writeHead(200, { 'content-type': 'application/json', 'content-length': '500' });
        res.write('{"data":[');
        setImmediate(() => res.socket?.destroy());
      },
      (req) => req.socket.destroy(),
      ok({ data: [] }),
    );
    const api = client(server, clock);
    assert.deepEqual(await api.getJson('/x'), { data: [] });
    assert.equal(server.requests.length, 3);
    assert.equal(api.stats.retries, 2);
  });

  test('a request with no answer times out, is retried, and fails after maxAttempts', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = silence;
    const api = client(server, clock, { timeoutMs: 100, maxAttempts: 3 });
    const error = await rejection(api.getJson('/slow'));
    assert.equal(error.kind, 'timeout');
    assert.equal(error.attempts, 3);
    assert.equal(server.requests.length, 3);
    assert.match(error.message, /failed after 3 attempts; last: got no answer within 100 ms/);
  });

  test('the caller’s abort ends the call at once and is not retried', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const controller = new AbortController();
    server.script((_req) => controller.abort());
    server.fallback = silence;
    const api = client(server, clock);
    await assert.rejects(api.getJson('/x', {}, { signal: controller.signal }), (error: unknown) => isAbortError(error));
    assert.equal(server.requests.length, 1);
    assert.equal(api.stats.retries, 0);
  });

  test('an abort during a backoff sleep ends the wait (real timers)', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const controller = new AbortController();
    server.script(json(503, {}));
    // A one-minute real backoff, aborted as soon as it starts: only the abort can end this test in time.
    const sleep = (ms: number, signal?: AbortSignal): Promise<void> => {
      setImmediate(() => controller.abort());
      return sleepMs(ms, signal);
    };
    const api = client(server, clock, { sleep, random: () => 1, baseDelayMs: 60_000, maxDelayMs: 60_000 });
    await assert.rejects(api.getJson('/x', undefined, { signal: controller.signal }), (error: unknown) => isAbortError(error));
    assert.equal(server.requests.length, 1);
  });
});

describe('refusals', () => {
  test('401 fails at once as unauthorized, naming the fix and never the key', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(json(401, { error: `invalid API key ${API_KEY}` }));
    const api = client(server, clock);
    const error = await rejection(api.getJson('/users/v1/users', { api_key: API_KEY }));
    assert.equal(error.kind, 'unauthorized');
    assert.equal(error.status, 401);
    assert.equal(error.retryable, false);
    assert.equal(server.requests.length, 1);
    assert.equal(api.stats.retries, 0);
    assert.match(error.message, /^Connecteam connection "acme-connecteam" of tenant "acme" was refused \(401\)/);
    assert.match(error.message, /check the API key in environment variable ACME_CONNECTEAM_API_KEY$/);
    assert.match(error.message, /invalid API key \*\*\*/);
    assert.match(error.url, /api_key=\*\*\*/);
    assertNoSecret(error, API_KEY);
  });

  test('a Basic credential echoed back decoded is masked too; 403 is forbidden', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const key = 'MxJrZXkiOiI1Njd1amJmZTQ1NyJ9-au2';
    server.script(json(403, { message: `key ${key} may not read patients` }));
    const api = client(server, clock, {
      authHeaders: () => ({ Authorization: `Basic ${Buffer.from(`${key}:`).toString('base64')}` }),
      authHint: 'check CLINIKO_API_KEY',
    });
    const error = await rejection(api.getJson('/patients'));
    assert.equal(error.kind, 'forbidden');
    assert.equal(server.requests.length, 1);
    assert.match(error.message, /refused \(403\).*lack access.*check CLINIKO_API_KEY/);
    assertNoSecret(error, key);
  });

  test('404 and 400 fail at once with the upstream’s error text, cut to 300 characters', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const notFound = "TIME_ACTIVITY_NOT_FOUND: no active shift or manual break matches '666edfbac1ed5f748fabd3d2'";
    server.script(
      json(404, { error: notFound, path: '/time-clock/v1/time-clocks/9/time-activities', request_id: 'r-1' }),
      json(400, { success: false, data: null, meta: { message: `bad filter ${'x'.repeat(1_000)} END` } }),
    );
    const api = client(server, clock);

    const missing = await rejection(api.getJson('/time-clock/v1/time-clocks/9/time-activities'));
    assert.equal(missing.kind, 'not_found');
    assert.ok(missing.message.includes(notFound), missing.message);

    const bad = await rejection(api.getJson('/staff/1'));
    assert.equal(bad.kind, 'bad_request');
    assert.equal(bad.retryable, false);
    const said = bad.message.slice(bad.message.indexOf('bad filter'));
    assert.equal(said.length, 300);
    assert.ok(!bad.message.includes('END'));
    assert.equal(server.requests.length, 2);
  });
});

describe('rate limits', () => {
  test('429 with Retry-After in seconds or as an HTTP date waits exactly that long (capped)', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(
      json(429, {}, { 'retry-after': '7' }),
      ok(),
      json(429, {}, { 'retry-after': new Date(T0 + 7_000 + 12_000).toUTCString() }),
      ok(),
      json(429, {}, { 'retry-after': '120' }),
      ok(),
    );
    const api = client(server, clock);
    await api.getJson('/a');
    await api.getJson('/b');
    await api.getJson('/c');
    assert.deepEqual(clock.sleeps, [7_000, 12_000, 30_000]);
    assert.equal(api.stats.rateLimited, 3);
    assert.equal(api.stats.retries, 3);
    assert.equal(api.stats.waitMs, 49_000);
  });

  test('429 with Connecteam’s x-ratelimit-minute-reset waits until the reset', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const reset = T0 / 1000 + 23;
    server.script(
      json(429, { error: 'rate limit' }, {
        'x-ratelimit-minute-limit': '100',
        'x-ratelimit-minute-remaining': '0',
        'x-ratelimit-minute-reset': String(reset),
        'x-ratelimit-day-remaining': '9000',
        'x-ratelimit-day-reset': String(T0 / 1000 + 40_000),
      }),
      ok(),
    );
    const api = client(server, clock);
    await api.getJson('/users/v1/users');
    assert.deepEqual(clock.sleeps, [23_000]);
    assert.equal(server.requests[1]?.at, reset * 1000);
  });

  test('429 with Cliniko’s X-RateLimit-Reset waits until the reset', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(json(429, { message: 'Too many requests' }, { 'x-ratelimit-reset': String(T0 / 1000 + 9) }), ok());
    const api = client(server, clock);
    await api.getJson('/patients');
    assert.deepEqual(clock.sleeps, [9_000]);
  });

  test('429 with the day budget spent hours ahead fails at once, saying when it resets', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const reset = T0 / 1000 + 5 * 3600;
    server.script(
      json(429, {}, {
        'x-ratelimit-day-limit': '100',
        'x-ratelimit-day-remaining': '0',
        'x-ratelimit-day-reset': String(reset),
        'x-ratelimit-minute-remaining': '3',
      }),
    );
    const api = client(server, clock);
    const error = await rejection(api.getJson('/users/v1/users'));
    assert.equal(error.kind, 'rate_limited');
    assert.equal(error.retryable, false);
    assert.equal(error.resetAt?.getTime(), reset * 1000);
    assert.match(error.message, /daily request budget of 100 requests .* resets at 2026-09-21T19:13:20\.000Z \(in 5 h 0 min\)/);
    assert.deepEqual(clock.sleeps, []);
    assert.equal(server.requests.length, 1);
  });

  test('a success saying minute-remaining 0 makes the next request wait for the reset', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const reset = T0 / 1000 + 20;
    server.script(
      ok({}, { 'x-ratelimit-minute-remaining': '0', 'x-ratelimit-minute-reset': String(reset) }),
      ok({}, { 'x-ratelimit-minute-remaining': '99', 'x-ratelimit-minute-reset': String(reset + 60) }),
      ok(),
    );
    const api = client(server, clock);
    await api.getJson('/a');
    await api.getJson('/b');
    await api.getJson('/c');
    assert.deepEqual(clock.sleeps, [20_000]);
    assert.deepEqual(server.requests.map((r) => r.at - T0), [0, 20_000, 20_000]);
    assert.equal(api.stats.waitMs, 20_000);
  });

  test('a success saying the day budget is spent fails the next call without sending it', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.script(ok({}, { 'x-ratelimit-day-remaining': '0', 'x-ratelimit-day-reset': String(T0 / 1000 + 6 * 3600) }));
    const api = client(server, clock);
    await api.getJson('/a');
    const error = await rejection(api.getJson('/b'));
    assert.equal(error.kind, 'rate_limited');
    assert.match(error.message, /daily request budget; it resets at .* \(in 6 h 0 min\)/);
    assert.equal(server.requests.length, 1);
  });

  test('a client-side limit of 5 per second spaces requests on the injected clock', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = ok();
    const api = client(server, clock, { limits: { perSecond: 5 } });
    for (let i = 0; i < 12; i += 1) await api.getJson('/x');
    const sent = server.requests.map((r) => r.at - T0);
    assert.deepEqual(sent, [0, 0, 0, 0, 0, 1_000, 1_000, 1_000, 1_000, 1_000, 2_000, 2_000]);
    for (const start of sent) {
      const inWindow = sent.filter((at) => at >= start && at < start + 1_000).length;
      assert.ok(inWindow <= 5, `${inWindow} requests in the second from ${start} ms`);
    }
    assert.equal(api.stats.waitMs, 2_000);
  });

  test('a client-side day budget that is spent fails fast instead of sleeping for hours', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = ok();
    const api = client(server, clock, { limits: { perDay: 2 } });
    await api.getJson('/a');
    await api.getJson('/b');
    const error = await rejection(api.getJson('/c'));
    assert.equal(error.kind, 'rate_limited');
    assert.match(error.message, /budget of 2 requests per day \(limits\.perDay\); it frees up at .* \(in 24 h 0 min\)/);
    assert.equal(server.requests.length, 2);
  });

  test('no more than `concurrency` requests are in flight', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    const held: (() => void)[] = [];
    let quiet: NodeJS.Timeout | undefined;
    // Hold every answer until no new request has arrived for a moment, so that all the requests
    // the client is willing to have in flight are in flight together; then answer them all.
    server.fallback = (req, res) => {
      held.push(() => ok({ path: req.url })(req, res));
      clearTimeout(quiet);
      quiet = setTimeout(() => {
        for (const answer of held.splice(0)) answer();
      }, 30);
    };
    const api = client(server, clock, { concurrency: 3 });
    const bodies = await Promise.all(Array.from({ length: 10 }, (_, i) => api.getJson(`/item/${i}`)));
    assert.equal(bodies.length, 10);
    assert.equal(server.requests.length, 10);
    assert.ok(server.maxInFlight <= 3, `${server.maxInFlight} requests were in flight at once`);
    assert.ok(server.maxInFlight >= 2, 'the requests never ran in parallel');
  });
});

describe('pagination', () => {
  const users = Array.from({ length: 23 }, (_, i) => ({ id: i + 1 }));

  test('offsetPages reads until a short page', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const offset = Number(url.searchParams.get('offset'));
      const limit = Number(url.searchParams.get('limit'));
      ok({ data: { users: users.slice(offset, offset + limit) }, paging: { offset: offset + limit } })(req, res);
    };
    const api = client(server, clock);
    const pages: number[][] = [];
    for await (const page of offsetPages(async (offset, limit) => {
      const body = (await api.getJson('/users/v1/users', { offset, limit })) as { data: { users: { id: number }[] } };
      return body.data.users;
    }, 10)) {
      pages.push(page.map((u) => u.id));
    }
    assert.deepEqual(pages.map((p) => p.length), [10, 10, 3]);
    assert.deepEqual(pages.flat(), users.map((u) => u.id));
    assert.deepEqual(server.requests.map((r) => r.url.search), ['?offset=0&limit=10', '?offset=10&limit=10', '?offset=20&limit=10']);

    // An exact multiple ends with one empty page, which is not yielded.
    const twenty = [];
    for await (const page of offsetPages(async (offset, limit) => users.slice(0, 20).slice(offset, offset + limit), 10)) twenty.push(page);
    assert.equal(twenty.length, 2);
  });

  test('pageNumberPages reads page/per_page until a short page', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = (req, res) => {
      const url = new URL(req.url ?? '/', 'http://x');
      const page = Number(url.searchParams.get('page'));
      const count = Number(url.searchParams.get('count'));
      ok({ success: true, data: users.slice((page - 1) * count, page * count), meta: {} })(req, res);
    };
    const api = client(server, clock);
    const seen: number[] = [];
    for await (const page of pageNumberPages(async (page, count) => {
      const body = (await api.getJson('/records/1', { page, count })) as { data: { id: number }[] };
      return body.data;
    }, 5)) {
      seen.push(...page.map((u) => u.id));
    }
    assert.deepEqual(seen, users.map((u) => u.id));
    assert.equal(server.requests.length, 5);
  });

  test('linkPages follows links.next until it is absent', async (t) => {
    const clock = fakeTime();
    const server = await startServer(t, clock);
    server.fallback = (req, res) => {
      const url = new URL(req.url ?? '/', server.url);
      const page = Number(url.searchParams.get('page') ?? '1');
      const perPage = Number(url.searchParams.get('per_page'));
      const next = page * perPage < users.length ? `${server.url}/v1/patients?page=${page + 1}&per_page=${perPage}` : undefined;
      ok({
        patients: users.slice((page - 1) * perPage, page * perPage),
        total_entries: users.length,
        links: { self: url.href, ...(next ? { next } : {}) },
      })(req, res);
    };
    const api = client(server, clock, { baseUrl: `${server.url}/v1` });
    const seen: number[] = [];
    for await (const page of linkPages(
      () => api.getJson('/patients', { per_page: 10 }),
      nextLinkOf,
      (url) => api.getJsonUrl(url),
    )) {
      seen.push(...(page as { patients: { id: number }[] }).patients.map((p) => p.id));
    }
    assert.deepEqual(seen, users.map((u) => u.id));
    assert.deepEqual(server.requests.map((r) => r.url.searchParams.get('page')), [null, '2', '3']);
  });

  test('linkPages stops on a link that loops back', async () => {
    const pages = linkPages(
      () => Promise.resolve({ links: { next: 'https://x/1' } }),
      nextLinkOf,
      () => Promise.resolve({ links: { next: 'https://x/1' } }),
    );
    await assert.rejects(async () => {
      for await (const _page of pages) {
        // read every page
      }
    }, /points back to a page already read/);
  });
});

test('clients with the same shared budget key spend one budget; another key has its own', async (t) => {
  const clock = fakeTime();
  const server = await startServer(t, clock);
  server.fallback = ok();
  const key = `test ${server.url} acme/acme-connecteam`;
  const first = client(server, clock, { limits: { perMinute: 3 }, sharedBudget: key });
  const second = client(server, clock, { limits: { perMinute: 3 }, sharedBudget: key });
  const other = client(server, clock, { limits: { perMinute: 3 }, sharedBudget: `${key} other` });
  for (let i = 0; i < 3; i++) await first.getJson('/x');
  assert.deepEqual(clock.sleeps, [], 'three requests fit the minute');
  await other.getJson('/x');
  assert.deepEqual(clock.sleeps, [], 'another key has its own budget');
  await second.getJson('/x');
  assert.equal(clock.sleeps.length, 1, 'the second client of the same key waits for the shared minute');
  assert.ok(clock.sleeps[0]! > 0);
  assert.equal(second.stats.requests, 1);
});
