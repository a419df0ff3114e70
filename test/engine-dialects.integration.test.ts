/**
 * The real pipeline (simulator → runSync → destination) on every destination dialect: the same
 * shifts land at the same UTC instants, a re-run rewrites nothing, and an upstream deletion marks
 * exactly one row deleted. The ledger is on the Postgres server, as a shared control plane.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { connecteam } from '../src/connectors/connecteam/connector.ts';
import { shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { runSync } from '../src/engine/run-sync.ts';
import { businessWindow } from '../src/time/window.ts';
import { DESTINATION_DIALECTS, testDestination } from './helpers/destinations.ts';
import { testDatabase } from './helpers/postgres.ts';
import { CHICAGO, dataset, localSeconds, shift } from './helpers/shifts.ts';

for (const dialect of DESTINATION_DIALECTS) {
  describe(`engine into ${dialect}`, () => {
    test('first sync, no-op re-sync, an edit and a deletion, with exact instants', async () => {
      const split = [shift(101, '2026-11-10T08:00', '2026-11-10T12:00'), shift(101, '2026-11-10T14:00', '2026-11-10T18:00')];
      const dst = shift(102, '2026-11-01T00:30', '2026-11-01T04:30');
      const open = shift(102, '2026-11-10T09:00', null);
      const simulator = await startConnecteamSimulator({ dataset: dataset([...split, dst, open]), rateLimit: false });
      const control = await testDatabase('postgres', 'ctl');
      const target = await testDestination(dialect);
      try {
        await migrateLedger(control.client, control.schema!);
        const ledger = new Ledger(control.client, control.schema!);
        const table = target.target(shiftsStream.table);
        await target.destination.ensureTable(table);
        const window = businessWindow('2026-11-01', '2026-11-11', CHICAGO);
        const run = () =>
          runSync({
            sync: { id: `shifts-${dialect}`, tenantId: 'acme', timezone: CHICAGO, connectionId: 'ct', stream: shiftsStream, mode: 'window', table, batchSize: 2, deleteGuard: { maxFraction: 1, minRows: 0 } },
            window,
            client: connecteam.createClient({ tenantId: 'acme', connectionId: 'ct', baseUrl: simulator.url, credentials: { apiKey: simulator.apiKey }, credentialEnv: { apiKey: 'K' }, limits: undefined, maxAttempts: 3, timeoutMs: 5000, options: {} }),
            destination: target.destination,
            ledger,
          });

        const first = await run();
        assert.equal(first.status, 'succeeded', first.error ?? '');
        assert.deepEqual(first.counts, { fetched: 4, created: 4, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
        const rows = await target.rows(table);
        const byId = new Map(rows.map((r) => [r.key, r.values]));
        assert.equal(byId.get(split[0]!.id)?.start_at, '2026-11-10T14:00:00.000Z');
        assert.equal(byId.get(split[1]!.id)?.start_at, '2026-11-10T20:00:00.000Z');
        assert.equal(byId.get(dst.id)?.start_at, '2026-11-01T05:30:00.000Z');
        assert.equal(byId.get(dst.id)?.end_at, '2026-11-01T10:30:00.000Z');
        assert.equal(byId.get(open.id)?.end_at, null);

        const second = await run();
        assert.deepEqual(second.counts, { fetched: 4, created: 0, updated: 0, unchanged: 4, deleted: 0, dead: 0 });
        assert.deepEqual((await target.rows(table)).map((r) => r.syncedAt), rows.map((r) => r.syncedAt), 'no row rewritten');

        simulator.store.closeShift(open.id, localSeconds('2026-11-10T17:00'));
        simulator.store.deleteShift(split[1]!.id);
        const third = await run();
        assert.deepEqual(third.counts, { fetched: 3, created: 0, updated: 1, unchanged: 2, deleted: 1, dead: 0 });
        const after = new Map((await target.rows(table)).map((r) => [r.key, r]));
        assert.equal(after.get(open.id)?.values.end_at, '2026-11-10T23:00:00.000Z');
        assert.notEqual(after.get(split[1]!.id)?.deletedAt, null);
        assert.equal(after.get(split[0]!.id)?.deletedAt, null);
        const changes = await ledger.changes(third.runId);
        assert.deepEqual(changes.map((c) => c.op).sort(), ['deleted', 'updated']);
        assert.equal(changes.find((c) => c.op === 'updated')?.before?.end_at, null, 'the before-image of the closed shift');
      } finally {
        await simulator.close();
        await target.cleanup();
        await control.cleanup();
      }
    });
  });
}
