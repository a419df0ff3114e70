/**
 * Run one sync: plan → read → normalize → merge in batches → checkpoint → reconcile → finish.
 * Data flows one way; every batch is one merge statement and one ledger statement, so round trips
 * grow with N/B, never with N (invariant 6).
 */
import type { Destination, MergeRow } from '../destinations/destination.ts';
import type { CheckpointInput, Ledger } from '../ledger/ledger.ts';
import { ActiveRunError, RunTakenOverError } from '../ledger/ledger.ts';
import type { ChangeRecord, DeadLetterInput, RunCounts, RunProgress, RunRecord, RunWarning } from '../ledger/types.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { BusinessWindow } from '../time/window.ts';
import type { ResolvedSync } from './resolved-sync.ts';
import type { ReadPosition } from './stream.ts';
import { Batcher } from './batcher.ts';
import { contentHash } from './content-hash.ts';
import { rowImage } from './row-image.ts';
import { stripNul } from './strip-nul.ts';
import { ProgressMeter } from './progress-meter.ts';
import { reconcileDeletions } from './reconcile.ts';
import { isAbandoned, lostRunReason, newOwner } from './run-owner.ts';
import { errorMessage, isAbort, isPermanent } from './errors.ts';
import { addDays, businessDateOf, businessDayRange } from '../time/business-day.ts';
import type { MappingOutcome } from '../destinations/table-mapping.ts';
import { applyMapping } from './apply-mapping.ts';

export interface RunSyncOptions {
  readonly sync: ResolvedSync;
  /** Required in `window` mode. */
  readonly window: BusinessWindow | null;
  readonly client: UpstreamClient;
  readonly destination: Destination;
  readonly ledger: Ledger;
  readonly trigger?: string;
  readonly owner?: string;
  /** A running run whose heartbeat is older than this is abandoned and may be taken over. */
  readonly staleAfterMs?: number;
  readonly signal?: AbortSignal;
  readonly onProgress?: (event: RunProgressEvent) => void;
  /** Called once the ledger holds the run (its id known), before anything is read. */
  readonly onStart?: (run: { readonly runId: string; readonly resumedFrom: string | null }) => void;
  readonly retention?: { readonly changesDays: number; readonly runsDays: number };
  /** The job running this sync (a worker): recorded on the run. */
  readonly job?: { readonly id: string; readonly attempt: number };
}

export interface RunProgressEvent {
  readonly runId: string;
  readonly counts: Readonly<RunCounts>;
  readonly progress: RunProgress;
}

export type RunOutcome = 'succeeded' | 'failed' | 'interrupted';

export interface RunSummary {
  readonly runId: string;
  readonly syncId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly mode: string;
  readonly window: { readonly from: string; readonly to: string; readonly timezone: string } | null;
  readonly table: string;
  readonly status: RunOutcome;
  readonly counts: RunCounts;
  readonly warnings: readonly RunWarning[];
  readonly error: string | null;
  readonly resumed: boolean;
  readonly durationMs: number;
  readonly upstream: Record<string, number>;
  /** Incremental runs: upstream records updated at or after this instant were read (null: all). */
  readonly since: string | null;
  /** Rows removed by the stream's retention. */
  readonly purged: number;
  /** What the run did to the user's own mapped table (config `mapping`), when there is one. */
  readonly mapping: MappingOutcome | null;
  /** The run this one continued from (a lost worker, a failure, a stop), when it resumed. */
  readonly resumedFrom: string | null;
  /** Failed runs: true when trying again cannot help (bad credentials, bad configuration). */
  readonly permanent: boolean;
}

interface Acquired {
  readonly run: RunRecord;
  readonly resumed: boolean;
}

/**
 * Start a run. When the sync's active run lost its worker (no heartbeat for `staleAfterMs`, or a
 * dead pid on this host), mark it failed first. Then take over the previous run's checkpoint when
 * it is resumable and had the same plan (a lost worker, a transient failure, a SIGTERM).
 */
async function acquireRun(options: RunSyncOptions, owner: string): Promise<Acquired> {
  const { sync, window, ledger } = options;
  const fresh = async () =>
    ledger.startRun({
      since: sync.mode === 'incremental' ? await incrementalCursor(ledger, sync) : null,
      syncId: sync.id,
      tenantId: sync.tenantId,
      stream: sync.stream.name,
      mode: sync.mode,
      windowFrom: window?.from ?? null,
      windowTo: window?.to ?? null,
      trigger: options.trigger ?? 'manual',
      owner,
      jobId: options.job?.id ?? null,
      attempt: options.job?.attempt ?? null,
    });
  let run: RunRecord;
  try {
    run = await fresh();
  } catch (error) {
    if (!(error instanceof ActiveRunError) || !error.activeRun) throw error;
    const active = error.activeRun;
    if (!isAbandoned(active, options.staleAfterMs ?? 60_000)) throw error;
    const reason = lostRunReason(active);
    if (await ledger.failLostRun(active.id, active.owner, reason)) {
      await ledger.recordEvent({ kind: 'run_lost', tenantId: active.tenantId, syncId: active.syncId, runId: active.id, message: `run #${active.id} of sync ${active.syncId}: ${reason}`, data: { owner: active.owner } });
    }
    run = await fresh();
  }
  const resumed = await ledger.resumeFrom(run.id, sync.id, { mode: sync.mode, windowFrom: window?.from ?? null, windowTo: window?.to ?? null });
  return resumed ? { run: resumed, resumed: true } : { run, resumed: false };
}

/** The previous complete read's start minus the lookback; null on the first run (read everything). */
async function incrementalCursor(ledger: Ledger, sync: ResolvedSync): Promise<Date | null> {
  const start = await ledger.lastCompleteReadStart(sync.id);
  return start && new Date(start.getTime() - (sync.lookbackMinutes ?? 0) * 60_000);
}

/** Retention's cutoff: the start of the business day `days` before today, in the tenant's zone. */
function retentionCutoff(timezone: string, days: number, now: Date): Date {
  return businessDayRange(addDays(businessDateOf(now, timezone), -days), timezone).start;
}

function countsOf(run: RunRecord): RunCounts {
  return { fetched: run.fetched, created: run.created, updated: run.updated, unchanged: run.unchanged, deleted: run.deleted, dead: run.dead };
}

export async function runSync(options: RunSyncOptions): Promise<RunSummary> {
  const { sync, window, client, destination, ledger, signal } = options;
  const startedAt = Date.now();
  const owner = options.owner ?? newOwner();
  if (sync.mode === 'window' && !window) throw new Error(`sync "${sync.id}" runs in window mode and needs a window (--today or --from/--to)`);

  const { run, resumed } = await acquireRun(options, owner);
  options.onStart?.({ runId: run.id, resumedFrom: run.resumedFrom });
  const counts: RunCounts = resumed ? countsOf(run) : { fetched: 0, created: 0, updated: 0, unchanged: 0, deleted: 0, dead: 0 };
  const warnings: RunWarning[] = [];
  const meter = new ProgressMeter();
  meter.records = counts.fetched;
  const heartbeat = setInterval(() => {
    ledger.heartbeat(run.id, owner, meter.snapshot()).catch(() => undefined);
  }, Math.min(10_000, Math.max(1_000, (options.staleAfterMs ?? 60_000) / 3)));
  heartbeat.unref();

  // Keys committed earlier in this run (a resume): skipped when read again, and kept for reconcile.
  const committed = new Set(resumed ? await ledger.seenKeys(run.id) : []);
  const seen = new Set(committed);
  if (resumed) warnings.push({ code: 'resumed', message: `resumed run #${run.resumedFrom ?? '?'} from its checkpoint with ${committed.size} records already merged` });
  let permanent = false;

  const spec = sync.table.spec;
  const batcher = new Batcher(sync.batchSize);
  let pendingDead: DeadLetterInput[] = [];
  let pendingDeadKeys: string[] = [];
  let position: ReadPosition | null = run.checkpoint;
  let purged = 0;
  let mapped: MappingOutcome | null = null;
  const progressEvent = () => options.onProgress?.({ runId: run.id, counts: { ...counts }, progress: meter.snapshot() });

  // Checkpoints are written in order, at most one in flight, while the next batch is read and
  // merged: the control plane stays off the critical path. The price: a crash can leave up to two
  // merged batches without their checkpoint (the one in flight and the one merging). On resume
  // they are merged again and counted as unchanged, and their change records are missing.
  let ledgerWrite: Promise<void> = Promise.resolve();
  // The counts as of the last committed checkpoint: they match the keys recorded with it, so a run
  // that fails is finished with these (records read but not yet merged are not counted), and the
  // run that resumes it counts those records once, when it merges them.
  let committedCounts: RunCounts = { ...counts };
  const writeCheckpoint = async (input: Omit<CheckpointInput, 'syncId' | 'tenantId' | 'stream' | 'table'>) => {
    await ledgerWrite;
    const write = ledger.checkpoint(run.id, owner, { syncId: sync.id, tenantId: sync.tenantId, stream: sync.stream.name, table: sync.table.name, ...input });
    // Awaited before the next checkpoint and at the end; until then a failure must not be "unhandled".
    write.then(
      () => {
        committedCounts = input.counts;
      },
      () => undefined,
    );
    ledgerWrite = write;
  };

  const flush = async (rows: MergeRow[], at: ReadPosition | null) => {
    const outcome = await destination.mergeBatch(sync.table, sync.tenantId, rows, new Date());
    counts.created += outcome.created;
    counts.updated += outcome.updated;
    counts.unchanged += outcome.unchanged;
    const byKey = new Map(rows.map((r) => [r.key, r]));
    const changes: ChangeRecord[] = outcome.changes.map((ch) => ({
      key: ch.key,
      op: ch.op,
      before: ch.before && rowImage(spec, ch.before),
      after: rowImage(spec, byKey.get(ch.key)?.values ?? {}),
    }));
    await writeCheckpoint({
      position: at,
      counts: { ...counts },
      progress: meter.snapshot(),
      keys: [...rows.map((r) => r.key), ...pendingDeadKeys],
      changes,
      deadLetters: pendingDead,
    });
    pendingDead = [];
    pendingDeadKeys = [];
    progressEvent();
  };

  try {
    for await (const page of sync.stream.read(client, {
      tenantId: sync.tenantId,
      timezone: sync.timezone,
      mode: sync.mode,
      ...(window ? { window } : {}),
      ...(position !== null ? { from: position } : {}),
      ...(run.since ? { since: run.since } : {}),
      ...(signal ? { signal } : {}),
    })) {
      position = page.position;
      for (const raw of page.records) {
        const result = sync.stream.normalize(raw, { tenantId: sync.tenantId, timezone: sync.timezone });
        const key = result.ok ? result.record.key : result.key;
        if (key !== undefined && committed.has(key)) continue; // merged and counted before the resume
        counts.fetched++;
        meter.records++;
        if (!result.ok) {
          counts.dead++;
          pendingDead.push({ key: result.key ?? null, reason: result.reason, payload: sync.stream.redact ? sync.stream.redact(raw) : raw });
          if (result.key !== undefined) {
            // A record we could not read still exists upstream: never delete its row for being unseen.
            seen.add(result.key);
            pendingDeadKeys.push(result.key);
          }
          continue;
        }
        seen.add(result.record.key);
        const json = JSON.stringify(result.record.values);
        const values = stripNul(result.record.values, json);
        const ready = batcher.add({ key: result.record.key, values, hash: contentHash(values, values === result.record.values ? json : undefined) });
        if (ready) await flush(ready, position);
      }
      if (page.progress) meter.units(page.progress.done, page.progress.total);
      if (signal?.aborted) throw signal.reason ?? new Error('aborted');
    }
    await flush(batcher.take(), position);
    await ledgerWrite;

    if (sync.mode !== 'incremental') {
      const outcome = await reconcileDeletions({
        destination,
        table: sync.table,
        tenantId: sync.tenantId,
        range: sync.mode === 'window' && window ? { start: window.start, end: window.end } : null,
        seenKeys: [...seen],
        guard: sync.deleteGuard,
        now: new Date(),
      });
      counts.deleted += outcome.deleted.length;
      if (outcome.warning) warnings.push(outcome.warning);
      if (outcome.deleted.length > 0) {
        await writeCheckpoint({
          position,
          counts: { ...counts },
          progress: meter.snapshot(),
          keys: [],
          changes: outcome.deleted.map((d) => ({ key: d.key, op: 'deleted', before: d.before && rowImage(spec, d.before), after: null })),
          deadLetters: [],
        });
        await ledgerWrite;
      }
    }
    if (sync.stream.retention && sync.retentionDays !== undefined && sync.retentionDays !== null) {
      const cutoff = retentionCutoff(sync.timezone, sync.retentionDays, new Date());
      purged = await destination.purgeBefore(sync.table, sync.tenantId, sync.stream.retention.column, cutoff);
    }
    if (sync.mapping) {
      const applied = await applyMapping({ destination, sync, window, runStartedAt: run.startedAt ?? new Date(startedAt), processStartedAt: new Date(startedAt) });
      mapped = applied.outcome;
      if (applied.warning) warnings.push(applied.warning);
    }
    if (counts.dead > 0) {
      warnings.push({ code: 'dead_letters', message: `${counts.dead} record(s) could not be read and went to the dead letters (ledger table dead_letters, run_id ${run.id})` });
    }
    meter.complete();
    const finished = await ledger.finishRun(run.id, owner, {
      status: 'succeeded',
      counts,
      warnings,
      error: null,
      upstream: { ...client.stats },
      progress: meter.snapshot(),
      purged,
    });
    progressEvent();
    if (options.retention) {
      // Housekeeping must not turn a finished run into a failed one.
      await ledger.prune(options.retention.changesDays, options.retention.runsDays).catch((error: unknown) => {
        warnings.push({ code: 'prune_failed', message: `ledger retention could not prune old rows: ${errorMessage(error)}` });
      });
    }
    return summarize(finished.status === 'succeeded' ? 'succeeded' : 'failed', null);
  } catch (error) {
    await ledgerWrite.catch(() => undefined);
    if (isAbort(error, signal)) {
      // Stop cleanly: what is merged is checkpointed; the next run resumes from there.
      const reason = 'interrupted: the merged batches are checkpointed and the next run of this sync resumes from there';
      await ledger.interruptRun(run.id, owner, meter.snapshot(), reason).catch(() => undefined);
      return summarize('interrupted', reason);
    }
    const message = `sync "${sync.id}" (tenant "${sync.tenantId}", connection "${sync.connectionId}", stream ${sync.stream.name}) failed: ${errorMessage(error)}`;
    permanent = isPermanent(error);
    Object.assign(counts, committedCounts);
    if (!(error instanceof RunTakenOverError)) {
      await ledger.finishRun(run.id, owner, {
        status: 'failed',
        counts,
        warnings,
        error: message,
        upstream: { ...client.stats },
        progress: meter.snapshot(),
        resumable: !permanent,
      });
    }
    return summarize('failed', message);
  } finally {
    clearInterval(heartbeat);
  }

  function summarize(status: RunOutcome, error: string | null): RunSummary {
    return {
      runId: run.id,
      syncId: sync.id,
      tenantId: sync.tenantId,
      stream: sync.stream.name,
      mode: sync.mode,
      window: window ? { from: window.from, to: window.to, timezone: window.timezone } : null,
      table: sync.table.schema ? `${sync.table.schema}.${sync.table.name}` : sync.table.name,
      status,
      counts: { ...counts },
      warnings,
      error,
      resumed,
      durationMs: Date.now() - startedAt,
      upstream: { ...client.stats },
      since: run.since ? run.since.toISOString() : null,
      purged,
      mapping: mapped,
      resumedFrom: run.resumedFrom,
      permanent,
    };
  }
}
