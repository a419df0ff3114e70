/**
 * The 6-hour bug: a row stored as an upstream shift moved by the tenant's UTC offset (old sync code
 * that read local wall-clock times as UTC, or the reverse). Pure: upstream shifts and stored rows
 * in, the rows to correct or delete out. A row equal to an upstream shift is never a candidate,
 * so two real shifts 6 hours apart (08:00–12:00 and 14:00–18:00) are never touched.
 */
import { utcOffsetMinutes } from '../../time/business-day.ts';

/** An upstream shift as the stream normalizes it, instants as epoch milliseconds. */
export interface UpstreamShift {
  readonly shiftId: string;
  readonly userId: string;
  readonly startMs: number;
  /** null while the shift is open. */
  readonly endMs: number | null;
  readonly businessDate: string;
}

/** A live row of the table, instants as epoch milliseconds. */
export interface StoredShift {
  readonly shiftId: string;
  readonly userId: string;
  readonly startMs: number;
  readonly endMs: number | null;
  readonly businessDate: string;
}

export type TzShiftAction = 'correct' | 'delete';

export interface TzShiftCandidate {
  readonly row: StoredShift;
  /** The upstream shift this row is a shifted copy of. */
  readonly twin: UpstreamShift;
  /** The tenant's UTC offset at the twin's start, in whole hours (Chicago: −6 in CST, −5 in CDT). */
  readonly offsetHours: number;
  /** stored start − upstream start, in hours (±|offset|). */
  readonly shiftHours: number;
  /**
   * correct: the twin has no row, so this row becomes it (in place); delete: the twin has its own
   * row already (or another candidate becomes it, or a soft-deleted row holds its id).
   */
  readonly action: TzShiftAction;
  readonly reason: string;
}

/** How the twins' ids stand in the whole table (not only the range read). */
export type TwinRowState = 'live' | 'soft-deleted';

const HOUR = 3_600_000;

const duration = (s: { startMs: number; endMs: number | null }) => (s.endMs === null ? null : s.endMs - s.startMs);

/** Candidates and their twins, before deciding what to do with each. */
export function findShiftedRows(
  upstream: readonly UpstreamShift[],
  stored: readonly StoredShift[],
  timezone: string,
): { row: StoredShift; twin: UpstreamShift; offsetHours: number; shiftHours: number }[] {
  const byId = new Map(upstream.map((u) => [u.shiftId, u]));
  const userStart = new Set(upstream.map((u) => `${u.userId}\u0000${u.startMs}`));
  const byUser = new Map<string, UpstreamShift[]>();
  for (const u of upstream) byUser.set(u.userId, [...(byUser.get(u.userId) ?? []), u]);
  const storedIds = new Set(stored.map((s) => s.shiftId));
  const found: { row: StoredShift; twin: UpstreamShift; offsetHours: number; shiftHours: number }[] = [];
  for (const row of stored) {
    // Equal to an upstream shift by identity or by (employee, start): a real shift, never touched.
    if (byId.get(row.shiftId)?.startMs === row.startMs) continue;
    if (userStart.has(`${row.userId}\u0000${row.startMs}`)) continue;
    const twins = (byUser.get(row.userId) ?? []).filter((u) => {
      if (duration(u) !== duration(row)) return false;
      const offset = utcOffsetMinutes(new Date(u.startMs), timezone);
      if (offset === 0 || offset % 60 !== 0) return false;
      return Math.abs(row.startMs - u.startMs) === Math.abs(offset) * 60_000;
    });
    if (twins.length === 0) continue;
    // Its own id first, then a shift the table lacks, then the earliest.
    const twin =
      twins.find((u) => u.shiftId === row.shiftId) ?? twins.find((u) => !storedIds.has(u.shiftId)) ?? [...twins].sort((a, b) => a.startMs - b.startMs)[0]!;
    found.push({ row, twin, offsetHours: utcOffsetMinutes(new Date(twin.startMs), timezone) / 60, shiftHours: (row.startMs - twin.startMs) / HOUR });
  }
  return found;
}

/**
 * What to do with each candidate. `twinRows`: the state of every twin's id in the table (absent: no
 * row with that id at all). Per twin at most one candidate is corrected: its own-id row first.
 */
export function decideActions(found: ReturnType<typeof findShiftedRows>, twinRows: ReadonlyMap<string, TwinRowState>): TzShiftCandidate[] {
  const candidateIds = new Set(found.map((f) => f.row.shiftId));
  const corrected = new Set<string>();
  // Own-id rows first, so a row whose own times were moved is the one corrected.
  const ordered = [...found].sort((a, b) => Number(b.row.shiftId === b.twin.shiftId) - Number(a.row.shiftId === a.twin.shiftId));
  const decided = new Map<StoredShift, TzShiftCandidate>();
  for (const f of ordered) {
    const own = f.row.shiftId === f.twin.shiftId;
    const state = twinRows.get(f.twin.shiftId);
    let action: TzShiftAction;
    let reason: string;
    if (corrected.has(f.twin.shiftId)) {
      action = 'delete';
      reason = 'another row becomes the upstream shift';
    } else if (own) {
      action = 'correct';
      reason = 'its own times are moved';
    } else if (state === 'live') {
      action = 'delete';
      reason = candidateIds.has(f.twin.shiftId) ? 'the upstream shift has its own row (corrected too)' : 'the upstream shift has its own row';
    } else if (state === 'soft-deleted') {
      action = 'delete';
      reason = 'the upstream shift has a soft-deleted row: `tidemark sync` restores it';
    } else {
      action = 'correct';
      reason = 'the upstream shift has no row: this one becomes it';
    }
    if (action === 'correct') corrected.add(f.twin.shiftId);
    decided.set(f.row, { ...f, action, reason });
  }
  return found.map((f) => decided.get(f.row)!);
}
