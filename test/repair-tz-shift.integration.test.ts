/**
 * `tidemark repair tz-shift`: the 6-hour bug in America/Chicago, on a CST day (offset 6 h) and a
 * CDT day (5 h), each with one employee's real 08:00–12:00 and 14:00–18:00 shifts upstream. After
 * a sync the table is corrupted as the old code did; the dry run lists exactly the corrupted rows
 * (never the real 14:00–18:00 shifts), --apply backs them up and fixes them, reconcile exits 0.
 * Real Postgres, the simulator, and the real binary.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { freshSchema, pgRows } from './helpers/postgres.ts';
import { acmeConfig, runCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift, user } from './helpers/shifts.ts';
import type { DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';



interface JsonCandidate {
  shiftId: string;
  storedStart: string;
  upstream: { shiftId: string; start: string };
  offsetHours: number;
  shiftHours: number;
  action: 'correct' | 'delete';
}
interface JsonReport {
  candidates: JsonCandidate[];
  applied: { backupTable: string | undefined; backupRows: number; corrected: number; deleted: number } | null;
}

const FROM = '2026-10-20';
const TO = '2026-11-11';
const CDT_DAY = '2026-10-20';
const CST_DAY = '2026-11-10';

const isoOf = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000).toISOString());

test('repair tz-shift: lists exactly the shifted rows (CST +6 h, CDT +5 h), never the real shifts 6 h apart; --apply fixes them, reconcile exits 0', async () => {
  const cdtA = shift(101, `${CDT_DAY}T08:00`, `${CDT_DAY}T12:00`);
  const cdtB = shift(101, `${CDT_DAY}T14:00`, `${CDT_DAY}T18:00`);
  // Real shifts exactly one CDT offset (5 h) apart: never touched either.
  const cdtC = shift(103, `${CDT_DAY}T08:00`, `${CDT_DAY}T12:00`);
  const cdtD = shift(103, `${CDT_DAY}T13:00`, `${CDT_DAY}T17:00`);
  const cstA = shift(101, `${CST_DAY}T08:00`, `${CST_DAY}T12:00`);
  const cstB = shift(101, `${CST_DAY}T14:00`, `${CST_DAY}T18:00`);
  const cstE = shift(102, `${CST_DAY}T09:00`, `${CST_DAY}T13:00`);
  const upstream: DatasetShift[] = [cdtA, cdtB, cdtC, cdtD, cstA, cstB, cstE];
  const simulator = await startConnecteamSimulator({ dataset: dataset(upstream, [user(101), user(102), user(103)]), rateLimit: false });
  const control = await freshSchema('ctl');
  const dest = await freshSchema('dst');
  const table = `"${dest.schema}".connecteam_shifts`;
  try {
    const config = writeConfig(acmeConfig(simulator.url, control.schema, dest.schema));
    const env = { ACME_CT_KEY: simulator.apiKey };
    const synced = await runCli(['sync', 'acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(synced.code, 0, synced.stderr);

    // The old bug: copies moved by the offset under other ids, and one row's own times moved.
    const copy = (id: string, newId: string, hours: number) =>
      pgRows(
        `INSERT INTO ${table} SELECT (jsonb_populate_record(NULL::${table}, to_jsonb(s) || jsonb_build_object(
           'shift_id', $2::text, 'start_at', s.start_at + make_interval(hours => $3), 'end_at', s.end_at + make_interval(hours => $3)))).*
         FROM ${table} AS s WHERE s.shift_id = $1`,
        [id, newId, hours],
      );
    await copy(cstB.id, 'bad-cst-b-plus6', 6); // 20:00–24:00 CST: cstB has its own row → delete
    await copy(cstA.id, 'bad-cst-a-minus6', -6); // 02:00–06:00 CST → delete
    await copy(cdtB.id, 'bad-cdt-b-plus5', 5); // 19:00–23:00 CDT → delete
    await copy(cstE.id, 'bad-cst-e-plus6', 6); // employee 102's only shift, whose own row is then lost → correct as cstE
    await pgRows(`DELETE FROM ${table} WHERE shift_id = $1`, [cstE.id]);
    await pgRows(`UPDATE ${table} SET start_at = start_at + interval '5 hours', end_at = end_at + interval '5 hours' WHERE shift_id = $1`, [cdtA.id]); // → correct in place
    const corrupted = ['bad-cdt-b-plus5', 'bad-cst-a-minus6', 'bad-cst-b-plus6', 'bad-cst-e-plus6', cdtA.id].sort();
    const before = await pgRows<{ shift_id: string; start_at: string }>(`SELECT shift_id, start_at::text FROM ${table} ORDER BY shift_id`);

    const broken = await runCli(['reconcile', 'acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(broken.code, 1, broken.stdout);

    // Dry run: exactly the corrupted rows, nothing changed.
    const dry = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--json', '--config', config], env);
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    const plan = JSON.parse(dry.stdout) as JsonReport;
    assert.equal(plan.applied, null);
    assert.deepEqual(plan.candidates.map((c) => c.shiftId).sort(), corrupted);
    for (const real of [cdtB, cdtC, cdtD, cstA, cstB]) assert.ok(!plan.candidates.some((c) => c.shiftId === real.id), `real shift ${real.id} listed`);
    const byId = new Map(plan.candidates.map((c) => [c.shiftId, c]));
    assert.deepEqual(
      [byId.get('bad-cst-b-plus6'), byId.get('bad-cst-a-minus6'), byId.get('bad-cdt-b-plus5'), byId.get('bad-cst-e-plus6'), byId.get(cdtA.id)].map((c) => [c!.upstream.shiftId, c!.offsetHours, c!.shiftHours, c!.action]),
      [
        [cstB.id, -6, 6, 'delete'],
        [cstA.id, -6, -6, 'delete'],
        [cdtB.id, -5, 5, 'delete'],
        [cstE.id, -6, 6, 'correct'],
        [cdtA.id, -5, 5, 'correct'],
      ],
    );
    assert.equal(byId.get(cdtA.id)!.upstream.start, isoOf(cdtA.start.timestamp));
    assert.deepEqual(await pgRows(`SELECT shift_id, start_at::text FROM ${table} ORDER BY shift_id`), before, 'the dry run changed nothing');

    const text = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /5 row\(s\) are upstream shifts moved by the tenant's UTC offset/);
    assert.match(text.stdout, new RegExp(`bad-cst-b-plus6  user 101  stored 2026-11-11T02:00:00Z – 2026-11-11T06:00:00Z .*\\n.*= upstream ${cstB.id} 2026-11-10T20:00:00Z – 2026-11-11T00:00:00Z \\(2026-11-10\\) moved \\+6 h \\(UTC−06:00\\)`));
    assert.match(text.stdout, /Dry run: nothing changed\. --apply backs these rows up, corrects 2 and deletes 3\./);

    // Apply.
    const applied = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--apply', '--json', '--config', config], env);
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const done = JSON.parse(applied.stdout) as JsonReport;
    assert.equal(done.applied!.backupRows, 5);
    assert.equal(done.applied!.corrected, 2);
    assert.equal(done.applied!.deleted, 3);
    assert.match(done.applied!.backupTable!, /^connecteam_shifts_tzshift_backup_\d{14}$/);

    // Exactly the upstream's shifts remain: ids and instants.
    const rows = await pgRows<{ shift_id: string; start_at: Date; end_at: Date | null; business_date: string; user_id: string }>(
      `SELECT shift_id, start_at, end_at, business_date::text, user_id::text FROM ${table} WHERE deleted_at IS NULL ORDER BY shift_id`,
    );
    assert.deepEqual(
      rows.map((r) => [r.shift_id, r.user_id, r.start_at.toISOString(), r.end_at?.toISOString() ?? null]),
      [...upstream].sort((a, b) => a.id.localeCompare(b.id)).map((s) => [s.id, String(s.userId), isoOf(s.start.timestamp), isoOf(s.end?.timestamp)]),
    );
    assert.equal(rows.find((r) => r.shift_id === cstE.id)!.business_date, CST_DAY);

    // The backup holds the corrupted rows as they were.
    const backup = await pgRows<{ shift_id: string; start_at: string }>(`SELECT shift_id, start_at::text FROM "${dest.schema}"."${done.applied!.backupTable!}" ORDER BY shift_id`);
    assert.deepEqual(backup, before.filter((r) => corrupted.includes(r.shift_id)));

    const reconciled = await runCli(['reconcile', 'acme-shifts', '--from', FROM, '--to', TO, '--config', config], env);
    assert.equal(reconciled.code, 0, reconciled.stdout);

    // Again: nothing to do, no second backup.
    const again = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--apply', '--config', config], env);
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to do/);
    const backups = await pgRows(`SELECT table_name FROM information_schema.tables WHERE table_schema = $1 AND table_name LIKE '%tzshift_backup%'`, [dest.schema]);
    assert.equal(backups.length, 1);

    // A sync afterwards agrees with the corrected rows: nothing created or deleted.
    const resync = await runCli(['sync', 'acme-shifts', '--from', FROM, '--to', TO, '--json', '--config', config], env);
    assert.equal(resync.code, 0, resync.stderr);
    const { counts } = JSON.parse(resync.stdout) as { counts: { created: number; updated: number; deleted: number; unchanged: number } };
    assert.deepEqual([counts.created, counts.updated, counts.deleted, counts.unchanged], [0, 0, 0, upstream.length], 'corrected rows are what a sync writes');
    const live = await pgRows<{ n: number }>(`SELECT count(*)::int AS n FROM ${table} WHERE deleted_at IS NULL`);
    assert.equal(live[0]!.n, upstream.length);
  } finally {
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('repair tz-shift refuses another stream and a missing window (exit 2, with the reason)', async () => {
  const config = writeConfig(acmeConfig('http://127.0.0.1:9', 'a', 'b'));
  const users = await runCli(['repair', 'tz-shift', 'acme-users', '--from', FROM, '--to', TO, '--config', config], { ACME_CT_KEY: 'k' });
  assert.equal(users.code, 2);
  assert.match(users.stderr, /reads connecteam\.users; repair tz-shift repairs connecteam\.shifts tables only/);
  const half = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--config', config], { ACME_CT_KEY: 'k' });
  assert.equal(half.code, 2);
  assert.match(half.stderr, /--from 2026-11-02 --to 2026-11-09/);
});
