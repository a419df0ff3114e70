/**
 * Live progress of one tenant for server-sent events: every interval the tenant's status (one
 * `status` event), and a `run` event whenever a run of one of its syncs starts, moves (records,
 * progress, ETA) or finishes. One poller per tenant however many clients watch it; it stops when
 * the last one leaves. A client joining gets the latest status and the runs in progress at once.
 */
import type { Ledger } from '../ledger/ledger.ts';
import type { RunRecord } from '../ledger/types.ts';
import type { SyncStatus, TenantStatus } from './status.ts';

export const FEED_INTERVAL_MS = 1_000;

export interface FeedEvent {
  readonly event: 'status' | 'run' | 'error';
  readonly data: unknown;
}

type Listener = (event: FeedEvent) => void;

export interface RunEventData {
  readonly runId: string;
  readonly syncId: string;
  readonly status: string;
  readonly progress: number | null;
  readonly eta: string | null;
  readonly etaSeconds: number | null;
  readonly records: number;
  readonly counts: { fetched: number; created: number; updated: number; unchanged: number; deleted: number; dead: number } | null;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly error: string | null;
}

const signature = (s: SyncStatus) => (s.lastRun ? [s.lastRun.id, s.lastRun.status, s.records, s.progress, s.etaSeconds].join('|') : '');

function runEvent(sync: SyncStatus, run: RunRecord | null): RunEventData | null {
  if (!sync.lastRun) return null;
  return {
    runId: sync.lastRun.id,
    syncId: sync.syncId,
    status: sync.lastRun.status,
    progress: sync.progress,
    eta: sync.eta,
    etaSeconds: sync.etaSeconds,
    records: sync.records,
    counts: run ? { fetched: run.fetched, created: run.created, updated: run.updated, unchanged: run.unchanged, deleted: run.deleted, dead: run.dead } : null,
    startedAt: sync.lastRun.startedAt,
    finishedAt: sync.lastRun.finishedAt,
    error: run?.error ?? null,
  };
}

export class TenantFeed {
  private readonly poll: () => Promise<TenantStatus>;
  private readonly ledger: Ledger;
  private readonly intervalMs: number;
  private readonly onIdle: () => void;
  private readonly listeners = new Set<Listener>();
  private readonly signatures = new Map<string, string>();
  /** The last run event per sync, for clients that join while it runs. */
  private readonly runs = new Map<string, RunEventData>();
  private last: TenantStatus | null = null;
  private timer: NodeJS.Timeout | null = null;
  private stopped = false;

  constructor(poll: () => Promise<TenantStatus>, ledger: Ledger, onIdle: () => void, intervalMs = FEED_INTERVAL_MS) {
    this.poll = poll;
    this.ledger = ledger;
    this.onIdle = onIdle;
    this.intervalMs = intervalMs;
  }

  /** Start receiving events; returns the unsubscribe function. */
  subscribe(listener: Listener): () => void {
    this.listeners.add(listener);
    if (this.last) {
      listener({ event: 'status', data: this.last });
      for (const run of this.runs.values()) if (run.status === 'running') listener({ event: 'run', data: run });
    }
    if (this.timer === null && !this.stopped) this.schedule(0);
    return () => {
      this.listeners.delete(listener);
      if (this.listeners.size === 0) this.stop();
    };
  }

  private stop(): void {
    this.stopped = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    this.onIdle();
  }

  private schedule(ms: number): void {
    this.timer = setTimeout(() => {
      this.tick()
        .catch(() => this.emit({ event: 'error', data: { error: 'the status could not be read; retrying' } }))
        .finally(() => {
          if (!this.stopped) this.schedule(this.intervalMs);
        });
    }, ms);
    this.timer.unref();
  }

  private emit(event: FeedEvent): void {
    for (const listener of this.listeners) listener(event);
  }

  private async tick(): Promise<void> {
    const status = await this.poll();
    if (this.stopped) return;
    const first = this.last === null;
    this.last = status;
    this.emit({ event: 'status', data: status });
    for (const sync of status.syncs) {
      const now = signature(sync);
      const before = this.signatures.get(sync.syncId);
      this.signatures.set(sync.syncId, now);
      if (now === before || !sync.lastRun) continue;
      // The first look reports runs in progress only; afterwards every start, move and finish.
      if (first && sync.lastRun.status !== 'running') continue;
      const data = runEvent(sync, await this.ledger.getRun(sync.lastRun.id));
      if (!data || this.stopped) continue;
      this.runs.set(sync.syncId, data);
      this.emit({ event: 'run', data });
    }
  }
}
