/**
 * `tidemark repair tz-shift` on every destination dialect (Postgres, PGlite, MariaDB, SQLite;
 * filter with DIALECTS=…): the 6-hour bug in America/Chicago, on CST days (offset 6 h) and CDT
 * days (5 h), each with one employee's real 08:00–12:00 and 14:00–18:00 shifts upstream. After a
 * sync the table is corrupted as the old code did; the dry run lists exactly the corrupted rows
 * (never the real 14:00–18:00 shifts) and changes nothing, --apply backs them up and fixes them,
 * reconcile exits 0. Real databases, the simulator, and the real binary.
 */
import { describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { SHIFTS_TABLE } from '../src/connectors/connecteam/shifts-stream.ts';
import type { ConnecteamUser, DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';
import { openTzShiftDatabase } from '../src/repair/tz-shift/open-database.ts';
import type { TzShiftCandidate } from '../src/repair/tz-shift/plan.ts';
import { freshSchema } from './helpers/postgres.ts';
import { acmeConfig, runCli, writeConfig } from './helpers/cli.ts';
import { dataset, shift, user } from './helpers/shifts.ts';
import { shiftTableOn, TZ_SHIFT_DIALECTS, type ShiftRow, type ShiftTable, type TzShiftDialect } from './helpers/tz-shift-tables.ts';

interface JsonCandidate {
  shiftId: string;
  storedStart: string;
  upstream: { shiftId: string; start: string };
  offsetHours: number;
  shiftHours: number;
  action: 'correct' | 'delete';
  reason: string;
}
interface JsonReport {
  candidates: JsonCandidate[];
  applied: { backupTable: string | undefined; backupRows: number; corrected: number; deleted: number } | null;
}
interface SyncCounts {
  created: number;
  updated: number;
  deleted: number;
  unchanged: number;
}

const isoOf = (seconds: number | undefined) => (seconds === undefined ? null : new Date(seconds * 1000).toISOString());
const ids = (rows: readonly { shiftId: string }[]) => rows.map((r) => r.shiftId).sort();
const live = (rows: readonly ShiftRow[]) => rows.filter((r) => !r.deleted);

/** What the table must hold when it equals the upstream: id, employee, start, end, by id. */
function upstreamRows(shifts: readonly DatasetShift[]): [string, string, string | null, string | null][] {
  return [...shifts].sort((a, b) => (a.id < b.id ? -1 : 1)).map((s) => [s.id, String(s.userId), isoOf(s.start.timestamp), isoOf(s.end?.timestamp)]);
}
const storedRows = (rows: readonly ShiftRow[]) => rows.map((r) => [r.shiftId, r.userId, r.start, r.end]);

interface Setup {
  readonly table: ShiftTable;
  /** `tidemark …args --config FILE` with the simulator's key. */
  cli(...args: string[]): ReturnType<typeof runCli>;
}

/** A simulator with `shifts`, a ledger schema, the dialect's table, and a first sync of [from, to). */
async function withSynced(dialect: TzShiftDialect, shifts: DatasetShift[], users: ConnecteamUser[], from: string, to: string, work: (setup: Setup) => Promise<void>): Promise<void> {
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts, users), rateLimit: false });
  const control = await freshSchema('ctl');
  const table = await shiftTableOn(dialect);
  try {
    const base = acmeConfig(simulator.url, control.schema, 'unused');
    const config = writeConfig({ ...base, destinations: [{ id: 'warehouse', ...table.destination }] });
    const cli = (...args: string[]) => runCli([...args, '--config', config], { ACME_CT_KEY: simulator.apiKey });
    const synced = await cli('sync', 'acme-shifts', '--from', from, '--to', to);
    assert.equal(synced.code, 0, synced.stderr);
    await work({ table, cli });
  } finally {
    await simulator.close();
    await control.drop();
    await table.cleanup();
  }
}

const FROM = '2026-10-20';
const TO = '2026-11-11';
const CDT_DAY = '2026-10-20';
const CST_DAY = '2026-11-10';

async function sixHourBug(dialect: TzShiftDialect): Promise<void> {
  const cdtA = shift(101, `${CDT_DAY}T08:00`, `${CDT_DAY}T12:00`);
  const cdtB = shift(101, `${CDT_DAY}T14:00`, `${CDT_DAY}T18:00`);
  // Real shifts exactly one CDT offset (5 h) apart: never touched either.
  const cdtC = shift(103, `${CDT_DAY}T08:00`, `${CDT_DAY}T12:00`);
  const cdtD = shift(103, `${CDT_DAY}T13:00`, `${CDT_DAY}T17:00`);
  const cstA = shift(101, `${CST_DAY}T08:00`, `${CST_DAY}T12:00`);
  const cstB = shift(101, `${CST_DAY}T14:00`, `${CST_DAY}T18:00`);
  const cstE = shift(102, `${CST_DAY}T09:00`, `${CST_DAY}T13:00`);
  const upstream: DatasetShift[] = [cdtA, cdtB, cdtC, cdtD, cstA, cstB, cstE];
  await withSynced(dialect, upstream, [user(101), user(102), user(103)], FROM, TO, async ({ table, cli }) => {
    // The old bug: copies moved by the offset under other ids, and one row's own times moved.
    await table.copyMoved(cstB.id, 'bad-cst-b-plus6', 6); // 20:00–24:00 CST: cstB has its own row → delete
    await table.copyMoved(cstA.id, 'bad-cst-a-minus6', -6); // 02:00–06:00 CST → delete
    await table.copyMoved(cdtB.id, 'bad-cdt-b-plus5', 5); // 19:00–23:00 CDT → delete
    await table.copyMoved(cstE.id, 'bad-cst-e-plus6', 6); // employee 102's only shift, whose own row is then lost → correct as cstE
    await table.remove(cstE.id);
    await table.moveInPlace(cdtA.id, 5); // → correct in place
    const corrupted = ['bad-cdt-b-plus5', 'bad-cst-a-minus6', 'bad-cst-b-plus6', 'bad-cst-e-plus6', cdtA.id].sort();
    const before = await table.rows();
    assert.equal(before.find((r) => r.shiftId === 'bad-cst-b-plus6')?.start, '2026-11-11T02:00:00.000Z', 'the copy is moved by 6 hours');

    const broken = await cli('reconcile', 'acme-shifts', '--from', FROM, '--to', TO);
    assert.equal(broken.code, 1, broken.stdout + broken.stderr);

    // Dry run: exactly the corrupted rows, nothing changed.
    const dry = await cli('repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--json');
    assert.equal(dry.code, 0, dry.stderr + dry.stdout);
    const plan = JSON.parse(dry.stdout) as JsonReport;
    assert.equal(plan.applied, null);
    assert.deepEqual(ids(plan.candidates), corrupted);
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

    const text = await cli('repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO);
    assert.equal(text.code, 0, text.stderr);
    assert.match(text.stdout, /5 row\(s\) are upstream shifts moved by the tenant's UTC offset/);
    assert.match(text.stdout, new RegExp(`bad-cst-b-plus6  user 101  stored 2026-11-11T02:00:00Z – 2026-11-11T06:00:00Z .*\\n.*= upstream ${cstB.id} 2026-11-10T20:00:00Z – 2026-11-11T00:00:00Z \\(2026-11-10\\) moved \\+6 h \\(UTC−06:00\\)`));
    assert.match(text.stdout, /Dry run: nothing changed\. --apply backs these rows up, corrects 2 and deletes 3\./);
    assert.deepEqual(await table.rows(), before, 'the dry runs changed nothing');
    assert.deepEqual(await table.backupTables(), [], 'a dry run creates no backup table');

    // Apply.
    const applied = await cli('repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--apply', '--json');
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    const done = JSON.parse(applied.stdout) as JsonReport;
    assert.deepEqual(ids(done.candidates), corrupted);
    assert.equal(done.applied!.backupRows, 5);
    assert.equal(done.applied!.corrected, 2);
    assert.equal(done.applied!.deleted, 3);
    assert.match(done.applied!.backupTable!, /^connecteam_shifts_tzshift_backup_\d{14}$/);

    // Exactly the upstream's shifts remain (ids, employees, instants), nothing soft-deleted left behind.
    const after = await table.rows();
    assert.deepEqual(storedRows(after), upstreamRows(upstream));
    assert.ok(after.every((r) => !r.deleted));
    assert.equal(after.find((r) => r.shiftId === cstE.id)!.businessDate, CST_DAY);
    // The real shifts were not touched: the very rows the sync wrote.
    for (const real of [cdtB, cdtC, cdtD, cstA, cstB]) assert.deepEqual(after.find((r) => r.shiftId === real.id), before.find((r) => r.shiftId === real.id));

    // The backup holds the corrupted rows as they were.
    assert.deepEqual(await table.rows(done.applied!.backupTable!), before.filter((r) => corrupted.includes(r.shiftId)));

    const reconciled = await cli('reconcile', 'acme-shifts', '--from', FROM, '--to', TO);
    assert.equal(reconciled.code, 0, reconciled.stdout + reconciled.stderr);

    // Again: nothing to do, no second backup.
    const again = await cli('repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--to', TO, '--apply');
    assert.equal(again.code, 0, again.stderr);
    assert.match(again.stdout, /nothing to do/);
    assert.deepEqual(await table.backupTables(), [done.applied!.backupTable]);

    // A sync afterwards agrees with the corrected rows: nothing created, updated or deleted.
    const resync = await cli('sync', 'acme-shifts', '--from', FROM, '--to', TO, '--json');
    assert.equal(resync.code, 0, resync.stderr);
    const { counts } = JSON.parse(resync.stdout) as { counts: SyncCounts };
    assert.deepEqual([counts.created, counts.updated, counts.deleted, counts.unchanged], [0, 0, 0, upstream.length], 'corrected rows are what a sync writes');
    assert.equal(live(await table.rows()).length, upstream.length);
  });
}

// A January (CST, UTC−6) and a July (CDT, UTC−5) day.
const JAN = '2026-01-13';
const JUL = '2026-07-14';

async function realShiftsAndSoftDeletedTwin(dialect: TzShiftDialect): Promise<void> {
  const janA = shift(201, `${JAN}T08:00`, `${JAN}T12:00`);
  const janB = shift(201, `${JAN}T14:00`, `${JAN}T18:00`);
  const julA = shift(201, `${JUL}T08:00`, `${JUL}T12:00`);
  const julB = shift(201, `${JUL}T14:00`, `${JUL}T18:00`);
  const janE = shift(202, `${JAN}T09:00`, `${JAN}T13:00`);
  const upstream = [janA, janB, julA, julB, janE];
  const from = JAN;
  const to = '2026-07-15';
  await withSynced(dialect, upstream, [user(201), user(202)], from, to, async ({ table, cli }) => {
    const synced = await table.rows();
    assert.deepEqual(storedRows(synced), upstreamRows(upstream));

    // Only real shifts, 6 hours apart on both days: nothing to do, nothing touched, no backup.
    const dry = await cli('repair', 'tz-shift', 'acme-shifts', '--from', from, '--to', to, '--json');
    assert.equal(dry.code, 0, dry.stderr);
    assert.deepEqual((JSON.parse(dry.stdout) as JsonReport).candidates, []);
    const quiet = await cli('repair', 'tz-shift', 'acme-shifts', '--from', from, '--to', to, '--apply');
    assert.equal(quiet.code, 0, quiet.stderr);
    assert.match(quiet.stdout, /No row is an upstream shift moved by the UTC offset: nothing to do\./);
    assert.deepEqual(await table.rows(), synced);
    assert.deepEqual(await table.backupTables(), []);

    // A moved copy of janE whose own row is soft-deleted (the old code's reconcile dropped it),
    // and a CDT copy of julB moved back 5 h (09:00–13:00, an hour from the real 08:00 shift).
    await table.copyMoved(janE.id, 'bad-jan-e-plus6', 6);
    await table.softDelete(janE.id);
    await table.copyMoved(julB.id, 'bad-jul-b-minus5', -5);
    const before = await table.rows();

    const plan = JSON.parse((await cli('repair', 'tz-shift', 'acme-shifts', '--from', from, '--to', to, '--json')).stdout) as JsonReport;
    assert.deepEqual(
      plan.candidates.map((c) => [c.shiftId, c.upstream.shiftId, c.offsetHours, c.shiftHours, c.action]).sort(),
      [
        ['bad-jan-e-plus6', janE.id, -6, 6, 'delete'],
        ['bad-jul-b-minus5', julB.id, -5, -5, 'delete'],
      ],
    );
    assert.match(plan.candidates.find((c) => c.shiftId === 'bad-jan-e-plus6')!.reason, /soft-deleted row: `tidemark sync` restores it/);

    const applied = await cli('repair', 'tz-shift', 'acme-shifts', '--from', from, '--to', to, '--apply');
    assert.equal(applied.code, 0, applied.stderr + applied.stdout);
    assert.match(applied.stdout, /backed up 2 row\(s\) to connecteam_shifts_tzshift_backup_\d{14}, corrected 0, deleted 2\./);
    assert.match(applied.stdout, /Run `tidemark sync` over the window to restore the soft-deleted rows\./);
    const after = await table.rows();
    assert.deepEqual(after, before.filter((r) => !r.shiftId.startsWith('bad-')), 'only the copies went; the soft-deleted row and the real shifts are as they were');
    const [backup] = await table.backupTables();
    assert.deepEqual(await table.rows(backup), before.filter((r) => r.shiftId.startsWith('bad-')));

    // The sync restores the soft-deleted row: the table equals the upstream.
    const resync = await cli('sync', 'acme-shifts', '--from', from, '--to', to, '--json');
    assert.equal(resync.code, 0, resync.stderr);
    const { counts } = JSON.parse(resync.stdout) as { counts: SyncCounts };
    assert.deepEqual([counts.created, counts.updated, counts.deleted], [0, 1, 0]);
    const restored = await table.rows();
    assert.deepEqual(storedRows(live(restored)), upstreamRows(upstream));
    assert.ok(restored.every((r) => !r.deleted));
    const reconciled = await cli('reconcile', 'acme-shifts', '--from', from, '--to', to);
    assert.equal(reconciled.code, 0, reconciled.stdout + reconciled.stderr);
  });
}

/** A plan that corrects a real row into an upstream shift the read does not have: fails after the delete. */
async function failedApply(dialect: TzShiftDialect): Promise<void> {
  const real = shift(301, `${CST_DAY}T08:00`, `${CST_DAY}T12:00`);
  await withSynced(dialect, [real], [user(301)], CST_DAY, TO, async ({ table }) => {
    const before = await table.rows();
    const stored = { shiftId: real.id, userId: '301', startMs: real.start.timestamp * 1000, endMs: real.end!.timestamp * 1000, businessDate: CST_DAY };
    const candidate: TzShiftCandidate = {
      row: stored,
      twin: { ...stored, shiftId: 'not-read' },
      offsetHours: -6,
      shiftHours: 6,
      action: 'correct',
      reason: 'test',
    };
    const targetTable = { spec: SHIFTS_TABLE, name: SHIFTS_TABLE.name, ...(table.destination.schema ? { schema: table.destination.schema } : {}) };
    const database = await openTzShiftDatabase(table.destination.url, targetTable, 'acme');
    try {
      await assert.rejects(
        database.apply({ backupTable: 'connecteam_shifts_tzshift_backup_20260101000000', plan: async () => [candidate], upstream: new Map(), now: new Date() }),
        /upstream shift not-read vanished from the read/,
      );
    } finally {
      await database.close();
    }
    assert.deepEqual(await table.rows(), before, 'the row backed up and deleted before the failure is back');
    assert.deepEqual(await table.backupTables(), [], 'no backup table is left behind');
  });
}

// Each test has its own databases and simulator: four at a time (the tests are mostly waiting on child processes).
describe('repair tz-shift', { concurrency: 4 }, () => {
  for (const dialect of TZ_SHIFT_DIALECTS) {
    test(`${dialect}: lists exactly the shifted rows (CST +6 h, CDT +5 h), never the real shifts 6 h apart; --apply fixes them, reconcile exits 0`, () => sixHourBug(dialect));
    test(`${dialect}: real 08:00–12:00 and 14:00–18:00 shifts in CST (January) and CDT (July) are never touched; a copy whose upstream shift has a soft-deleted row is deleted and tidemark sync restores that row`, () =>
      realShiftsAndSoftDeletedTwin(dialect));
    test(`${dialect}: a failed --apply changes nothing and leaves no backup table`, () => failedApply(dialect));
  }

  test('refuses another stream and a missing window (exit 2, with the reason)', async () => {
    const config = writeConfig(acmeConfig('http://127.0.0.1:9', 'a', 'b'));
    const users = await runCli(['repair', 'tz-shift', 'acme-users', '--from', FROM, '--to', TO, '--config', config], { ACME_CT_KEY: 'k' });
    assert.equal(users.code, 2);
    assert.match(users.stderr, /reads connecteam\.users; repair tz-shift repairs connecteam\.shifts tables only/);
    const half = await runCli(['repair', 'tz-shift', 'acme-shifts', '--from', FROM, '--config', config], { ACME_CT_KEY: 'k' });
    assert.equal(half.code, 2);
    assert.match(half.stderr, /--from 2026-11-02 --to 2026-11-09/);
  });
});
