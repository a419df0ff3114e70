/**
 * The ledger of runs on the control plane: every run with its status, counts, progress and
 * checkpoint; the keys it has committed; its dead letters and its changes. Each method is one
 * round trip, so a run costs the control plane O(batches), never O(records).
 */
import type { SqlClient } from '../db/sql-client.ts';
import { quoteIdent } from '../db/identifiers.ts';
import type { JsonValue, SyncMode } from '../engine/stream.ts';
import { toDeadLetterRecord, toEventRecord, toRunRecord } from './row-mapping.ts';
import { resumeRunSql } from './sql/resume-run.ts';
import type {
  ChangeRecord,
  DeadLetterInput,
  DeadLetterRecord,
  EventKind,
  EventRecord,
  RunCounts,
  RunProgress,
  RunRecord,
  RunStatus,
  RunWarning,
} from './types.ts';

const RUN_COLUMNS = `id, sync_id, tenant_id, stream, mode, window_from, window_to,
  status, trigger, owner, created_at, started_at, heartbeat_at, finished_at, fetched, created, updated, unchanged,
  deleted, dead, progress, checkpoint, resumed_count, warnings, upstream, error, since, purged, resumable, resumed_from,
  job_id, attempt`;

/** Another run of the same sync is queued or running (the partial unique index said so). */
export class ActiveRunError extends Error {
  override readonly name = 'ActiveRunError';
  readonly syncId: string;
  readonly activeRun: RunRecord | null;
  constructor(syncId: string, activeRun: RunRecord | null) {
    super(
      `sync "${syncId}" already has an active run${activeRun ? ` #${activeRun.id} (${activeRun.status} since ${activeRun.startedAt?.toISOString() ?? activeRun.createdAt.toISOString()}, owner ${activeRun.owner ?? 'unknown'})` : ''}; ` +
        'wait for it to finish, or if its process is gone, run the sync again: an abandoned run is detected and resumed',
    );
    this.syncId = syncId;
    this.activeRun = activeRun;
  }
}

/** This process no longer holds the run: another worker took it over, or it was finished. */
export class RunTakenOverError extends Error {
  override readonly name = 'RunTakenOverError';
  readonly run: RunRecord | null;
  constructor(runId: string, owner: string, run: RunRecord | null) {
    super(
      `run #${runId} is no longer held by this process (${owner}): ${run ? `it is ${run.status}${run.owner ? ` and held by ${run.owner}` : ''}` : 'it no longer exists'}. ` +
        'Another process took it over after this one stopped sending heartbeats; this process stops writing to it.',
    );
    this.run = run;
  }
}

export interface NewRun {
  readonly syncId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly mode: SyncMode;
  readonly windowFrom: string | null;
  readonly windowTo: string | null;
  readonly trigger: string;
  readonly owner: string;
  /** Incremental runs: the cursor this run reads from. */
  readonly since?: Date | null;
  /** The job (pg-boss id) and attempt (1 = first) running it, when a worker runs it. */
  readonly jobId?: string | null;
  readonly attempt?: number | null;
}

/** What a run must match to take over a resumable run's checkpoint. */
export interface RunPlan {
  readonly mode: SyncMode;
  readonly windowFrom: string | null;
  readonly windowTo: string | null;
}

export interface CheckpointInput {
  readonly syncId: string;
  readonly tenantId: string;
  readonly stream: string;
  readonly table: string;
  readonly position: JsonValue | null;
  readonly counts: RunCounts;
  readonly progress: RunProgress;
  readonly keys: readonly string[];
  readonly changes: readonly ChangeRecord[];
  readonly deadLetters: readonly DeadLetterInput[];
}

export interface FinishInput {
  readonly status: Extract<RunStatus, 'succeeded' | 'failed'>;
  readonly counts: RunCounts;
  readonly warnings: readonly RunWarning[];
  readonly error: string | null;
  readonly upstream: Record<string, number>;
  readonly progress: RunProgress;
  /** Rows removed by retention. */
  readonly purged?: number;
  /** A failed run the next run of the same plan may continue (its seen keys are kept). */
  readonly resumable?: boolean;
}

function isUniqueViolation(error: unknown): boolean {
  return typeof error === 'object' && error !== null && (error as { code?: unknown }).code === '23505';
}

export class Ledger {
  readonly db: SqlClient;
  readonly schema: string;
  private readonly s: string;

  constructor(db: SqlClient, schema: string) {
    this.db = db;
    this.schema = schema;
    this.s = quoteIdent(schema);
  }

  /** Insert a run in status `running`; throws ActiveRunError when the sync already has one. */
  async startRun(run: NewRun): Promise<RunRecord> {
    try {
      const result = await this.db.query(
        `INSERT INTO ${this.s}.runs (sync_id, tenant_id, stream, mode, window_from, window_to, status, trigger, owner, started_at, heartbeat_at,
           read_started_at, since, job_id, attempt)
         VALUES ($1, $2, $3, $4, $5, $6, 'running', $7, $8, now(), now(), now(), $9, $10, $11) RETURNING ${RUN_COLUMNS}`,
        [run.syncId, run.tenantId, run.stream, run.mode, run.windowFrom, run.windowTo, run.trigger, run.owner, run.since ?? null, run.jobId ?? null, run.attempt ?? null],
      );
      return toRunRecord(result.rows[0]!);
    } catch (error) {
      if (isUniqueViolation(error)) throw new ActiveRunError(run.syncId, await this.activeRun(run.syncId));
      throw error;
    }
  }

  /**
   * When the sync's last complete read (a succeeded incremental or snapshot run) started: the
   * next incremental run's cursor. The start, never the end: records updated while that run read
   * may have been missed by it, and are read again.
   */
  async lastCompleteReadStart(syncId: string): Promise<Date | null> {
    const result = await this.db.query<{ started_at: Date | string }>(
      `SELECT COALESCE(read_started_at, started_at) AS started_at FROM ${this.s}.runs
       WHERE sync_id = $1 AND status = 'succeeded' AND mode IN ('incremental', 'snapshot')
       ORDER BY started_at DESC LIMIT 1`,
      [syncId],
    );
    const row = result.rows[0];
    return row ? new Date(row.started_at) : null;
  }

  /** The sync's latest succeeded run (freshness: when its data was last known level). */
  async lastSucceededRun(syncId: string): Promise<RunRecord | null> {
    const result = await this.db.query(
      `SELECT ${RUN_COLUMNS} FROM ${this.s}.runs WHERE sync_id = $1 AND status = 'succeeded' ORDER BY started_at DESC LIMIT 1`,
      [syncId],
    );
    return result.rows[0] ? toRunRecord(result.rows[0]) : null;
  }

  async activeRun(syncId: string): Promise<RunRecord | null> {
    const result = await this.db.query(
      `SELECT ${RUN_COLUMNS} FROM ${this.s}.runs WHERE sync_id = $1 AND status IN ('queued', 'running')`,
      [syncId],
    );
    return result.rows[0] ? toRunRecord(result.rows[0]) : null;
  }

  /**
   * A run whose worker is gone (no heartbeat, or a dead pid on this host): failed, resumable, and
   * only if `previousOwner` still holds it. Returns false when someone else got there first.
   */
  async failLostRun(runId: string, previousOwner: string | null, reason: string): Promise<boolean> {
    const result = await this.db.query(
      `UPDATE ${this.s}.runs SET status = 'failed', finished_at = now(), error = $3, resumable = true
       WHERE id = $1 AND status = 'running' AND owner IS NOT DISTINCT FROM $2 RETURNING id`,
      [runId, previousOwner, reason],
    );
    return result.rows.length > 0;
  }

  /** Every run in status running (the reaper checks which of them lost their worker). */
  async runningRuns(): Promise<RunRecord[]> {
    const result = await this.db.query(`SELECT ${RUN_COLUMNS} FROM ${this.s}.runs WHERE status = 'running' ORDER BY id`);
    return result.rows.map(toRunRecord);
  }

  /**
   * Right after `startRun`: when the sync's previous run is resumable and had the same plan, the new
   * run takes over its checkpoint, counts, cursor and seen keys (one statement). A resumable run
   * with another plan is superseded. Returns the updated run, or null when there was nothing to take.
   */
  async resumeFrom(runId: string, syncId: string, plan: RunPlan): Promise<RunRecord | null> {
    const result = await this.db.query(resumeRunSql(this.s, RUN_COLUMNS), [runId, syncId, plan.mode, plan.windowFrom, plan.windowTo]);
    return result.rows[0] ? toRunRecord(result.rows[0]) : null;
  }

  async seenKeys(runId: string): Promise<string[]> {
    const result = await this.db.query<{ key: string }>(`SELECT unnest(keys) AS key FROM ${this.s}.run_seen_keys WHERE run_id = $1`, [runId]);
    return result.rows.map((row) => row.key);
  }

  /**
   * After a committed batch: counts, progress, position, keys, changes and dead letters in one
   * statement, written only while `owner` still holds the run (the inserts are gated on it too).
   */
  async checkpoint(runId: string, owner: string, input: CheckpointInput): Promise<void> {
    const c = input.counts;
    const result = await this.db.query(
      `WITH run AS (
         UPDATE ${this.s}.runs SET checkpoint = $2::jsonb, fetched = $3, created = $4, updated = $5, unchanged = $6,
           deleted = $7, dead = $8, progress = $9::jsonb, heartbeat_at = now()
         WHERE id = $1 AND status = 'running' AND owner = $22 RETURNING id
       ), keys AS (
         INSERT INTO ${this.s}.run_seen_keys (run_id, keys) SELECT run.id, $10::text[] FROM run WHERE cardinality($10::text[]) > 0
       ), changed AS (
         INSERT INTO ${this.s}.changes (run_id, sync_id, tenant_id, table_name, record_key, op, before, after)
         SELECT run.id, $11, $12, $13, k, op, b, a FROM run, unnest($14::text[], $15::text[], $16::jsonb[], $17::jsonb[]) AS ch(k, op, b, a)
       ), dead AS (
         INSERT INTO ${this.s}.dead_letters (run_id, sync_id, tenant_id, stream, record_key, reason, payload)
         SELECT run.id, $11, $12, $18, k, r, p FROM run, unnest($19::text[], $20::text[], $21::jsonb[]) AS d(k, r, p)
       )
       SELECT id FROM run`,
      [
        runId,
        JSON.stringify(input.position),
        c.fetched,
        c.created,
        c.updated,
        c.unchanged,
        c.deleted,
        c.dead,
        JSON.stringify(input.progress),
        input.keys,
        input.syncId,
        input.tenantId,
        input.table,
        input.changes.map((ch) => ch.key),
        input.changes.map((ch) => ch.op),
        input.changes.map((ch) => (ch.before === null ? null : JSON.stringify(ch.before))),
        input.changes.map((ch) => (ch.after === null ? null : JSON.stringify(ch.after))),
        input.stream,
        input.deadLetters.map((d) => d.key),
        input.deadLetters.map((d) => d.reason),
        input.deadLetters.map((d) => JSON.stringify(d.payload ?? null)),
        owner,
      ],
    );
    if (result.rows.length === 0) throw await this.lostRun(runId, owner);
  }

  /** Why a write for `owner` found no run to update: taken over, or already finished. */
  private async lostRun(runId: string, owner: string): Promise<RunTakenOverError> {
    const run = await this.getRun(runId);
    return new RunTakenOverError(runId, owner, run);
  }

  /** Progress only (between batches of a slow read), and proof of life. */
  async heartbeat(runId: string, owner: string, progress: RunProgress): Promise<void> {
    await this.db.query(
      `UPDATE ${this.s}.runs SET progress = $2::jsonb, heartbeat_at = now() WHERE id = $1 AND status = 'running' AND owner = $3`,
      [runId, JSON.stringify(progress), owner],
    );
  }

  /** Finish a running run held by `owner`; throws RunTakenOverError when someone else holds it. */
  async finishRun(runId: string, owner: string, input: FinishInput): Promise<RunRecord> {
    const c = input.counts;
    const result = await this.db.query(
      `UPDATE ${this.s}.runs SET status = $2, finished_at = now(), heartbeat_at = now(), fetched = $3, created = $4,
         updated = $5, unchanged = $6, deleted = $7, dead = $8, warnings = $9::jsonb, error = $10, upstream = $11::jsonb,
         progress = $12::jsonb, purged = $14, resumable = $15
       WHERE id = $1 AND status = 'running' AND owner = $13 RETURNING ${RUN_COLUMNS}`,
      [
        runId,
        input.status,
        c.fetched,
        c.created,
        c.updated,
        c.unchanged,
        c.deleted,
        c.dead,
        JSON.stringify(input.warnings),
        input.error,
        JSON.stringify(input.upstream),
        JSON.stringify(input.progress),
        owner,
        input.purged ?? 0,
        input.resumable === true && input.status === 'failed',
      ],
    );
    if (!result.rows[0]) throw await this.lostRun(runId, owner);
    // The run's keys are only needed while it can still resume.
    if (!result.rows[0].resumable) await this.db.query(`DELETE FROM ${this.s}.run_seen_keys WHERE run_id = $1`, [runId]);
    return toRunRecord(result.rows[0]);
  }

  /**
   * Stop a run on request (SIGINT/SIGTERM) after its last checkpoint: status interrupted, resumable,
   * so the next run of the same plan continues from there.
   */
  async interruptRun(runId: string, owner: string, progress: RunProgress, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE ${this.s}.runs SET status = 'interrupted', finished_at = now(), resumable = true, progress = $2::jsonb, error = $4
       WHERE id = $1 AND status = 'running' AND owner = $3`,
      [runId, JSON.stringify(progress), owner, reason],
    );
  }

  /** Mark a run that nobody will resume as failed, saying why. */
  async abandonRun(runId: string, reason: string): Promise<void> {
    await this.db.query(
      `UPDATE ${this.s}.runs SET status = 'failed', finished_at = now(), error = $2, resumable = false WHERE id = $1 AND status IN ('queued', 'running')`,
      [runId, reason],
    );
    await this.db.query(`DELETE FROM ${this.s}.run_seen_keys WHERE run_id = $1`, [runId]);
  }

  async getRun(runId: string): Promise<RunRecord | null> {
    const result = await this.db.query(`SELECT ${RUN_COLUMNS} FROM ${this.s}.runs WHERE id = $1`, [runId]);
    return result.rows[0] ? toRunRecord(result.rows[0]) : null;
  }

  async listRuns(filter: { syncId?: string; tenantId?: string; limit?: number }): Promise<RunRecord[]> {
    const result = await this.db.query(
      `SELECT ${RUN_COLUMNS} FROM ${this.s}.runs
       WHERE ($1::text IS NULL OR sync_id = $1) AND ($2::text IS NULL OR tenant_id = $2)
       ORDER BY id DESC LIMIT $3`,
      [filter.syncId ?? null, filter.tenantId ?? null, filter.limit ?? 20],
    );
    return result.rows.map(toRunRecord);
  }

  async changes(runId: string, limit = 1000): Promise<(ChangeRecord & { table: string })[]> {
    const result = await this.db.query<{ record_key: string; op: ChangeRecord['op']; before: ChangeRecord['before']; after: ChangeRecord['after']; table_name: string }>(
      `SELECT record_key, op, before, after, table_name FROM ${this.s}.changes WHERE run_id = $1 ORDER BY id LIMIT $2`,
      [runId, limit],
    );
    return result.rows.map((r) => ({ key: r.record_key, op: r.op, before: r.before, after: r.after, table: r.table_name }));
  }

  async deadLetters(filter: { syncId?: string; runId?: string; limit?: number }): Promise<DeadLetterRecord[]> {
    const result = await this.db.query(
      `SELECT * FROM ${this.s}.dead_letters WHERE ($1::text IS NULL OR sync_id = $1) AND ($2::bigint IS NULL OR run_id = $2)
       ORDER BY id DESC LIMIT $3`,
      [filter.syncId ?? null, filter.runId ?? null, filter.limit ?? 100],
    );
    return result.rows.map(toDeadLetterRecord);
  }

  /** Retention: drop changes older than `changesDays` and finished runs (with their changes) older than `runsDays`; dead letters stay until replayed or deleted. */
  async prune(changesDays: number, runsDays: number): Promise<{ changes: number; runs: number }> {
    const changes = await this.db.query(`DELETE FROM ${this.s}.changes WHERE at < now() - make_interval(days => $1)`, [changesDays]);
    const runs = await this.db.query(
      `DELETE FROM ${this.s}.runs WHERE status IN ('succeeded', 'failed', 'interrupted') AND finished_at < now() - make_interval(days => $1)`,
      [runsDays],
    );
    // Seen keys of runs that can no longer resume (superseded resumable runs leave theirs behind).
    await this.db.query(
      `DELETE FROM ${this.s}.run_seen_keys k USING ${this.s}.runs r WHERE k.run_id = r.id AND r.status <> 'running' AND NOT r.resumable`,
    );
    await this.db.query(`DELETE FROM ${this.s}.events WHERE at < now() - make_interval(days => $1)`, [runsDays]);
    return { changes: changes.rowCount, runs: runs.rowCount };
  }

  /** Record something an operator must hear about (alerts deliver it). */
  async recordEvent(event: Omit<EventRecord, 'id' | 'at'>): Promise<EventRecord> {
    const result = await this.db.query(
      `INSERT INTO ${this.s}.events (kind, tenant_id, sync_id, run_id, message, data) VALUES ($1, $2, $3, $4, $5, $6::jsonb) RETURNING *`,
      [event.kind, event.tenantId, event.syncId, event.runId, event.message, JSON.stringify(event.data)],
    );
    return toEventRecord(result.rows[0]!);
  }

  async events(filter: { kind?: EventKind; syncId?: string; limit?: number } = {}): Promise<EventRecord[]> {
    const result = await this.db.query(
      `SELECT * FROM ${this.s}.events WHERE ($1::text IS NULL OR kind = $1) AND ($2::text IS NULL OR sync_id = $2) ORDER BY id DESC LIMIT $3`,
      [filter.kind ?? null, filter.syncId ?? null, filter.limit ?? 100],
    );
    return result.rows.map(toEventRecord);
  }
}
