/**
 * The HTTP client every connector reads its upstream through: auth headers from a hook, a
 * client-side budget and the server's own rate-limit hints, a cap on requests in flight,
 * per-request timeouts, retries with full-jitter backoff, and errors that name the tenant and
 * connection without ever containing a credential.
 *
 * One client per connection per run: its budget and `stats` cover that run.
 */
import { abortErrorOf, sleepMs } from './abort.ts';
import { ConcurrencyGate } from './concurrency-gate.ts';
import { errorTextOf } from './error-text.ts';
import { adviceFor, budgetSpentText, subjectOf, whenText } from './messages.ts';
import { parseJsonBody } from './json-body.ts';
import { parseRateLimitHeaders, serverRetryHint } from './rate-limit-headers.ts';
import type { RateLimitHints } from './rate-limit-headers.ts';
import type { Pacing, RateLimits, Reservation } from './rate-limiter.ts';
import { RateLimiter } from './rate-limiter.ts';
import { sharedLimiter } from './shared-limiters.ts';
import { buildUrl, parseBaseUrl } from './request-url.ts';
import type { Query } from './request-url.ts';
import { safeUrl, scrubSecrets, secretFragments } from './redact.ts';
import { backoffDelayMs } from './retry-policy.ts';
import { UpstreamError } from './upstream-error.ts';
import type { UpstreamErrorKind } from './upstream-error.ts';

export interface UpstreamClientOptions {
  /** e.g. `https://api.connecteam.com`, or a simulator's URL. A path (`…/api/v1`) is kept. */
  readonly baseUrl: string;
  readonly tenantId: string;
  readonly connectionId: string;
  /** Names the upstream in messages, e.g. "Connecteam". Default: the base URL's host. */
  readonly upstreamName?: string;
  /** Headers that authenticate a request, asked for before every attempt. Their values are secrets. */
  readonly authHeaders: () => Record<string, string> | Promise<Record<string, string>>;
  /** Appended to 401/403 messages, e.g. `check the API key in environment variable ACME_CT_KEY`. */
  readonly authHint?: string;
  readonly userAgent?: string;
  /** Client-side budget; leave a window out for no limit on it. */
  readonly limits?: RateLimits;
  /**
   * `burst` (default): send while the sliding windows have room. `even`: space requests by the
   * per-second/per-minute window over its limit (plus 2%), for upstreams that count a strict
   * "N per minute" (Cliniko) and to run long reads at a steady rate just under the limit.
   */
  readonly pacing?: Pacing;
  /**
   * Clients with the same key (and limits) in one process share one budget: the upstream's own
   * unit of counting, e.g. the base URL and connection for a per-API-key limit. Default: none,
   * the client's budget is its own.
   */
  readonly sharedBudget?: string;
  /**
   * Length of the budget's "minute" in ms. Default 60 000. Only a benchmark against a simulator
   * whose minute is shortened the same way changes it.
   */
  readonly minuteMs?: number;
  /** Keep integers beyond 2^53 in answers as their exact digits (strings) instead of rounding them. Default false. */
  readonly exactIntegers?: boolean;
  /** Longest wait for a budget (client-side or server-reported) before failing as rate_limited. Default 120 000. */
  readonly maxBudgetWaitMs?: number;
  /** Requests per call, first try included. Default 5. */
  readonly maxAttempts?: number;
  /** Default 500. */
  readonly baseDelayMs?: number;
  /** Cap on one backoff (and on honouring a 429's wait). Default 30 000. */
  readonly maxDelayMs?: number;
  /** Per request, body included. Default 30 000. */
  readonly timeoutMs?: number;
  /** Requests in flight at once. Default 4. */
  readonly concurrency?: number;
  readonly sleep?: (ms: number, signal?: AbortSignal) => Promise<void>;
  /** Uniform in [0, 1); the backoff jitter. Default `Math.random`. */
  readonly random?: () => number;
  /** Milliseconds since the epoch. Default `Date.now`. */
  readonly now?: () => number;
}

/** Counters over the client's lifetime (one run). */
export interface UpstreamStats {
  /** HTTP requests sent, retries included. */
  requests: number;
  retries: number;
  /** 429 answers. */
  rateLimited: number;
  /** 5xx answers. */
  serverErrors: number;
  /** Time spent waiting for budgets and backoff, in ms. */
  waitMs: number;
}

export interface RequestOptions {
  readonly signal?: AbortSignal;
}

/** One failed attempt, before it becomes an `UpstreamError`. */
interface Failure {
  readonly kind: UpstreamErrorKind;
  readonly retryable: boolean;
  /** What went wrong, after "GET <url>". */
  readonly detail: string;
  readonly status?: number;
  readonly cause?: unknown;
  readonly resetAt?: Date;
  /** The server's own "try again at" instant, when it gave one. */
  readonly retryAt?: number;
  /** For 401/403: the message is phrased as a refusal instead of a failed GET. */
  readonly refused?: boolean;
}

type Attempt = { readonly ok: true; readonly value: unknown } | { readonly ok: false; readonly failure: Failure };

function positive(value: number | undefined, fallback: number, setting: string, min: number): number {
  const chosen = value ?? fallback;
  if (!Number.isFinite(chosen) || chosen < min) {
    throw new RangeError(`${setting} must be a number of at least ${min}, got ${String(value)}`);
  }
  return chosen;
}

function networkCause(error: unknown): string {
  // undici reports "fetch failed" / "terminated" with the socket error as the cause.
  const cause: unknown = error instanceof Error ? error.cause : undefined;
  const code = typeof cause === 'object' && cause !== null && 'code' in cause ? String(cause.code) : undefined;
  const message = cause instanceof Error ? cause.message : error instanceof Error ? error.message : String(error);
  return code && !message.includes(code) ? `${code}: ${message}` : message;
}

export class UpstreamClient {
  readonly stats: UpstreamStats = { requests: 0, retries: 0, rateLimited: 0, serverErrors: 0, waitMs: 0 };
  readonly #options: UpstreamClientOptions;
  readonly #base: URL;
  readonly #subject: string;
  readonly #limiter: RateLimiter;
  readonly #gate: ConcurrencyGate;
  readonly #maxAttempts: number;
  readonly #baseDelayMs: number;
  readonly #maxDelayMs: number;
  readonly #timeoutMs: number;
  readonly #maxBudgetWaitMs: number;
  readonly #sleep: (ms: number, signal?: AbortSignal) => Promise<void>;
  readonly #random: () => number;
  readonly #now: () => number;
  /** Every credential fragment seen from the auth hook, to mask in anything we show. */
  readonly #secrets = new Set<string>();

  constructor(options: UpstreamClientOptions) {
    for (const setting of ['tenantId', 'connectionId'] as const) {
      if (!options[setting]) throw new RangeError(`${setting} is required: errors name it so the operator knows which connection failed`);
    }
    this.#options = options;
    this.#base = parseBaseUrl(options.baseUrl);
    this.#subject = subjectOf({
      upstream: options.upstreamName ?? this.#base.host,
      tenantId: options.tenantId,
      connectionId: options.connectionId,
    });
    const limiterOptions = {
      ...(options.minuteMs !== undefined ? { minuteMs: options.minuteMs } : {}),
      ...(options.pacing !== undefined ? { pacing: options.pacing } : {}),
    };
    this.#limiter =
      options.sharedBudget === undefined ? new RateLimiter(options.limits, limiterOptions) : sharedLimiter(options.sharedBudget, options.limits, limiterOptions);
    this.#gate = new ConcurrencyGate(options.concurrency ?? 4);
    this.#maxAttempts = Math.floor(positive(options.maxAttempts, 5, 'maxAttempts', 1));
    this.#baseDelayMs = positive(options.baseDelayMs, 500, 'baseDelayMs', 0);
    this.#maxDelayMs = positive(options.maxDelayMs, 30_000, 'maxDelayMs', 0);
    this.#timeoutMs = positive(options.timeoutMs, 30_000, 'timeoutMs', 1);
    this.#maxBudgetWaitMs = positive(options.maxBudgetWaitMs, 120_000, 'maxBudgetWaitMs', 0);
    this.#sleep = options.sleep ?? sleepMs;
    this.#random = options.random ?? Math.random;
    this.#now = options.now ?? Date.now;
  }

  /** The connection's base URL as parsed (e.g. `https://api.au1.cliniko.com/v1`), for streams that keep positions relative to it. */
  get baseUrl(): string {
    return this.#base.href;
  }

  /** GET `path` under the base URL with `query` (arrays repeat the key) and parse the JSON answer. */
  getJson(path: string, query?: Query, options?: RequestOptions): Promise<unknown> {
    return this.#call(buildUrl(this.#base, path, query), options?.signal);
  }

  /**
   * GET a URL the upstream handed out (Cliniko's `links.next`). It must be on the base URL's
   * origin: the auth headers go with it, and they must not go anywhere else.
   */
  async getJsonUrl(absoluteUrl: string, options?: RequestOptions): Promise<unknown> {
    let url: URL;
    try {
      url = new URL(absoluteUrl, this.#base);
    } catch (cause) {
      throw this.#error(absoluteUrl, { kind: 'bad_response', retryable: false, detail: 'is not a valid URL', cause }, 0);
    }
    if (url.origin !== this.#base.origin) {
      throw this.#error(url.href, {
        kind: 'bad_response',
        retryable: false,
        detail: `is not on the connection's origin ${this.#base.origin}; refusing to send its credentials there`,
      }, 0);
    }
    return this.#call(url, options?.signal);
  }

  async #call(url: URL, signal: AbortSignal | undefined): Promise<unknown> {
    let failure: Failure | undefined;
    let attempt = 0;
    while (attempt < this.#maxAttempts) {
      attempt += 1;
      const result = await this.#attemptInSlot(url, signal);
      if (result.ok) return result.value;
      failure = result.failure;
      if (!failure.retryable || attempt === this.#maxAttempts) break;

      const waitMs = this.#retryDelay(failure, attempt - 1);
      this.stats.retries += 1;
      this.stats.waitMs += waitMs;
      await this.#pause(waitMs, signal);
    }
    // `failure` is set: the loop runs at least once (maxAttempts >= 1) and only breaks on one.
    throw this.#error(url.href, failure as Failure, attempt);
  }

  /** Server hints win (capped at maxDelayMs); otherwise full-jitter backoff. */
  #retryDelay(failure: Failure, retry: number): number {
    const now = this.#now();
    if (failure.retryAt !== undefined && failure.retryAt > now) {
      const waitMs = Math.min(failure.retryAt - now, this.#maxDelayMs);
      // Hold the other requests of this connection too: the server said the budget is gone.
      this.#limiter.pauseUntil(now + waitMs);
      return waitMs;
    }
    return backoffDelayMs(retry, { baseDelayMs: this.#baseDelayMs, maxDelayMs: this.#maxDelayMs, random: this.#random });
  }

  async #attemptInSlot(url: URL, signal: AbortSignal | undefined): Promise<Attempt> {
    const release = await this.#gate.acquire(signal);
    try {
      // Budget after the slot: the grant is stamped when the request actually goes out.
      await this.#awaitBudget(url, signal);
      return await this.#attempt(url, signal);
    } finally {
      release();
    }
  }

  async #awaitBudget(url: URL, signal: AbortSignal | undefined): Promise<void> {
    for (;;) {
      const now = this.#now();
      const reservation: Reservation = this.#limiter.reserve(now);
      if (reservation.granted) return;
      if (reservation.waitMs > this.#maxBudgetWaitMs) {
        throw new UpstreamError({
          kind: 'rate_limited',
          retryable: false,
          message: `${this.#subject} ${budgetSpentText(reservation.hold, reservation.until, now)} (next request: GET ${this.#shown(url.href)})`,
          tenantId: this.#options.tenantId,
          connectionId: this.#options.connectionId,
          url: this.#shown(url.href),
          attempts: 0,
          resetAt: new Date(reservation.until),
        });
      }
      this.stats.waitMs += reservation.waitMs;
      await this.#pause(reservation.waitMs, signal);
    }
  }

  async #attempt(url: URL, signal: AbortSignal | undefined): Promise<Attempt> {
    const headers = await this.#headers();
    const timeout = AbortSignal.timeout(this.#timeoutMs);
    const combined = signal ? AbortSignal.any([signal, timeout]) : timeout;
    this.stats.requests += 1;
    let response: Response;
    let body: string;
    try {
      // Redirects are not followed: fetch would carry custom auth headers (X-API-KEY) to the new host.
      response = await fetch(url, { method: 'GET', headers, signal: combined, redirect: 'manual' });
      body = await response.text();
    } catch (error) {
      if (signal?.aborted) throw abortErrorOf(signal);
      if (timeout.aborted) {
        return fail({ kind: 'timeout', retryable: true, detail: `got no answer within ${this.#timeoutMs} ms`, cause: error });
      }
      return fail({ kind: 'network', retryable: true, detail: `failed on the network (${networkCause(error)})`, cause: error });
    }
    const now = this.#now();
    const hints = parseRateLimitHeaders(response.headers, now);
    this.#limiter.observe(hints);
    return this.#classify(response, body, hints, now);
  }

  #classify(response: Response, body: string, hints: RateLimitHints, now: number): Attempt {
    const { status } = response;
    const hint = serverRetryHint(hints, status);
    const said = (): string => {
      const text = this.#scrub(errorTextOf(body));
      return text ? `: ${text}` : '';
    };

    if (status >= 200 && status < 300) {
      if (status === 204 || status === 205) return { ok: true, value: null };
      try {
        return { ok: true, value: parseJsonBody(body, this.#options.exactIntegers ?? false) };
      } catch (cause) {
        return fail({
          kind: 'bad_response',
          retryable: true,
          status,
          cause,
          detail: `answered ${status} with ${body.length} characters that are not JSON (cut off?)`,
        });
      }
    }
    if (status === 401 || status === 403) {
      const hint401 = this.#options.authHint ?? "check this connection's credentials";
      const why = status === 403 ? 'the credentials are valid but lack access to this endpoint; ' : '';
      return fail({
        kind: status === 401 ? 'unauthorized' : 'forbidden',
        retryable: false,
        status,
        refused: true,
        detail: `was refused (${status}) on GET {url}${said()}: ${why}${hint401}`,
      });
    }
    if (status === 429) {
      this.stats.rateLimited += 1;
      if (hint?.dayBudgetSpent && hint.at - now > this.#maxBudgetWaitMs) {
        this.#limiter.pauseUntil(hint.at);
        return fail({
          kind: 'rate_limited',
          retryable: false,
          status,
          resetAt: new Date(hint.at),
          refused: true,
          detail:
            `has spent the upstream's daily request budget${hints.day?.limit === undefined ? '' : ` of ${hints.day.limit} requests`} ` +
            `(429 on GET {url}); it resets ${whenText(hint.at, now)}. ` +
            'Run the sync again after that, or move the account to a plan with a higher limit',
        });
      }
      return fail({ kind: 'rate_limited', retryable: true, status, retryAt: hint?.at, detail: `was rate limited (429)${said()}` });
    }
    if (status >= 500) {
      this.stats.serverErrors += 1;
      const text = `${status}${response.statusText ? ` ${response.statusText}` : ''}`;
      return fail({ kind: 'server', retryable: true, status, retryAt: hint?.at, detail: `failed on the upstream's side (${text})${said()}` });
    }
    if (status === 408) {
      return fail({ kind: 'timeout', retryable: true, status, retryAt: hint?.at, detail: `timed out on the upstream's side (408)${said()}` });
    }
    if (status >= 300 && status < 400) {
      const location = response.headers.get('location');
      return fail({
        kind: 'bad_response',
        retryable: false,
        status,
        detail:
          `answered with a redirect (${status}) to ${location ? this.#shown(location) : 'nowhere'}; ` +
          "set the connection's base URL to the address it redirects to",
      });
    }
    return fail({
      kind: status === 404 ? 'not_found' : 'bad_request',
      retryable: false,
      status,
      detail: `was rejected (${status})${said()}`,
    });
  }

  async #headers(): Promise<Headers> {
    const auth = await this.#options.authHeaders();
    for (const fragment of secretFragments(auth)) this.#secrets.add(fragment);
    const headers = new Headers({ accept: 'application/json' });
    if (this.#options.userAgent) headers.set('user-agent', this.#options.userAgent);
    for (const [name, value] of Object.entries(auth)) headers.set(name, value);
    return headers;
  }

  async #pause(ms: number, signal: AbortSignal | undefined): Promise<void> {
    if (signal?.aborted) throw abortErrorOf(signal);
    await this.#sleep(ms, signal);
    // An injected sleep may ignore the signal; the abort still wins.
    if (signal?.aborted) throw abortErrorOf(signal);
  }

  #scrub(text: string): string {
    return scrubSecrets(text, this.#fragments());
  }

  #shown(url: string): string {
    return safeUrl(url, this.#fragments());
  }

  #fragments(): string[] {
    return [...this.#secrets].sort((a, b) => b.length - a.length);
  }

  #error(url: string, failure: Failure, attempts: number): UpstreamError {
    const shown = this.#shown(url);
    const detail = failure.detail.replaceAll('{url}', shown);
    let message: string;
    if (attempts > 1 && failure.retryable) {
      message = `${this.#subject}: GET ${shown} failed after ${attempts} attempts; last: ${detail}. ${adviceFor(failure.kind, this.#timeoutMs)}`;
    } else if (failure.refused) {
      message = `${this.#subject} ${detail}`;
    } else {
      message = `${this.#subject}: GET ${shown} ${detail}`;
    }
    return new UpstreamError({
      kind: failure.kind,
      retryable: failure.retryable,
      status: failure.status,
      message: this.#scrub(message),
      tenantId: this.#options.tenantId,
      connectionId: this.#options.connectionId,
      url: shown,
      attempts,
      resetAt: failure.resetAt,
      cause: failure.cause,
    });
  }
}

function fail(failure: Failure): Attempt {
  return { ok: false, failure };
}
