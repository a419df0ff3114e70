/**
 * The engine's side of `incremental` mode and of retention, with a small in-test stream over an
 * in-memory upstream (the real connectors' own tests drive their simulators): the cursor is the
 * previous complete read's start minus the lookback, a failed run never moves it, and retention
 * removes rows that aged out of the tenant's business days. Ledger and table on the real Postgres.
 */
import { after, before, test } from 'node:test';
import assert from 'node:assert/strict';
import { PostgresDestination } from '../src/destinations/postgres/postgres-destination.ts';
import type { TargetTable } from '../src/destinations/destination.ts';
import type { TableSpec } from '../src/destinations/table-spec.ts';
import type { RawPage, ReadPlan, StreamDefinition } from '../src/engine/stream.ts';
import type { ResolvedSync } from '../src/engine/resolved-sync.ts';
import { runSync } from '../src/engine/run-sync.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { UpstreamClient } from '../src/upstream/index.ts';
import { addDays, businessDayRange, todayIn } from '../src/time/business-day.ts';
import { testDatabase, type TestDatabase } from './helpers/postgres.ts';

const ZONE = 'Europe/Moscow';
const TABLE: TableSpec = {
  name: 'items',
  keyColumn: 'id',
  windowColumn: 'at',
  columns: [
    { name: 'id', type: 'text', nullable: false },
    { name: 'at', type: 'instant', nullable: false },
    { name: 'label', type: 'text', nullable: false },
  ],
};

interface Item {
  id: string;
  at: string;
  label: string;
  updatedAt: number;
}

/** The upstream: items with an updated_at, filtered like `q[]=updated_at:>=since`. */
const upstream = new Map<string, Item>();
const plans: ReadPlan[] = [];
let failNextRead = false;

const itemsStream: StreamDefinition<UpstreamClient> = {
  name: 'test.items',
  defaultMode: 'incremental',
  modes: ['incremental', 'snapshot'],
  table: TABLE,
  incremental: { defaultLookbackMinutes: 10 },
  retention: { column: 'at', defaultDays: 7 },
  async *read(_client, plan): AsyncIterable<RawPage> {
    plans.push(plan);
    if (failNextRead) {
      failNextRead = false;
      throw new Error('upstream went away');
    }
    const since = plan.since?.getTime() ?? -Infinity;
    yield { records: [...upstream.values()].filter((item) => item.updatedAt >= since), position: null };
  },
  normalize(raw) {
    const item = raw as Item;
    return { ok: true, record: { key: item.id, values: { id: item.id, at: new Date(item.at), label: item.label } } };
  },
};

let control: TestDatabase;
let ledger: Ledger;
let destination: PostgresDestination;
let table: TargetTable;
const sync: ResolvedSync = {
  id: 'acme-items',
  tenantId: 'acme',
  timezone: ZONE,
  connectionId: 'acme-test',
  stream: itemsStream,
  mode: 'incremental',
  table: { spec: TABLE, name: TABLE.name },
  batchSize: 100,
  deleteGuard: { maxFraction: 0.5, minRows: 10 },
  lookbackMinutes: 5,
  retentionDays: 7,
};

const client = () => new UpstreamClient({ baseUrl: 'http://127.0.0.1:9', tenantId: 'acme', connectionId: 'acme-test', authHeaders: () => ({}) });
const run = () => runSync({ sync: { ...sync, table }, window: null, client: client(), destination, ledger });

before(async () => {
  control = await testDatabase('postgres', 'inc');
  await migrateLedger(control.client, control.schema!);
  ledger = new Ledger(control.client, control.schema!);
  destination = new PostgresDestination(control.client);
  table = { spec: TABLE, name: TABLE.name, schema: control.schema! };
  await destination.ensureTable(table);
});
after(async () => {
  await control.cleanup();
});

test('incremental runs read from the previous complete read\'s start minus the lookback; a failed run does not move it', async () => {
  const today = todayIn(ZONE);
  const at = businessDayRange(today, ZONE).start.toISOString();
  const long = Date.now() - 86_400_000;
  for (const id of ['a', 'b', 'c']) upstream.set(id, { id, at, label: `${id} v1`, updatedAt: long });

  const first = await run();
  assert.equal(first.status, 'succeeded');
  assert.equal(plans.at(-1)!.since, undefined, 'the first run reads everything');
  assert.equal(first.since, null);
  assert.deepEqual([first.counts.fetched, first.counts.created], [3, 3]);
  const firstRun = await ledger.getRun(first.runId);

  upstream.set('b', { ...upstream.get('b')!, label: 'b v2', updatedAt: Date.now() });
  const second = await run();
  const expectedSince = new Date(firstRun!.startedAt!.getTime() - 5 * 60_000);
  assert.deepEqual(plans.at(-1)!.since, expectedSince, 'cursor = first run start − 5 min lookback');
  assert.equal(second.since, expectedSince.toISOString());
  assert.deepEqual([second.counts.fetched, second.counts.updated, second.counts.unchanged], [1, 1, 0], 'only the updated record is read');
  assert.equal((await ledger.getRun(second.runId))!.since?.toISOString(), expectedSince.toISOString());
  const secondRun = await ledger.getRun(second.runId);

  failNextRead = true;
  const failed = await run();
  assert.equal(failed.status, 'failed');
  const afterFailure = await run();
  assert.equal(afterFailure.status, 'succeeded');
  assert.deepEqual(plans.at(-1)!.since, new Date(secondRun!.startedAt!.getTime() - 5 * 60_000), 'the failed run left the cursor where it was');

  const rows = await control.client.query<{ id: string; label: string }>(`SELECT id, label FROM "${control.schema!}".items ORDER BY id`);
  assert.deepEqual(rows.rows, [{ id: 'a', label: 'a v1' }, { id: 'b', label: 'b v2' }, { id: 'c', label: 'c v1' }]);
});

test('retention removes rows older than the business day N days ago, counted as purged, never as deleted', async () => {
  const today = todayIn(ZONE);
  const cutoff = businessDayRange(addDays(today, -7), ZONE).start;
  const now = Date.now();
  upstream.clear();
  upstream.set('old', { id: 'old', at: new Date(cutoff.getTime() - 1).toISOString(), label: 'eight days ago', updatedAt: now });
  upstream.set('edge', { id: 'edge', at: cutoff.toISOString(), label: 'seven days ago, first instant', updatedAt: now });
  // The upstream no longer lists a, b, c: an incremental run must not delete them.
  const summary = await run();
  assert.equal(summary.status, 'succeeded');
  assert.equal(summary.purged, 1);
  assert.equal(summary.counts.deleted, 0);
  assert.equal((await ledger.getRun(summary.runId))!.purged, 1);
  const rows = await control.client.query<{ id: string }>(`SELECT id FROM "${control.schema!}".items ORDER BY id`);
  assert.deepEqual(rows.rows.map((r) => r.id), ['a', 'b', 'c', 'edge']);
});
