/**
 * The ledger's size after a simulated week, two ways:
 *
 * - measured: the real tables after the real tick (runs, changes, seen keys, events; pg-boss's job
 *   rows), bytes per row including indexes and TOAST;
 * - synthetic: the tick's real run rows (and its real sync and send-it job rows) copied 168 times
 *   (24 × 7 hours, timestamps shifted back an hour per copy) into tables created LIKE the real
 *   ones INCLUDING ALL (same columns, defaults, constraints and indexes), vacuumed, then
 *   pg_total_relation_size. The retention DELETE each run issues is timed against that table.
 */
import type pg from 'pg';
import { quoteIdent } from '../src/db/identifiers.ts';
import { SYNC_QUEUE } from '../src/jobs/queues.ts';

const SEND_IT_QUEUE = '__pgboss__send-it';
export const HOURS_PER_WEEK = 24 * 7;

export interface TableSize {
  readonly table: string;
  readonly rows: number;
  readonly totalBytes: number;
  readonly heapBytes: number;
  readonly indexBytes: number;
}

async function tableSize(client: pg.Client, schema: string, table: string, where = 'true', params: unknown[] = []): Promise<TableSize> {
  const rows = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.${quoteIdent(table)} WHERE ${where}`, params);
  const sizes = await client.query<{ total: string; heap: string; indexes: string }>(
    `SELECT pg_total_relation_size(c.oid)::text AS total, pg_relation_size(c.oid)::text AS heap, pg_indexes_size(c.oid)::text AS indexes
       FROM pg_class c JOIN pg_namespace n ON n.oid = c.relnamespace WHERE n.nspname = $1 AND c.relname = $2`,
    [schema, table],
  );
  const size = sizes.rows[0];
  return { table: `${schema}.${table}`, rows: rows.rows[0]!.n, totalBytes: Number(size?.total ?? 0), heapBytes: Number(size?.heap ?? 0), indexBytes: Number(size?.indexes ?? 0) };
}

async function vacuum(client: pg.Client, schema: string, table: string): Promise<void> {
  await client.query(`VACUUM (ANALYZE) ${quoteIdent(schema)}.${quoteIdent(table)}`);
}

/** The pg-boss table that physically holds a queue's jobs (queues share `job_common` unless partitioned). */
async function jobTableOf(client: pg.Client, jobsSchema: string, queue: string): Promise<string> {
  const result = await client.query<{ table_name: string }>(`SELECT table_name FROM ${quoteIdent(jobsSchema)}.queue WHERE name = $1`, [queue]);
  const table = result.rows[0]?.table_name;
  if (!table) throw new Error(`pg-boss has no queue "${queue}" in schema ${jobsSchema}`);
  return table;
}

export interface MeasuredLedger {
  readonly runs: TableSize;
  readonly changes: TableSize;
  readonly seenKeys: TableSize;
  readonly events: TableSize;
  /** pg-boss's physical job table (all queues), and how many rows of it are the tick's sync and send-it jobs. */
  readonly jobs: TableSize;
  readonly syncJobs: number;
  readonly sendItJobs: number;
  /** Changes rows written by the tick's runs (the first run of a sync creates every row it reads). */
  readonly changesOfTick: number;
}

export async function measureLedger(client: pg.Client, controlSchema: string, jobsSchema: string): Promise<MeasuredLedger> {
  for (const table of ['runs', 'changes', 'run_seen_keys', 'events']) await vacuum(client, controlSchema, table);
  const jobTable = await jobTableOf(client, jobsSchema, SYNC_QUEUE);
  await vacuum(client, jobsSchema, jobTable);
  const j = quoteIdent(jobsSchema);
  const counts = await client.query<{ sync: number; send_it: number }>(
    `SELECT count(*) FILTER (WHERE name = $1)::int AS sync, count(*) FILTER (WHERE name = $2)::int AS send_it FROM ${j}.${quoteIdent(jobTable)}`,
    [SYNC_QUEUE, SEND_IT_QUEUE],
  );
  const changes = await tableSize(client, controlSchema, 'changes');
  return {
    runs: await tableSize(client, controlSchema, 'runs'),
    changes,
    seenKeys: await tableSize(client, controlSchema, 'run_seen_keys'),
    events: await tableSize(client, controlSchema, 'events'),
    jobs: await tableSize(client, jobsSchema, jobTable),
    syncJobs: counts.rows[0]!.sync,
    sendItJobs: counts.rows[0]!.send_it,
    changesOfTick: changes.rows,
  };
}

async function columnsOf(client: pg.Client, schema: string, table: string): Promise<{ name: string; type: string }[]> {
  const result = await client.query<{ column_name: string; data_type: string }>(
    `SELECT column_name, data_type FROM information_schema.columns WHERE table_schema = $1 AND table_name = $2 ORDER BY ordinal_position`,
    [schema, table],
  );
  return result.rows.map((r) => ({ name: r.column_name, type: r.data_type }));
}

/**
 * `INSERT INTO target SELECT … FROM source CROSS JOIN generate_series(0, copies - 1) k`: every
 * timestamp column moved back k hours; `fresh` columns get a new value per copy (ids).
 */
async function replicate(
  client: pg.Client,
  source: { schema: string; table: string; where: string; params: unknown[] },
  target: { schema: string; table: string },
  copies: number,
  fresh: Readonly<Record<string, string>>,
  skip: readonly string[],
): Promise<void> {
  const columns = (await columnsOf(client, source.schema, source.table)).filter((c) => !skip.includes(c.name));
  const names = columns.map((c) => quoteIdent(c.name)).join(', ');
  const values = columns
    .map((c) => {
      if (fresh[c.name]) return fresh[c.name];
      if (c.type.startsWith('timestamp')) return `s.${quoteIdent(c.name)} - k * interval '1 hour'`;
      return `s.${quoteIdent(c.name)}`;
    })
    .join(', ');
  const k = source.params.length + 1;
  await client.query(
    `INSERT INTO ${quoteIdent(target.schema)}.${quoteIdent(target.table)} (${names})
     SELECT ${values} FROM ${quoteIdent(source.schema)}.${quoteIdent(source.table)} s CROSS JOIN generate_series(0, $${k}::int - 1) k WHERE ${source.where}`,
    [...source.params, copies],
  );
}

export interface WeekLedger {
  readonly copies: number;
  readonly runs: TableSize;
  readonly jobs: TableSize;
  /** The retention DELETE every successful run issues (runsRetentionDays 90), against the week's runs: EXPLAIN ANALYZE. */
  readonly pruneMs: number;
  readonly prunePlan: string;
  readonly seconds: number;
}

/** Build a week of runs and jobs in `weekSchema` from the tick's real rows, measure it, leave it for the caller to drop. */
export async function simulateWeek(client: pg.Client, controlSchema: string, jobsSchema: string, weekSchema: string, trigger: string, copies = HOURS_PER_WEEK): Promise<WeekLedger> {
  const started = performance.now();
  const w = quoteIdent(weekSchema);
  await client.query(`CREATE SCHEMA ${w}`);
  await client.query(`CREATE TABLE ${w}.runs (LIKE ${quoteIdent(controlSchema)}.runs INCLUDING ALL)`);
  // The id comes from the copied default (the ledger's own sequence), as a real insert would take it.
  await replicate(client, { schema: controlSchema, table: 'runs', where: 'trigger = $1', params: [trigger] }, { schema: weekSchema, table: 'runs' }, copies, {}, ['id']);
  const jobTable = await jobTableOf(client, jobsSchema, SYNC_QUEUE);
  await client.query(`CREATE TABLE ${w}.job (LIKE ${quoteIdent(jobsSchema)}.${quoteIdent(jobTable)} INCLUDING ALL)`);
  await replicate(
    client,
    { schema: jobsSchema, table: jobTable, where: `name IN ($1, $2) AND state = 'completed'`, params: [SYNC_QUEUE, SEND_IT_QUEUE] },
    { schema: weekSchema, table: 'job' },
    copies,
    { id: 'gen_random_uuid()' },
    [],
  );
  await vacuum(client, weekSchema, 'runs');
  await vacuum(client, weekSchema, 'job');
  const plan = await client.query<{ 'QUERY PLAN': string }>(
    `EXPLAIN (ANALYZE, COSTS OFF) DELETE FROM ${w}.runs WHERE status IN ('succeeded', 'failed', 'interrupted') AND finished_at < now() - make_interval(days => 90)`,
  );
  const lines = plan.rows.map((r) => r['QUERY PLAN']);
  const execution = lines.map((l) => /Execution Time: ([\d.]+) ms/.exec(l)).find((m) => m !== null);
  return {
    copies,
    runs: await tableSize(client, weekSchema, 'runs'),
    jobs: await tableSize(client, weekSchema, 'job'),
    pruneMs: execution ? Number(execution[1]) : Number.NaN,
    prunePlan: lines.filter((l) => /Scan|Delete/.test(l)).map((l) => l.trim()).join(' / '),
    seconds: (performance.now() - started) / 1000,
  };
}
