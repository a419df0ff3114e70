/**
 * `npx node bench/profile-merge.ts [--shifts 100000] [--batch 1000,5000]`: where a merge's time
 * goes, next to COPY. The same normalized rows go into a fresh empty table (the sync's DDL) by each
 * merge variant (merge-variants.ts), by COPY, and by COPY into a temporary staging table followed by
 * an upsert from it (staged-merge.ts), for the whole set at once and per batch. Direct connection, no proxy; wall time split into building the parameters
 * in JS and the query call (driver serialization + server), with this process's CPU time and the
 * WAL the server wrote (pg_current_wal_lsn before and after).
 */
import { parseArgs } from 'node:util';
import pg from 'pg';
import type { TargetTable } from '../src/destinations/destination.ts';
import { createTableSql, qualifiedName } from '../src/destinations/postgres/sql.ts';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { BENCH_PG_URL, benchSchemaName, createSchema, dropSchemas } from './bench-database.ts';
import { BENCH_TENANT, benchTable } from './bench-sync.ts';
import { copyRows } from './copy-rows.ts';
import { BENCH_SEED, generateOptionsFor, windowFor } from './dataset-size.ts';
import { MERGE_VARIANTS, mergeParams, type MergeVariant } from './merge-variants.ts';
import { readMergeRows } from './read-rows.ts';
import { stagedMerge } from './staged-merge.ts';

interface Sample {
  readonly method: string;
  readonly batch: number | null;
  readonly seconds: number;
  readonly buildSeconds: number;
  readonly cpuSeconds: number;
  readonly walMb: number;
}

async function walPosition(client: pg.Client): Promise<string> {
  return (await client.query<{ lsn: string }>('SELECT pg_current_wal_lsn()::text AS lsn')).rows[0]!.lsn;
}

async function timed(client: pg.Client, table: TargetTable, method: string, batch: number | null, work: (build: (ms: number) => void) => Promise<void>): Promise<Sample> {
  await client.query(`DROP TABLE IF EXISTS ${qualifiedName(table)}`);
  for (const statement of createTableSql(table)) await client.query(statement);
  await client.query('CHECKPOINT');
  const walBefore = await walPosition(client);
  let buildMs = 0;
  const cpu = process.cpuUsage();
  const started = performance.now();
  await work((ms) => (buildMs += ms));
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const wal = await client.query<{ bytes: string }>('SELECT pg_wal_lsn_diff(pg_current_wal_lsn(), $1)::text AS bytes', [walBefore]);
  const walMb = Number(wal.rows[0]!.bytes) / 1e6;
  return { method, batch, seconds, buildSeconds: buildMs / 1000, cpuSeconds: (used.user + used.system) / 1e6, walMb };
}

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shifts: { type: 'string' }, batch: { type: 'string' } } });
  const shifts = Number(values.shifts ?? 100_000);
  const batches = (values.batch ?? '1000,5000').split(',').map(Number);
  const simulator = await startConnecteamSimulator({ port: 0, seed: BENCH_SEED, generate: generateOptionsFor(shifts), rateLimit: false });
  const context = { shifts, window: windowFor(shifts), simulator: { url: simulator.url, apiKey: simulator.apiKey }, directUrl: BENCH_PG_URL, proxyUrl: BENCH_PG_URL, rttMs: 0 };
  const rows = await readMergeRows(context);
  await simulator.close();
  const schema = benchSchemaName();
  await createSchema(BENCH_PG_URL, schema);
  const client = new pg.Client({ connectionString: BENCH_PG_URL, application_name: 'tidemark-profile-merge' });
  await client.connect();
  const samples: Sample[] = [];
  try {
    const table = benchTable(schema, 'profile_target');
    samples.push(await timed(client, table, 'COPY', null, () => copyRows(client, table, BENCH_TENANT, rows, new Date()).then(() => undefined)));
    for (const batch of [rows.length, ...batches]) {
      samples.push(await timed(client, table, 'COPY to staging + upsert', batch, () => stagedMerge(client, table, BENCH_TENANT, rows, batch).then(() => undefined)));
    }
    const batched = (variant: MergeVariant, batch: number) => async (build: (ms: number) => void) => {
      const sql = variant.sql(table);
      const bind = variant.params ?? mergeParams;
      for (let i = 0; i < rows.length; i += batch) {
        const before = performance.now();
        const params = bind(table, BENCH_TENANT, rows.slice(i, i + batch), new Date());
        build(performance.now() - before);
        await client.query(sql, params);
      }
    };
    for (const batch of batches) {
      for (const variant of MERGE_VARIANTS) samples.push(await timed(client, table, variant.name, batch, batched(variant, batch)));
    }
    // What waiting for each batch's commit to reach the disk costs (COPY commits once).
    await client.query('SET synchronous_commit = off');
    samples.push(await timed(client, table, 'engine, sync commit off', batches[0]!, batched(MERGE_VARIANTS[0]!, batches[0]!)));
    await client.query('RESET synchronous_commit');
  } finally {
    await client.end();
    await dropSchemas(BENCH_PG_URL, [schema]);
  }
  const copy = samples[0]!.seconds;
  process.stdout.write(`${rows.length.toLocaleString('en-US')} rows into an empty table (PK + window index), direct connection\n`);
  process.stdout.write('method                      |  batch | time (s) | × COPY | JS params (s) | client CPU (s) | WAL (MB)\n');
  for (const s of samples) {
    process.stdout.write(
      `${s.method.padEnd(27)} | ${String(s.batch ?? '').padStart(6)} | ${s.seconds.toFixed(3).padStart(8)} | ${(s.seconds / copy).toFixed(2).padStart(6)} | ${s.buildSeconds.toFixed(3).padStart(13)} | ${s.cpuSeconds.toFixed(3).padStart(14)} | ${s.walMb.toFixed(1).padStart(8)}\n`,
    );
  }
  for (const v of MERGE_VARIANTS) process.stdout.write(`  ${v.name}: ${v.what}\n`);
}

await main();
