/**
 * `npx node bench/mysql-profile-merge.ts [--shifts 100000] [--batch 1000] [--repeats 3] [--only 0,1]`:
 * where a MariaDB merge's time goes, next to LOAD DATA LOCAL INFILE of the same rows. Each method
 * writes the same normalized rows into a freshly created empty table (the sync's DDL) on a direct
 * connection (no proxy), one transaction per batch, timed by phase; the methods are interleaved and
 * the fastest sample of each counts. Rows are all new, as in the benchmark's merge target.
 */
import { Readable } from 'node:stream';
import { parseArgs } from 'node:util';
import mysql from 'mysql2/promise';
import type { Connection, ResultSetHeader, RowDataPacket } from 'mysql2/promise';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { MysqlDestination } from '../src/destinations/mysql/mysql-destination.ts';
import { createTableSql, qualifiedName, quoteMysqlIdent, selectExistingJsonSql, selectExistingSql, upsertSql } from '../src/destinations/mysql/sql.ts';
import { loadRowsSql } from '../src/destinations/mysql/load-data-sql.ts';
import { loadDataChunks, loadDataField } from '../src/destinations/mysql/load-data-text.ts';
import { mysqlInstant, toMysqlParam } from '../src/destinations/mysql/values.ts';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import { benchSchemaName } from './bench-database.ts';
import { BENCH_TENANT } from './bench-sync.ts';
import { BENCH_SEED, generateOptionsFor, windowFor } from './dataset-size.ts';
import { loadDataRows } from './load-data-rows.ts';
import { BENCH_MYSQL_URL, mysqlDatabaseUrl, withMysql } from './mysql-bench-database.ts';
import { readMergeRows } from './read-rows.ts';

type Phases = Record<string, number>;
type Run = (c: Connection, url: string, table: TargetTable, rows: readonly MergeRow[], batch: number, phases: Phases) => Promise<void>;
interface Method {
  readonly name: string;
  readonly what: string;
  readonly run: Run;
}

async function phase<T>(phases: Phases, name: string, work: () => Promise<T>): Promise<T> {
  const started = performance.now();
  const value = await work();
  phases[name] = (phases[name] ?? 0) + (performance.now() - started) / 1000;
  return value;
}

/** Every batch of `rows` in its own transaction: START, `body`, COMMIT. */
function perBatch(body: (c: Connection, table: TargetTable, batch: readonly MergeRow[], synced: string, phases: Phases) => Promise<void>): Run {
  return async (c, _url, table, rows, batch, phases) => {
    for (let i = 0; i < rows.length; i += batch) {
      await phase(phases, 'start', () => c.query('START TRANSACTION'));
      await body(c, table, rows.slice(i, i + batch), mysqlInstant(new Date()), phases);
      await phase(phases, 'commit', () => c.query('COMMIT'));
    }
  };
}

/** One LOAD DATA LOCAL statement fed by `chunks`; any warning fails it (as the engine's does). */
async function load(c: Connection, sql: string, chunks: () => Iterable<Buffer>): Promise<void> {
  const [result] = await c.query<ResultSetHeader>({ sql, infileStreamFactory: () => Readable.from(chunks()) });
  if (result.warningStatus !== 0) throw new Error(`LOAD DATA raised ${result.warningStatus} warning(s)`);
}

function* oneChunk(table: TargetTable, rows: readonly MergeRow[], synced: string): Generator<Buffer> {
  yield Buffer.concat([...loadDataChunks(table.spec, BENCH_TENANT, rows, synced)]);
}

/** The engine's text as lines without tenant and synced_at, for a staging table of text columns. */
function* stagingChunks(table: TargetTable, rows: readonly MergeRow[]): Generator<Buffer> {
  for (let i = 0; i < rows.length; i += 50) {
    let text = '';
    for (const row of rows.slice(i, i + 50)) {
      const fields = table.spec.columns.map((c) => loadDataField(toMysqlParam(row.values[c.name], c.type, c.name)));
      text += `${fields.join('\t')}\t${row.hash}\n`;
    }
    yield Buffer.from(text);
  }
}

/** A per-connection Aria table of text columns, filled by LOAD DATA, then INSERT … SELECT … ON DUPLICATE KEY UPDATE. */
const staged: Run = async (c, _url, table, rows, batch, phases) => {
  const { spec } = table;
  const staging = quoteMysqlIdent('profile_staging');
  const cols = spec.columns.map((_, i) => `c${i}`);
  const keyIndex = spec.columns.findIndex((x) => x.name === spec.keyColumn);
  await c.query(`DROP TEMPORARY TABLE IF EXISTS ${staging}`);
  await c.query(`CREATE TEMPORARY TABLE ${staging} (${cols.map((x) => `${x} LONGTEXT CHARACTER SET utf8mb4 COLLATE utf8mb4_bin NULL`).join(', ')}, h VARCHAR(64) CHARACTER SET ascii NOT NULL) ENGINE=Aria`);
  const t = qualifiedName(table);
  const key = quoteMysqlIdent(spec.keyColumn);
  const images = spec.columns.filter((x) => x.audited !== false).map((x) => `t.${quoteMysqlIdent(x.name)}`).join(', ');
  const existing = `SELECT t.${key}, t.row_hash, t.deleted_at, ${images} FROM ${staging} AS s STRAIGHT_JOIN ${t} AS t ON t.tenant_id = ? AND t.${key} = s.c${keyIndex} FOR UPDATE`;
  const target = spec.columns.map((x) => quoteMysqlIdent(x.name));
  const changed = `${t}.row_hash <> VALUES(row_hash) OR ${t}.deleted_at IS NOT NULL`;
  const assignments = [...target, 'synced_at'].map((x) => `${t}.${x} = IF(${changed}, VALUES(${x}), ${t}.${x})`);
  assignments.push(`${t}.row_hash = VALUES(row_hash)`, `${t}.deleted_at = NULL`);
  const upsert = `INSERT INTO ${t} (${target.join(', ')}, tenant_id, row_hash, synced_at, deleted_at)
SELECT ${cols.map((x) => `s.${x}`).join(', ')}, ?, s.h, CAST(? AS DATETIME(6)), NULL FROM ${staging} AS s
ON DUPLICATE KEY UPDATE ${assignments.join(', ')}`;
  const fill = `LOAD DATA LOCAL INFILE 'rows' INTO TABLE ${staging} CHARACTER SET utf8mb4 (${cols.join(', ')}, h)`;
  for (let i = 0; i < rows.length; i += batch) {
    const chunk = rows.slice(i, i + batch);
    await phase(phases, 'truncate', () => c.query(`TRUNCATE TABLE ${staging}`));
    await phase(phases, 'load staging', () => load(c, fill, () => stagingChunks(table, chunk)));
    await phase(phases, 'start', () => c.query('START TRANSACTION'));
    await phase(phases, 'select', () => c.query<RowDataPacket[]>(existing, [BENCH_TENANT]));
    await phase(phases, 'upsert', () => c.query(upsert, [BENCH_TENANT, mysqlInstant(new Date())]));
    await phase(phases, 'commit', () => c.query('COMMIT'));
  }
};

const METHODS: Method[] = [
  { name: 'LOAD DATA, all rows', what: 'the baseline: one LOAD DATA LOCAL of every row (bench/load-data-rows.ts)', run: (c, _u, table, rows, _b, phases) => phase(phases, 'load', () => loadDataRows(c, table, BENCH_TENANT, rows, new Date())).then(() => undefined) },
  {
    name: 'engine mergeBatch',
    what: 'MysqlDestination.mergeBatch, as the benchmark times it',
    run: async (_c, url, table, rows, batch, phases) => {
      const destination = new MysqlDestination(url);
      try {
        await destination.ensureTable(table);
        await phase(phases, 'merge', async () => {
          for (let i = 0; i < rows.length; i += batch) await destination.mergeBatch(table, BENCH_TENANT, rows.slice(i, i + batch), new Date());
        });
      } finally {
        await destination.close();
      }
    },
  },
  {
    name: 'SELECT IN + upsert',
    what: 'the merge before LOAD DATA: locking SELECT … IN (keys), one multi-row INSERT … ON DUPLICATE KEY UPDATE',
    run: perBatch(async (c, table, batch, synced, phases) => {
      await phase(phases, 'select', () => c.query(selectExistingSql(table, batch.length), [BENCH_TENANT, ...batch.map((r) => r.key)]));
      const params = batch.flatMap((row) => [...table.spec.columns.map((col) => toMysqlParam(row.values[col.name], col.type, col.name)), BENCH_TENANT, row.hash, synced]);
      const sql = await phase(phases, 'js format', async () => c.format(upsertSql(table, batch.length), params));
      await phase(phases, 'upsert', () => c.query(sql));
    }),
  },
  {
    name: 'LOAD DATA per batch',
    what: 'no SELECT, no upsert: each batch LOADed in its own transaction (the floor of one transaction per batch)',
    run: perBatch((c, table, batch, synced, phases) => phase(phases, 'load', () => load(c, loadRowsSql(table), () => loadDataChunks(table.spec, BENCH_TENANT, batch, synced)))),
  },
  {
    name: 'SELECT IN + LOAD, 1 chunk',
    what: 'locking SELECT … IN, then LOAD DATA of the batch as one chunk (no overlap of encoding and insert)',
    run: perBatch(async (c, table, batch, synced, phases) => {
      await phase(phases, 'select', () => c.query(selectExistingSql(table, batch.length), [BENCH_TENANT, ...batch.map((r) => r.key)]));
      await phase(phases, 'load', () => load(c, loadRowsSql(table), () => oneChunk(table, batch, synced)));
    }),
  },
  {
    name: 'SELECT IN + LOAD, 50-row chunks',
    what: 'as above, streamed in chunks of 50 rows',
    run: perBatch(async (c, table, batch, synced, phases) => {
      await phase(phases, 'select', () => c.query(selectExistingSql(table, batch.length), [BENCH_TENANT, ...batch.map((r) => r.key)]));
      await phase(phases, 'load', () => load(c, loadRowsSql(table), () => loadDataChunks(table.spec, BENCH_TENANT, batch, synced)));
    }),
  },
  {
    name: 'SELECT JSON + LOAD, 50-row chunks',
    what: "the engine's statements by hand: locking SELECT over JSON_TABLE(keys), LOAD DATA in chunks of 50 rows",
    run: perBatch(async (c, table, batch, synced, phases) => {
      await phase(phases, 'select', () => c.query(selectExistingJsonSql(table), [JSON.stringify(batch.map((r) => r.key)), BENCH_TENANT]));
      await phase(phases, 'load', () => load(c, loadRowsSql(table), () => loadDataChunks(table.spec, BENCH_TENANT, batch, synced)));
    }),
  },
  { name: 'staging table + upsert', what: 'LOAD DATA into a temporary Aria table of text columns, then INSERT … SELECT … ON DUPLICATE KEY UPDATE from it', run: staged },
];

async function main(): Promise<void> {
  const { values } = parseArgs({ options: { shifts: { type: 'string' }, batch: { type: 'string' }, repeats: { type: 'string' }, only: { type: 'string' } } });
  const shifts = Number(values.shifts ?? 100_000);
  const batch = Number(values.batch ?? 1000);
  const repeats = Number(values.repeats ?? 3);
  const only = values.only?.split(',').map(Number) ?? METHODS.map((_, i) => i);
  const methods = METHODS.filter((_, i) => i === 0 || only.includes(i));
  const simulator = await startConnecteamSimulator({ port: 0, seed: BENCH_SEED, generate: generateOptionsFor(shifts), rateLimit: false });
  const context = { shifts, window: windowFor(shifts), simulator: { url: simulator.url, apiKey: simulator.apiKey }, directUrl: '', proxyUrl: '', rttMs: 0 };
  const rows = await readMergeRows(context);
  await simulator.close();
  const database = benchSchemaName();
  await withMysql(BENCH_MYSQL_URL, (c) => c.query(`CREATE DATABASE \`${database}\` CHARACTER SET utf8mb4`));
  const url = mysqlDatabaseUrl(BENCH_MYSQL_URL, database);
  const table: TargetTable = { spec: shiftsStream.table, name: 'profile_target' };
  const samples = new Map<string, { seconds: number; cpu: number; phases: Phases }[]>();
  const c = await mysql.createConnection({ uri: url, charset: 'UTF8MB4_UNICODE_CI', dateStrings: true, supportBigNumbers: true, bigNumberStrings: true, flags: ['-FOUND_ROWS', 'LOCAL_FILES'] });
  try {
    await c.query(`SET time_zone = '+00:00', sql_mode = 'STRICT_ALL_TABLES,NO_ENGINE_SUBSTITUTION', SESSION tx_isolation = 'READ-COMMITTED'`);
    for (let r = 0; r < repeats; r++) {
      for (const method of methods) {
        await c.query(`DROP TABLE IF EXISTS ${qualifiedName(table)}`);
        await c.query(createTableSql(table));
        const phases: Phases = {};
        const cpu = process.cpuUsage();
        const started = performance.now();
        await method.run(c, url, table, rows, batch, phases);
        const seconds = (performance.now() - started) / 1000;
        const used = process.cpuUsage(cpu);
        const [count] = await c.query<RowDataPacket[]>(`SELECT COUNT(*) AS n FROM ${qualifiedName(table)}`);
        if (Number(count[0]!.n) !== rows.length) throw new Error(`${method.name}: ${String(count[0]!.n)} rows instead of ${rows.length}`);
        samples.set(method.name, [...(samples.get(method.name) ?? []), { seconds, cpu: (used.user + used.system) / 1e6, phases }]);
        process.stderr.write(`[${r + 1}/${repeats}] ${method.name}: ${seconds.toFixed(3)} s\n`);
      }
    }
  } finally {
    await c.end();
    await withMysql(BENCH_MYSQL_URL, (x) => x.query(`DROP DATABASE IF EXISTS \`${database}\``));
  }
  const fastest = (name: string) => samples.get(name)!.reduce((a, b) => (a.seconds <= b.seconds ? a : b));
  const base = fastest(METHODS[0]!.name).seconds;
  process.stdout.write(`${rows.length.toLocaleString('en-US')} new rows into an empty table (PK + window index), batches of ${batch.toLocaleString('en-US')}, direct connection, fastest of ${repeats}\n`);
  process.stdout.write(`${'method'.padEnd(34)} | time (s) | × LOAD | client CPU (s) | phases (s)\n`);
  for (const method of methods) {
    const best = fastest(method.name);
    const phases = Object.entries(best.phases).map(([k, v]) => `${k} ${v.toFixed(3)}`).join(', ');
    process.stdout.write(`${method.name.padEnd(34)} | ${best.seconds.toFixed(3).padStart(8)} | ${(best.seconds / base).toFixed(2).padStart(6)} | ${best.cpu.toFixed(3).padStart(14)} | ${phases}\n`);
  }
  for (const method of methods) process.stdout.write(`  ${method.name}: ${method.what}\n`);
}

await main();
