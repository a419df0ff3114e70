/**
 * When a site syncs (docs/replica.md "Sync loop"): on start, soon after each local write
 * (debounced), on an interval, and when connectivity returns (`online()`, or the next retry).
 * Single flight: a request during a round sets a rerun flag and exactly one more round follows. A
 * failed round schedules its own retry with exponential backoff and jitter (a server's Retry-After
 * is respected), so nothing waits for a user to press "sync".
 */
import type { SiteReplica } from './site-replica.ts';
import { ReplicaSyncError, type SyncRound } from './sync-client.ts';

export interface SyncLoopOptions {
  /** A round at least this often (default 60 s). */
  readonly intervalMs?: number;
  /** Wait this long after a write for more writes before pushing (default 300 ms). */
  readonly debounceMs?: number;
  readonly backoffInitialMs?: number;
  /** Longest wait after repeated server errors (default 5 min). */
  readonly backoffMaxMs?: number;
  /** Longest wait while the server cannot be reached at all (default 30 s): connectivity returning is noticed soon. */
  readonly offlineRetryMaxMs?: number;
  readonly random?: () => number;
  /** Keep the process alive for the timers (default false: the host's own server does that). */
  readonly keepAlive?: boolean;
  /** After every round: its result or its error. */
  readonly onRound?: (outcome: { round: SyncRound; reason: string } | { error: Error; reason: string; retryInMs: number }) => void;
}

export interface SyncStatus {
  /** `offline`: the last round could not reach the server; `error`: it answered with an error. */
  readonly state: 'idle' | 'syncing' | 'offline' | 'error';
  readonly pending: number;
  readonly rejected: number;
  readonly lastSyncAt: string | null;
  readonly error: string | null;
  readonly nextRetryAt: string | null;
}

interface Syncer {
  sync(): Promise<SyncRound>;
}

export class SyncLoop {
  private readonly site: SiteReplica;
  private readonly client: Syncer;
  private readonly o: Required<Omit<SyncLoopOptions, 'onRound'>> & Pick<SyncLoopOptions, 'onRound'>;
  private running: Promise<void> | null = null;
  private rerun: string | null = null;
  private failures = 0;
  private lastSyncAt: string | null = null;
  private lastError: ReplicaSyncError | Error | null = null;
  private nextRetryAt: Date | null = null;
  private stopped = true;
  private timers: { interval?: NodeJS.Timeout; debounce?: NodeJS.Timeout; retry?: NodeJS.Timeout } = {};
  private unsubscribe: (() => void) | null = null;

  constructor(site: SiteReplica, client: Syncer, options: SyncLoopOptions = {}) {
    this.site = site;
    this.client = client;
    this.o = {
      intervalMs: options.intervalMs ?? 60_000,
      debounceMs: options.debounceMs ?? 300,
      backoffInitialMs: options.backoffInitialMs ?? 1000,
      backoffMaxMs: options.backoffMaxMs ?? 300_000,
      offlineRetryMaxMs: options.offlineRetryMaxMs ?? 30_000,
      random: options.random ?? Math.random,
      keepAlive: options.keepAlive ?? false,
      onRound: options.onRound,
    };
  }

  private timer(kind: keyof SyncLoop['timers'], ms: number, reason: string): void {
    clearTimeout(this.timers[kind]);
    const handle = setTimeout(() => void this.requestSync(reason), ms);
    if (!this.o.keepAlive) handle.unref();
    this.timers[kind] = handle;
  }

  /** Start: a round now, then on every write, the interval and retries. */
  start(): Promise<void> {
    if (!this.stopped) return this.running ?? Promise.resolve();
    this.stopped = false;
    this.unsubscribe = this.site.onMutate(() => this.notifyWrite());
    this.timers.interval = setInterval(() => void this.requestSync('interval'), this.o.intervalMs);
    if (!this.o.keepAlive) this.timers.interval.unref();
    return this.requestSync('start');
  }

  /** A local write happened: push soon (writes in quick succession go in one round). */
  notifyWrite(): void {
    if (!this.stopped) this.timer('debounce', this.o.debounceMs, 'write');
  }

  /** Connectivity is back (the host knows: a browser `online` event, a network hook): sync now. */
  online(): Promise<void> {
    this.failures = 0;
    return this.requestSync('online');
  }

  /**
   * Ask for a round. Resolves when a round that started after this request has finished (its
   * failure is in status(), not thrown: the loop retries by itself).
   */
  requestSync(reason: string): Promise<void> {
    if (this.stopped) return Promise.resolve();
    if (this.running) {
      this.rerun = reason;
      return this.running;
    }
    const run = async () => {
      let next: string | null = reason;
      while (next !== null && !this.stopped) {
        this.rerun = null;
        await this.round(next);
        next = this.rerun;
      }
    };
    this.running = run().finally(() => {
      this.running = null;
    });
    return this.running;
  }

  private async round(reason: string): Promise<void> {
    clearTimeout(this.timers.retry);
    this.nextRetryAt = null;
    try {
      const round = await this.client.sync();
      this.failures = 0;
      this.lastError = null;
      this.lastSyncAt = new Date().toISOString();
      this.o.onRound?.({ round, reason });
    } catch (cause) {
      const error = cause instanceof Error ? cause : new Error(String(cause));
      this.failures += 1;
      this.lastError = error;
      const unreachable = error instanceof ReplicaSyncError && error.status === null;
      const ceiling = unreachable ? this.o.offlineRetryMaxMs : this.o.backoffMaxMs;
      const base = Math.min(ceiling, this.o.backoffInitialMs * 2 ** (this.failures - 1));
      // Equal jitter: half the delay fixed, half random, so many sites do not retry in step.
      let delay = Math.round(base / 2 + (this.o.random() * base) / 2);
      if (error instanceof ReplicaSyncError && error.retryAfterMs !== null) delay = Math.max(delay, error.retryAfterMs);
      this.nextRetryAt = new Date(Date.now() + delay);
      if (!this.stopped) this.timer('retry', delay, 'retry');
      this.o.onRound?.({ error, reason, retryInMs: delay });
    }
  }

  status(): SyncStatus {
    const error = this.lastError;
    const unreachable = error instanceof ReplicaSyncError && error.status === null;
    return {
      state: this.running ? 'syncing' : error ? (unreachable ? 'offline' : 'error') : 'idle',
      pending: this.site.pendingCount(),
      rejected: this.site.rejectedCount(),
      lastSyncAt: this.lastSyncAt,
      error: error?.message ?? null,
      nextRetryAt: this.nextRetryAt?.toISOString() ?? null,
    };
  }

  /** Stop the timers and wait for a round in flight. */
  async stop(): Promise<void> {
    this.stopped = true;
    this.unsubscribe?.();
    for (const handle of Object.values(this.timers)) clearTimeout(handle);
    this.timers = {};
    await this.running;
  }
}
