/**
 * `tidemark repair tz-shift <sync> --from D --to D [--apply]`: read the window upstream (nothing
 * written), read the table's live rows of the window widened by 14 hours each side, and find the
 * rows that are upstream shifts moved by the tenant's UTC offset. Postgres and PGlite, MySQL and
 * MariaDB, SQLite: the plan is the same everywhere; reading and applying are per dialect.
 */
import type { SyncParts } from '../../engine/resolve-sync.ts';
import type { BusinessWindow } from '../../time/window.ts';
import { backupStamp } from '../dedupe/apply.ts';
import { assertIdentifier } from '../../db/identifiers.ts';
import { decideActions, findShiftedRows, type TzShiftCandidate } from './plan.ts';
import type { ShiftReader, StoredRange } from './database.ts';
import { openTzShiftDatabase, tzShiftDialect } from './open-database.ts';
import { readUpstreamShifts, type UpstreamRecord } from './upstream.ts';
import type { TzShiftReport } from './report.ts';
import { TzShiftTargetError } from './target-error.ts';

export const TZ_SHIFT_STREAM = 'connecteam.shifts';
const WIDEN_MS = 14 * 3_600_000;

export function checkTzShiftTarget(parts: SyncParts): void {
  const { sync } = parts;
  if (sync.stream.name !== TZ_SHIFT_STREAM) {
    throw new TzShiftTargetError(`sync "${sync.id}" reads ${sync.stream.name}; repair tz-shift repairs ${TZ_SHIFT_STREAM} tables only`);
  }
  if (sync.mode !== 'window') throw new TzShiftTargetError(`sync "${sync.id}" runs in ${sync.mode} mode; repair tz-shift compares business days of window-mode syncs`);
  tzShiftDialect(parts.destinationUrl);
}

async function planIn(reader: ShiftReader, parts: SyncParts, range: StoredRange, upstream: ReadonlyMap<string, UpstreamRecord>): Promise<{ stored: number; candidates: TzShiftCandidate[] }> {
  const { sync } = parts;
  const rows = await reader.storedShifts(range);
  const found = findShiftedRows([...upstream.values()].map((r) => r.shift), rows, sync.timezone);
  const twinRows = await reader.twinRows([...new Set(found.map((f) => f.twin.shiftId))]);
  return { stored: rows.length, candidates: decideActions(found, twinRows) };
}

function backupName(table: string, now: Date): string {
  const name = `${table}_tzshift_backup_${backupStamp(now)}`;
  try {
    return assertIdentifier(name, 'backup table name');
  } catch (error) {
    throw new TzShiftTargetError(`${(error as Error).message}; the table name is too long for it (rename the table)`);
  }
}

export async function runTzShift(parts: SyncParts, window: BusinessWindow, apply: boolean, signal: AbortSignal, now = new Date()): Promise<TzShiftReport> {
  checkTzShiftTarget(parts);
  const { sync } = parts;
  const upstream = await readUpstreamShifts(sync, parts.createClient(), window, signal);
  const range = { start: new Date(window.start.getTime() - WIDEN_MS), end: new Date(window.end.getTime() + WIDEN_MS) };
  const database = await openTzShiftDatabase(parts.destinationUrl, sync.table, sync.tenantId);
  try {
    if (!(await database.tableExists())) {
      throw new TzShiftTargetError(`table ${sync.table.schema ? `${sync.table.schema}.` : ''}${sync.table.name} not found; run \`tidemark sync ${sync.id}\` first`);
    }
    let stored: number;
    let candidates: readonly TzShiftCandidate[];
    let applied: TzShiftReport['applied'] = null;
    if (apply) {
      let counted = 0;
      const result = await database.apply({
        backupTable: backupName(sync.table.name, now),
        // The last plan is the one applied (under lock): its count is the one reported.
        plan: async (reader) => {
          const planned = await planIn(reader, parts, range, upstream.records);
          counted = planned.stored;
          return planned.candidates;
        },
        upstream: upstream.records,
        now,
      });
      stored = counted;
      candidates = result.candidates;
      applied = result.applied;
    } else {
      ({ stored, candidates } = await planIn(database.reader, parts, range, upstream.records));
    }
    return {
      syncId: sync.id,
      table: sync.table.schema ? `${sync.table.schema}.${sync.table.name}` : sync.table.name,
      window: { from: window.from, to: window.to, timezone: window.timezone },
      range,
      upstreamShifts: upstream.records.size,
      unreadableUpstream: upstream.unreadable,
      storedRows: stored,
      candidates,
      applied,
    };
  } finally {
    await database.close();
  }
}
