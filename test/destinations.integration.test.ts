/**
 * One destination suite, run against every dialect (DIALECTS=postgres,pglite,mysql,sqlite): the
 * rows a user finds in their table after each merge and reconcile, read back with the dialect's
 * own driver, and the counts and before-images the engine's ledger is given.
 */
import { afterEach, beforeEach, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { SHIFTS_TABLE, shiftsStream } from '../src/connectors/connecteam/shifts-stream.ts';
import { USERS_TABLE, usersStream } from '../src/connectors/connecteam/users-stream.ts';
import { DatabaseError, normalizeDatabaseError } from '../src/destinations/database-error.ts';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import type { TableSpec } from '../src/destinations/table-spec.ts';
import type { ColumnValue, JsonValue } from '../src/engine/stream.ts';
import { rowImage } from '../src/engine/row-image.ts';
import { businessDayRange } from '../src/time/business-day.ts';
import { DESTINATION_DIALECTS, mergeRowOf, rowFromValues, testDestination, type TestDestination } from './helpers/destinations.ts';
import { CHICAGO, shift, user } from './helpers/shifts.ts';
import type { DatasetShift } from '../src/connectors/connecteam/simulator/types.ts';

const T1 = new Date('2026-11-12T10:00:00.000Z');
const T2 = new Date('2026-11-12T11:00:00.000Z');
const T3 = new Date('2026-11-12T12:00:00.000Z');

const shiftRow = (s: DatasetShift, tenantId = 'acme') => mergeRowOf(shiftsStream, s, tenantId);
const userRow = (id: number, firstName?: string) => mergeRowOf(usersStream, user(id, firstName));

/** A users row with a 64-bit id no JS number can hold, built from a normalized user. */
function bigUserRow(id: string, firstName = `User ${id}`): MergeRow {
  const base = userRow(101);
  return rowFromValues(id, { ...base.values, user_id: id, first_name: firstName });
}

/** What a stored row's data columns must equal, in the helper's representation. */
function expected(spec: TableSpec, values: Readonly<Record<string, ColumnValue>>): Record<string, JsonValue> {
  const image = rowImage(spec, values);
  for (const column of spec.columns) if (column.audited === false) image[column.name] = values[column.name] as JsonValue;
  return image;
}

const byKey = <T extends { key: string }>(items: readonly T[], key: string) => {
  const found = items.find((item) => item.key === key);
  assert.ok(found, `no row with key ${key}`);
  return found;
};

for (const dialect of DESTINATION_DIALECTS) {
  describe(`destination on ${dialect}`, () => {
    let t: TestDestination;
    let shifts: TargetTable;
    let users: TargetTable;

    beforeEach(async () => {
      t = await testDestination(dialect);
      shifts = t.target(SHIFTS_TABLE);
      users = t.target(USERS_TABLE);
      await t.destination.ensureTable(shifts);
      await t.destination.ensureTable(users);
    });
    afterEach(async () => {
      await t.cleanup();
    });

    test('ensureTable creates once, then finds the table and leaves its rows alone', async () => {
      await t.destination.mergeBatch(users, 'acme', [userRow(101)], T1);
      assert.deepEqual(await t.destination.ensureTable(users), { created: false });
      assert.equal((await t.rows(users)).length, 1);
      const fresh = t.target({ ...USERS_TABLE, name: 'more_users' });
      assert.deepEqual(await t.destination.ensureTable(fresh), { created: true });
      assert.deepEqual(await t.destination.ensureTable(fresh), { created: false });
    });

    test('merge counts new, changed and unchanged rows exactly, and the rows hold the values', async () => {
      const a = shift(101, '2026-11-10T09:00', '2026-11-10T17:00');
      const b = shift(102, '2026-11-10T10:00', '2026-11-10T18:30');
      const open = shift(101, '2026-11-11T09:00', null);
      const first = await t.destination.mergeBatch(shifts, 'acme', [a, b, open].map((s) => shiftRow(s)), T1);
      assert.deepEqual([first.created, first.updated, first.unchanged], [3, 0, 0]);
      assert.deepEqual(first.changes.map((c) => [c.key, c.op, c.before]).sort(), [[a.id, 'created', null], [b.id, 'created', null], [open.id, 'created', null]].sort());

      const closed = { ...open, end: { timestamp: open.start.timestamp + 8 * 3600, timezone: CHICAGO } };
      const d = shift(102, '2026-11-11T10:00', '2026-11-11T14:00');
      const batch = [a, b, closed, d].map((s) => shiftRow(s));
      const second = await t.destination.mergeBatch(shifts, 'acme', batch, T2);
      assert.deepEqual([second.created, second.updated, second.unchanged], [1, 1, 2]);
      assert.deepEqual(second.changes.map((c) => [c.key, c.op]).sort(), [[closed.id, 'updated'], [d.id, 'created']].sort());

      const rows = await t.rows(shifts);
      assert.equal(rows.length, 4, 'one row per shift');
      for (const row of batch) {
        const stored = byKey(rows, row.key);
        assert.deepEqual(stored.values, expected(SHIFTS_TABLE, row.values));
        assert.equal(stored.rowHash, row.hash);
        assert.equal(stored.tenantId, 'acme');
        assert.equal(stored.deletedAt, null);
      }
      assert.equal(byKey(rows, a.id).syncedAt, T1.toISOString(), 'an unchanged row keeps its synced_at');
      assert.equal(byKey(rows, closed.id).syncedAt, T2.toISOString());
      assert.equal(byKey(rows, closed.id).values.end_at, '2026-11-11T23:00:00.000Z');
    });

    test('a second merge of the same rows writes nothing: counts, values and synced_at unchanged', async () => {
      const batch = [
        shift(101, '2026-11-10T09:00', '2026-11-10T17:00'),
        shift(102, '2026-11-10T10:00', null),
        shift(103, '2026-11-10T11:00', '2026-11-10T12:15'),
      ].map((s) => shiftRow(s));
      await t.destination.mergeBatch(shifts, 'acme', batch, T1);
      const before = await t.rows(shifts);
      const again = await t.destination.mergeBatch(shifts, 'acme', batch, T2);
      assert.deepEqual(again, { created: 0, updated: 0, unchanged: 3, changes: [] });
      const after = await t.rows(shifts);
      assert.deepEqual(after, before);
      assert.ok(after.every((row) => row.syncedAt === T1.toISOString()), 'synced_at did not move');
    });

    test("an updated row's before-image is the row as it was", async () => {
      const original = shift(101, '2026-11-10T09:00', '2026-11-10T17:00');
      const old = shiftRow({ ...original, employeeNote: 'first note', isAutoClockOut: false });
      await t.destination.mergeBatch(shifts, 'acme', [old], T1);
      const edited = shiftRow({
        ...original,
        start: { ...original.start, timestamp: original.start.timestamp - 15 * 60 },
        employeeNote: 'second note',
        isAutoClockOut: true,
      });
      const outcome = await t.destination.mergeBatch(shifts, 'acme', [edited], T2);
      assert.equal(outcome.updated, 1);
      const change = outcome.changes[0]!;
      assert.equal(change.op, 'updated');
      assert.ok(change.before);
      // The engine stores rowImage(before) in the change log: it must equal the old values exactly.
      assert.deepEqual(rowImage(SHIFTS_TABLE, change.before), rowImage(SHIFTS_TABLE, old.values));
      assert.equal(rowImage(SHIFTS_TABLE, change.before).start_at, '2026-11-10T15:00:00.000Z');
      assert.equal(change.before.raw, undefined, 'the raw JSON stays out of the change log');
      const [stored] = await t.rows(shifts);
      assert.deepEqual(stored!.values, expected(SHIFTS_TABLE, edited.values));
    });

    test('deletes happen only inside the window: [start, end), this tenant, unseen keys', async () => {
      const day = businessDayRange('2026-11-10', CHICAGO); // 06:00Z to 06:00Z the next day
      const atStart = shift(101, '2026-11-10T00:00', '2026-11-10T04:00');
      const seen = shift(102, '2026-11-10T12:00', '2026-11-10T16:00');
      const atEnd = shift(101, '2026-11-11T00:00', '2026-11-11T04:00');
      const dayBefore = shift(101, '2026-11-09T23:59', '2026-11-10T03:00');
      const otherTenant = shift(103, '2026-11-10T12:00', '2026-11-10T13:00');
      await t.destination.mergeBatch(shifts, 'acme', [atStart, seen, atEnd, dayBefore].map((s) => shiftRow(s)), T1);
      await t.destination.mergeBatch(shifts, 'beta', [shiftRow(otherTenant, 'beta')], T1);

      assert.deepEqual(await t.destination.countUnseen(shifts, 'acme', day, [seen.id]), { live: 2, unseen: 1 });
      const deleted = await t.destination.markUnseenDeleted(shifts, 'acme', day, [seen.id], T2);
      assert.deepEqual(deleted.map((d) => [d.key, d.op]), [[atStart.id, 'deleted']]);
      assert.deepEqual(rowImage(SHIFTS_TABLE, deleted[0]!.before!), rowImage(SHIFTS_TABLE, shiftRow(atStart).values));

      const rows = await t.rows(shifts);
      assert.equal(byKey(rows, atStart.id).deletedAt, T2.toISOString());
      assert.equal(byKey(rows, atStart.id).syncedAt, T2.toISOString());
      for (const kept of [seen, atEnd, dayBefore, otherTenant]) {
        assert.equal(byKey(rows, kept.id).deletedAt, null, `${kept.id} untouched`);
        assert.equal(byKey(rows, kept.id).syncedAt, T1.toISOString());
      }
      assert.deepEqual(await t.destination.countUnseen(shifts, 'acme', day, [seen.id]), { live: 1, unseen: 0 });
      assert.deepEqual(await t.destination.markUnseenDeleted(shifts, 'acme', day, [seen.id], T3), []);
    });

    test('retention removes only this tenant\'s rows before the cutoff instant, and says how many', async () => {
      const cutoff = businessDayRange('2026-11-10', CHICAGO).start; // 2026-11-10T06:00Z
      const old = shift(101, '2026-11-09T23:59', '2026-11-10T03:00'); // 05:59Z: before
      const atCutoff = shift(102, '2026-11-10T00:00', '2026-11-10T04:00'); // 06:00Z: kept
      const otherTenantOld = shift(103, '2026-11-08T12:00', '2026-11-08T13:00');
      await t.destination.mergeBatch(shifts, 'acme', [old, atCutoff].map((s) => shiftRow(s)), T1);
      await t.destination.mergeBatch(shifts, 'beta', [shiftRow(otherTenantOld, 'beta')], T1);

      assert.equal(await t.destination.purgeBefore(shifts, 'acme', 'start_at', cutoff), 1);
      const rows = await t.rows(shifts);
      assert.deepEqual(rows.map((r) => [r.tenantId, r.key]), [['acme', atCutoff.id], ['beta', otherTenantOld.id]]);
      assert.equal(await t.destination.purgeBefore(shifts, 'acme', 'start_at', cutoff), 0);
      await assert.rejects(t.destination.purgeBefore(shifts, 'acme', 'user_id', cutoff), /not an instant column/);
    });

    test('a snapshot deletes unseen rows of the tenant (no range), and a deleted row that comes back is revived', async () => {
      const [u1, u2, u3] = [userRow(101), userRow(102), userRow(103)];
      await t.destination.mergeBatch(users, 'acme', [u1!, u2!, u3!], T1);
      await t.destination.mergeBatch(users, 'beta', [userRow(103)], T1);

      assert.deepEqual(await t.destination.countUnseen(users, 'acme', null, ['101', '102']), { live: 3, unseen: 1 });
      const deleted = await t.destination.markUnseenDeleted(users, 'acme', null, ['101', '102'], T2);
      assert.deepEqual(deleted.map((d) => [d.key, d.op]), [['103', 'deleted']]);
      let rows = await t.rows(users);
      assert.equal(rows.find((r) => r.tenantId === 'acme' && r.key === '103')!.deletedAt, T2.toISOString());
      assert.equal(rows.find((r) => r.tenantId === 'beta' && r.key === '103')!.deletedAt, null, 'another tenant is untouched');
      assert.deepEqual(await t.destination.countUnseen(users, 'acme', null, ['101', '102']), { live: 2, unseen: 0 });

      // The same content again: not "unchanged", since the row must come back to life.
      const back = await t.destination.mergeBatch(users, 'acme', [u1!, u2!, u3!], T3);
      assert.deepEqual([back.created, back.updated, back.unchanged], [0, 1, 2]);
      assert.deepEqual(back.changes.map((c) => [c.key, c.op]), [['103', 'updated']]);
      assert.deepEqual(rowImage(USERS_TABLE, back.changes[0]!.before!), rowImage(USERS_TABLE, u3!.values));
      rows = await t.rows(users);
      const revived = rows.find((r) => r.tenantId === 'acme' && r.key === '103')!;
      assert.equal(revived.deletedAt, null);
      assert.equal(revived.syncedAt, T3.toISOString());
    });

    test('unicode, tabs, newlines, backslashes and quotes round-trip exactly', async () => {
      const note = 'Zoë 🦊 left early\tthen came back\n"quoted" \'single\' `tick` C:\\path\\to\\file \\N \\t literal\r\nשלום עולם (RTL) مرحبا 日本語 𝄞 e\u0301';
      const s = { ...shift(101, '2026-11-10T09:00', '2026-11-10T17:00'), employeeNote: note, managerNote: '\\' };
      const row = shiftRow(s);
      const person = userRow(104, 'Zoë 🦊');
      const arabic = rowFromValues(person.key, { ...person.values, last_name: 'عبد الله', email: 'zoë@exämple.test' });
      await t.destination.mergeBatch(shifts, 'acme', [row], T1);
      await t.destination.mergeBatch(users, 'acme', [arabic], T1);
      const [stored] = await t.rows(shifts);
      assert.equal(stored!.values.employee_note, note);
      assert.equal(stored!.values.manager_note, '\\');
      assert.equal((stored!.values.raw as { employeeNote: string }).employeeNote, note);
      const [storedUser] = await t.rows(users);
      assert.deepEqual([storedUser!.values.first_name, storedUser!.values.last_name, storedUser!.values.email], ['Zoë 🦊', 'عبد الله', 'zoë@exämple.test']);
      const again = await t.destination.mergeBatch(shifts, 'acme', [row], T2);
      assert.equal(again.unchanged, 1, 'the stored hash matches the same text');
    });

    test('NULLs are stored as NULL: an open shift, a user without email or phone', async () => {
      const open = shift(101, '2026-11-10T09:00', null);
      await t.destination.mergeBatch(shifts, 'acme', [shiftRow(open)], T1);
      const bare = userRow(105);
      await t.destination.mergeBatch(users, 'acme', [rowFromValues(bare.key, { ...bare.values, email: null, phone_number: null })], T1);
      const [stored] = await t.rows(shifts);
      for (const column of ['end_at', 'end_timezone', 'duration_minutes', 'end_source', 'job_id', 'employee_note']) {
        assert.equal(stored!.values[column], null, `${column} is NULL`);
      }
      assert.equal(stored!.values.is_open, true);
      const [storedUser] = await t.rows(users);
      assert.deepEqual([storedUser!.values.email, storedUser!.values.phone_number, storedUser!.values.archived_at], [null, null, null]);

      const closed = shiftRow({ ...open, end: { timestamp: open.start.timestamp + 3600, timezone: CHICAGO } });
      const outcome = await t.destination.mergeBatch(shifts, 'acme', [closed], T2);
      assert.equal(rowImage(SHIFTS_TABLE, outcome.changes[0]!.before!).end_at, null, 'the before-image keeps the NULL');
      assert.equal(rowImage(SHIFTS_TABLE, outcome.changes[0]!.before!).duration_minutes, null);
    });

    test('64-bit ids stay exact strings: neighbours past 2^53 are different rows', async () => {
      const ids = ['9007199254740992', '9007199254740993', '514810972972521916', '9223372036854775807'];
      const created = await t.destination.mergeBatch(users, 'acme', ids.map((id) => bigUserRow(id)), T1);
      assert.equal(created.created, 4);
      let rows = await t.rows(users);
      assert.deepEqual(rows.map((r) => r.key).sort(), [...ids].sort());
      assert.deepEqual(rows.map((r) => r.values.user_id).sort(), [...ids].sort());

      const again = await t.destination.mergeBatch(users, 'acme', ids.map((id) => bigUserRow(id)), T2);
      assert.deepEqual([again.created, again.updated, again.unchanged], [0, 0, 4]);
      const renamed = await t.destination.mergeBatch(users, 'acme', [bigUserRow('9007199254740993', 'Renamed')], T2);
      assert.deepEqual(renamed.changes.map((c) => [c.key, c.op, c.before?.user_id, c.before?.first_name]), [
        ['9007199254740993', 'updated', '9007199254740993', 'User 9007199254740993'],
      ]);

      const seen = ['9007199254740993', '514810972972521916', '9223372036854775807'];
      assert.deepEqual(await t.destination.countUnseen(users, 'acme', null, seen), { live: 4, unseen: 1 });
      const deleted = await t.destination.markUnseenDeleted(users, 'acme', null, seen, T3);
      assert.deepEqual(deleted.map((d) => d.key), ['9007199254740992']);
      rows = await t.rows(users);
      assert.deepEqual(rows.filter((r) => r.deletedAt !== null).map((r) => r.key), ['9007199254740992']);
      assert.equal(byKey(rows, '9007199254740993').values.first_name, 'Renamed');
    });

    test('instants round-trip exactly in UTC across DST changes, and a 25-hour business day selects by instant', async () => {
      const fallBackDay = '2026-11-01'; // Chicago: 01:00–02:00 happens twice
      const cdt = { ...shift(101, '2026-11-01T00:00', null), start: { timestamp: Date.parse('2026-11-01T06:30:00Z') / 1000, timezone: CHICAGO } };
      const cst = { ...shift(102, '2026-11-01T00:00', null), start: { timestamp: Date.parse('2026-11-01T07:30:00Z') / 1000, timezone: CHICAGO } };
      const lastMinute = { ...shift(103, '2026-11-01T00:00', null), start: { timestamp: Date.parse('2026-11-02T05:59:59Z') / 1000, timezone: CHICAGO } };
      const nextDay = { ...shift(103, '2026-11-01T00:00', null), start: { timestamp: Date.parse('2026-11-02T06:00:00Z') / 1000, timezone: CHICAGO } };
      const springForward = shift(101, '2026-03-08T01:59', '2026-03-08T03:00');
      const rows = [cdt, cst, lastMinute, nextDay, springForward].map((s) => shiftRow(s));
      // Milliseconds survive too (Connecteam sends seconds; other upstreams do not).
      const precise = rowFromValues(rows[0]!.key, { ...rows[0]!.values, upstream_modified_at: new Date('2026-11-01T06:30:00.123Z') });
      await t.destination.mergeBatch(shifts, 'acme', [precise, ...rows.slice(1)], T1);

      const stored = await t.rows(shifts);
      assert.deepEqual(
        [cdt, cst, lastMinute, nextDay, springForward].map((s) => byKey(stored, s.id).values.start_at),
        ['2026-11-01T06:30:00.000Z', '2026-11-01T07:30:00.000Z', '2026-11-02T05:59:59.000Z', '2026-11-02T06:00:00.000Z', '2026-03-08T07:59:00.000Z'],
      );
      assert.equal(byKey(stored, springForward.id).values.end_at, '2026-03-08T08:00:00.000Z');
      assert.equal(byKey(stored, springForward.id).values.duration_minutes, '1', 'one real minute across the gap');
      assert.equal(byKey(stored, cdt.id).values.upstream_modified_at, '2026-11-01T06:30:00.123Z');
      assert.equal(byKey(stored, cst.id).values.business_date, fallBackDay);
      assert.deepEqual(await t.destination.countUnseen(shifts, 'acme', businessDayRange(fallBackDay, CHICAGO), []), { live: 3, unseen: 3 });
    });

    test('a unique violation comes out as one DatabaseError: kind, table, dialect and cause', async () => {
      const row = userRow(101);
      await t.destination.mergeBatch(users, 'acme', [row], T1);
      await t.insertDirect(users, 'beta', row, T1); // the identity includes the tenant
      let caught: unknown;
      try {
        await t.insertDirect(users, 'acme', row, T2);
      } catch (error) {
        caught = error;
      }
      assert.ok(caught, 'the second row with the same identity was refused');
      const normalized = normalizeDatabaseError(caught, { table: users.name, dialect: t.destination.dialect });
      assert.ok(normalized instanceof DatabaseError);
      assert.equal(normalized.kind, 'unique_violation');
      assert.equal(normalized.table, 'connecteam_users');
      assert.equal(normalized.dialect, t.destination.dialect);
      assert.equal(normalized.cause, caught);
      assert.equal((await t.rows(users)).length, 2);
    });

    test('a batch that fails writes none of its rows and throws a DatabaseError naming the table', async () => {
      const good = userRow(101);
      const bad = rowFromValues('not-a-number', { ...userRow(102).values, user_id: 'not-a-number' });
      await assert.rejects(t.destination.mergeBatch(users, 'acme', [good, bad], T1), (error: unknown) => {
        assert.ok(error instanceof DatabaseError, String(error));
        assert.equal(error.table, 'connecteam_users');
        assert.equal(error.dialect, t.destination.dialect);
        return true;
      });
      assert.deepEqual(await t.rows(users), []);
    });

    test('a batch past one statement\'s limits (3,000 rows, 13,000 seen keys) merges and reconciles exactly', async () => {
      const many: DatasetShift[] = [];
      for (let i = 0; i < 3000; i++) {
        const minute = String(i % 60).padStart(2, '0');
        const hour = String(8 + Math.floor(i / 60) % 10).padStart(2, '0');
        many.push(shift(1000 + i, `2026-11-10T${hour}:${minute}`, '2026-11-10T19:00'));
      }
      const batch = many.map((s) => shiftRow(s));
      assert.deepEqual((await t.destination.mergeBatch(shifts, 'acme', batch, T1)).created, 3000);
      const changed = [...batch];
      changed[2999] = shiftRow({ ...many[2999]!, managerNote: 'edited' });
      const second = await t.destination.mergeBatch(shifts, 'acme', changed, T2);
      assert.deepEqual([second.created, second.updated, second.unchanged], [0, 1, 2999]);

      const seen = [...batch.slice(1).map((r) => r.key), ...Array.from({ length: 10_001 }, (_, i) => `gone-${i}`)];
      const day = businessDayRange('2026-11-10', CHICAGO);
      assert.deepEqual(await t.destination.countUnseen(shifts, 'acme', day, seen), { live: 3000, unseen: 1 });
      const deleted = await t.destination.markUnseenDeleted(shifts, 'acme', day, seen, T3);
      assert.deepEqual(deleted.map((d) => d.key), [batch[0]!.key]);
      const rows = await t.rows(shifts);
      assert.equal(rows.length, 3000);
      assert.equal(rows.filter((r) => r.deletedAt !== null).length, 1);
      assert.equal(byKey(rows, changed[2999]!.key).values.manager_note, 'edited');
    });

    test('a bulk batch (2,000 new rows, then 1,000 more beside one change) keeps every value exact, and one bad value fails all of it', async () => {
      // Past the size from which MariaDB streams new rows by LOAD DATA: its text format must keep
      // what the bound INSERT keeps (escapes, NULL apart from '', 64-bit ids, instants).
      const tricky = ['tab\there', 'line\nbreak\r\n', 'C:\\path\\N', '\\N', '\\', 'Zoë 🦊 𝄞 e\u0301', '"quoted" \'single\'', ''];
      const bulkRow = (i: number, firstName = tricky[i % tricky.length]!) => {
        const id = (9007199254740992n + BigInt(i)).toString();
        const base = bigUserRow(id, firstName);
        return rowFromValues(id, { ...base.values, email: i % 3 === 0 ? null : i % 3 === 1 ? '' : `u${i}@exämple.test`, archived_at: i % 2 === 0 ? null : '2026-03-08T08:00:00.123Z' });
      };
      const first = Array.from({ length: 2000 }, (_, i) => bulkRow(i));

      const bad = rowFromValues('not-a-number', { ...first[1999]!.values, user_id: 'not-a-number' });
      await assert.rejects(t.destination.mergeBatch(users, 'acme', [...first.slice(0, 1999), bad], T1), (error: unknown) => {
        assert.ok(error instanceof DatabaseError, String(error));
        assert.equal(error.table, 'connecteam_users');
        return true;
      });
      assert.deepEqual(await t.rows(users), [], 'the failed batch wrote none of its rows');

      const created = await t.destination.mergeBatch(users, 'acme', first, T1);
      assert.deepEqual([created.created, created.updated, created.unchanged, created.changes.length], [2000, 0, 0, 2000]);
      let rows = await t.rows(users);
      assert.equal(rows.length, 2000);
      for (const row of first) {
        const stored = byKey(rows, row.key);
        assert.deepEqual(stored.values, expected(USERS_TABLE, row.values));
        assert.equal(stored.rowHash, row.hash);
        assert.equal(stored.syncedAt, T1.toISOString());
        assert.equal(stored.deletedAt, null);
      }

      const renamed = bulkRow(7, 'Renamed');
      const second = [...first.slice(0, 7), renamed, ...first.slice(8), ...Array.from({ length: 1000 }, (_, i) => bulkRow(2000 + i))];
      const outcome = await t.destination.mergeBatch(users, 'acme', second, T2);
      assert.deepEqual([outcome.created, outcome.updated, outcome.unchanged], [1000, 1, 1999]);
      const change = byKey(outcome.changes, renamed.key);
      assert.deepEqual([change.op, change.before?.first_name, change.before?.user_id], ['updated', tricky[7], renamed.key]);
      rows = await t.rows(users);
      assert.equal(rows.length, 3000);
      for (const row of second) assert.deepEqual(byKey(rows, row.key).values, expected(USERS_TABLE, row.values));
      assert.equal(byKey(rows, first[0]!.key).syncedAt, T1.toISOString(), 'an unchanged row keeps its synced_at');
      assert.equal(byKey(rows, renamed.key).syncedAt, T2.toISOString());
    });
  });
}
