/**
 * The simulator's mutable upstream: what the next answer will contain. Tests change it between
 * runs (move a shift, close it, delete it, re-id it as a geofence approval does) and every change
 * bumps `modifiedAt` to the simulator's clock, as Connecteam's own edits do.
 *
 * Reads hand out copies, so a caller cannot change the upstream behind the simulator's back.
 * Each shift's JSON is serialized when the shift is stored and kept until it changes: one answer
 * can carry 100,000 shifts, and even the first such answer should not pay for serializing them.
 */
import { objectId } from './ids.ts';
import { shiftJson } from './shift-json.ts';
import type { ConnecteamDataset, ConnecteamTimeClock, ConnecteamUser, DatasetShift } from './types.ts';

/** A shift to add: where it belongs and its start; everything else has a default. */
export type NewShift = Pick<DatasetShift, 'timeClockId' | 'userId' | 'start'> & Partial<Omit<DatasetShift, 'modifiedAt'>>;
/** Fields to change on a shift (`end: undefined` re-opens it). */
export type ShiftPatch = Partial<Omit<DatasetShift, 'id' | 'modifiedAt'>>;
/** A user to add: id and name; everything else has a default. */
export type NewUser = Pick<ConnecteamUser, 'userId' | 'firstName' | 'lastName'> & Partial<Omit<ConnecteamUser, 'modifiedAt'>>;
export type UserPatch = Partial<Omit<ConnecteamUser, 'userId' | 'modifiedAt'>>;

interface ShiftRecord {
  readonly shift: DatasetShift;
  /** The shift as the API writes it. */
  readonly json: string;
}

function shiftRecord(shift: DatasetShift): ShiftRecord {
  return { shift, json: shiftJson(shift) };
}

const OBJECT_ID = /^[0-9a-f]{24}$/;

function byStartThenId(left: ShiftRecord, right: ShiftRecord): number {
  return left.shift.start.timestamp - right.shift.start.timestamp || (left.shift.id < right.shift.id ? -1 : left.shift.id > right.shift.id ? 1 : 0);
}

export class ConnecteamStore {
  readonly #initial: ConnecteamDataset;
  readonly #now: () => Date;
  #timeClocks: ConnecteamTimeClock[] = [];
  #users = new Map<number, ConnecteamUser>();
  #shifts = new Map<string, ShiftRecord>();
  /** Per time clock, sorted by start then id; rebuilt on the first read after a change. */
  #byClock: Map<number, ShiftRecord[]> | undefined;
  #sortedUsers: ConnecteamUser[] | undefined;
  /** Makes ids of added and re-id'd shifts unique even when made in the same second. */
  #sequence = 0;

  /** The store keeps `initial` for `reset()`; pass a data set nobody else will change. */
  constructor(initial: ConnecteamDataset, now: () => Date) {
    this.#initial = initial;
    this.#now = now;
    this.reset();
  }

  /** Back to the data set the simulator started with. */
  reset(): void {
    this.#timeClocks = this.#initial.timeClocks.map((clock) => ({ ...clock }));
    this.#users = new Map(this.#initial.users.map((user) => [user.userId, structuredClone(user)]));
    // Shallow copies are enough: changes replace a shift's nested objects, they never edit them.
    this.#shifts = new Map(this.#initial.shifts.map((shift) => [shift.id, shiftRecord({ ...shift })]));
    this.#changed();
  }

  counts(): { timeClocks: number; users: number; shifts: number } {
    return { timeClocks: this.#timeClocks.length, users: this.#users.size, shifts: this.#shifts.size };
  }

  timeClocks(): ConnecteamTimeClock[] {
    return this.#timeClocks.map((clock) => ({ ...clock }));
  }

  timeClock(id: number): ConnecteamTimeClock | undefined {
    const clock = this.#timeClocks.find((candidate) => candidate.id === id);
    return clock && { ...clock };
  }

  /** All shifts (or one clock's or user's), sorted by start then id. */
  listShifts(filter: { timeClockId?: number; userId?: number } = {}): DatasetShift[] {
    return [...this.#shifts.values()]
      .filter(({ shift }) => (filter.timeClockId === undefined || shift.timeClockId === filter.timeClockId) && (filter.userId === undefined || shift.userId === filter.userId))
      .sort(byStartThenId)
      .map(({ shift }) => structuredClone(shift));
  }

  getShift(id: string): DatasetShift | undefined {
    const record = this.#shifts.get(id);
    return record && structuredClone(record.shift);
  }

  addShift(input: NewShift): DatasetShift {
    const now = this.#nowSeconds();
    const createdAt = input.createdAt ?? now;
    const id = input.id ?? objectId(createdAt, `added|${input.userId}|${input.start.timestamp}|${this.#sequence++}`);
    this.#assertNewShiftId(id);
    const shift: DatasetShift = { shiftAttachments: [], isAutoClockOut: false, ...structuredClone(input), id, createdAt, modifiedAt: now };
    this.#assertBelongs(shift);
    this.#shifts.set(id, shiftRecord(shift));
    this.#changed();
    return structuredClone(shift);
  }

  updateShift(id: string, patch: ShiftPatch): DatasetShift {
    const current = this.#requireShift(id).shift;
    const shift: DatasetShift = { ...current, ...structuredClone(patch), id, modifiedAt: this.#nowSeconds() };
    this.#assertBelongs(shift);
    this.#shifts.set(id, shiftRecord(shift));
    this.#changed();
    return structuredClone(shift);
  }

  /** Clocks an open shift out (or moves the end of a closed one); `timezone` defaults to the start's. */
  closeShift(id: string, endTimestampSeconds: number, timezone?: string): DatasetShift {
    const { start } = this.#requireShift(id).shift;
    if (!Number.isInteger(endTimestampSeconds) || endTimestampSeconds < start.timestamp) {
      throw new RangeError(`closeShift(${id}): end ${endTimestampSeconds} must be whole Unix seconds at or after the start ${start.timestamp}`);
    }
    return this.updateShift(id, {
      end: { timestamp: endTimestampSeconds, timezone: timezone ?? start.timezone, source: { type: 'mobile' } },
    });
  }

  /** Deleted activities simply stop appearing upstream: there is no tombstone. */
  deleteShift(id: string): void {
    this.#requireShift(id);
    this.#shifts.delete(id);
    this.#changed();
  }

  /**
   * What approving a clock-out outside a geofence does upstream: the shift is deleted and the
   * same shift created under a new id (created and modified now). Returns the new id.
   */
  changeShiftId(oldId: string, newId?: string): string {
    const { shift } = this.#requireShift(oldId);
    const now = this.#nowSeconds();
    const id = newId ?? objectId(now, `approved|${oldId}|${this.#sequence++}`);
    this.#assertNewShiftId(id);
    this.#shifts.delete(oldId);
    this.#shifts.set(id, shiftRecord({ ...shift, id, createdAt: now, modifiedAt: now }));
    this.#changed();
    return id;
  }

  /** Drops every shift: the "upstream answered empty" case. */
  clear(): void {
    this.#shifts.clear();
    this.#changed();
  }

  /** Users sorted by userId (copies). */
  listUsers(): ConnecteamUser[] {
    return this.sortedUsers().map((user) => structuredClone(user));
  }

  getUser(userId: number): ConnecteamUser | undefined {
    const user = this.#users.get(userId);
    return user && structuredClone(user);
  }

  addUser(input: NewUser): ConnecteamUser {
    if (!Number.isInteger(input.userId) || input.userId < 1) throw new RangeError(`addUser: userId ${input.userId} must be a whole number ≥ 1`);
    if (this.#users.has(input.userId)) throw new RangeError(`addUser: user ${input.userId} already exists; use updateUser`);
    const now = this.#nowSeconds();
    const user: ConnecteamUser = {
      phoneNumber: '',
      userType: 'user',
      email: '',
      customFields: [],
      isArchived: false,
      kioskCode: '',
      createdAt: now,
      lastLogin: 0,
      smartGroupsIds: [],
      ...structuredClone(input),
      modifiedAt: now,
    };
    this.#users.set(user.userId, user);
    this.#sortedUsers = undefined;
    return structuredClone(user);
  }

  updateUser(userId: number, patch: UserPatch): ConnecteamUser {
    const user: ConnecteamUser = { ...this.#requireUser(userId), ...structuredClone(patch), userId, modifiedAt: this.#nowSeconds() };
    this.#users.set(userId, user);
    this.#sortedUsers = undefined;
    return structuredClone(user);
  }

  archiveUser(userId: number): ConnecteamUser {
    this.#requireUser(userId);
    const now = this.#nowSeconds();
    return this.updateUser(userId, { isArchived: true, archivedAt: now });
  }

  /**
   * A user removed upstream: gone from every `userStatus` list (archiving keeps them listed under
   * `archived`). Their shifts stay, as time records outlive the person's account.
   */
  deleteUser(userId: number): void {
    this.#requireUser(userId);
    this.#users.delete(userId);
    this.#sortedUsers = undefined;
  }

  /** For the HTTP layer: users sorted by userId, not copied (callers must not change them). */
  sortedUsers(): readonly ConnecteamUser[] {
    this.#sortedUsers ??= [...this.#users.values()].sort((left, right) => left.userId - right.userId);
    return this.#sortedUsers;
  }

  /**
   * For the HTTP layer: the shifts of `timeClockId` whose start is in [fromSeconds, toSeconds),
   * sorted by start then id, each with its userId and serialized JSON.
   */
  *shiftsStartingIn(timeClockId: number, fromSeconds: number, toSeconds: number): Generator<{ userId: number; json: string }> {
    const records = this.#clockIndex().get(timeClockId) ?? [];
    let low = 0;
    let high = records.length;
    while (low < high) {
      const middle = (low + high) >>> 1;
      if ((records[middle]?.shift.start.timestamp ?? Infinity) < fromSeconds) low = middle + 1;
      else high = middle;
    }
    for (let index = low; index < records.length; index++) {
      const record = records[index];
      if (record === undefined || record.shift.start.timestamp >= toSeconds) break;
      yield { userId: record.shift.userId, json: record.json };
    }
  }

  #clockIndex(): Map<number, ShiftRecord[]> {
    if (this.#byClock !== undefined) return this.#byClock;
    const index = new Map<number, ShiftRecord[]>();
    for (const record of this.#shifts.values()) {
      const list = index.get(record.shift.timeClockId);
      if (list === undefined) index.set(record.shift.timeClockId, [record]);
      else list.push(record);
    }
    for (const list of index.values()) list.sort(byStartThenId);
    this.#byClock = index;
    return index;
  }

  #changed(): void {
    this.#byClock = undefined;
    this.#sortedUsers = undefined;
  }

  #nowSeconds(): number {
    return Math.floor(this.#now().getTime() / 1000);
  }

  #requireShift(id: string): ShiftRecord {
    const record = this.#shifts.get(id);
    if (record === undefined) throw new RangeError(`no shift with id "${id}" in the simulator`);
    return record;
  }

  #requireUser(userId: number): ConnecteamUser {
    const user = this.#users.get(userId);
    if (user === undefined) throw new RangeError(`no user with userId ${userId} in the simulator`);
    return user;
  }

  #assertNewShiftId(id: string): void {
    if (!OBJECT_ID.test(id)) throw new RangeError(`shift id "${id}" must be 24 lowercase hex characters, like "666edfbac1ed5f748fabd3d2"`);
    if (this.#shifts.has(id)) throw new RangeError(`a shift with id "${id}" already exists`);
  }

  #assertBelongs(shift: DatasetShift): void {
    if (!this.#timeClocks.some((clock) => clock.id === shift.timeClockId)) {
      throw new RangeError(`shift ${shift.id}: time clock ${shift.timeClockId} does not exist; known: ${this.#timeClocks.map((clock) => clock.id).join(', ')}`);
    }
    if (!this.#users.has(shift.userId)) throw new RangeError(`shift ${shift.id}: user ${shift.userId} does not exist; add the user first`);
  }
}
