/**
 * `tidemark repair tz-shift <sync> --from D --to D [--apply]`: read the window upstream (nothing
 * written), read the table's live rows of the window widened by 14 hours each side, and find the
 * rows that are upstream shifts moved by the tenant's UTC offset. Postgres and PGlite only.
 */
import type { SyncParts } from '../../engine/resolve-sync.ts';
import { isPostgresUrl, openPostgres } from '../../db/open.ts';
import { redactUrl } from '../../db/redact.ts';
import type { SqlQueryable } from '../../db/sql-client.ts';
import type { BusinessWindow } from '../../time/window.ts';
import { qualifiedName } from '../../destinations/postgres/sql.ts';
import { backupStamp } from '../dedupe/apply.ts';
import { decideActions, findShiftedRows, type TzShiftCandidate } from './plan.ts';
import { applyTzShiftPostgres, readStoredShifts, readTwinRows, type StoredRange } from './postgres.ts';
import { readUpstreamShifts, type UpstreamRecord } from './upstream.ts';
import type { TzShiftReport } from './report.ts';

export const TZ_SHIFT_STREAM = 'connecteam.shifts';
const WIDEN_MS = 14 * 3_600_000;

/** The sync cannot be repaired this way (another stream, another database): exit 2 with the message. */
export class TzShiftTargetError extends Error {
  override readonly name = 'TzShiftTargetError';
}

export function checkTzShiftTarget(parts: SyncParts): void {
  const { sync } = parts;
  if (sync.stream.name !== TZ_SHIFT_STREAM) {
    throw new TzShiftTargetError(`sync "${sync.id}" reads ${sync.stream.name}; repair tz-shift repairs ${TZ_SHIFT_STREAM} tables only`);
  }
  if (sync.mode !== 'window') throw new TzShiftTargetError(`sync "${sync.id}" runs in ${sync.mode} mode; repair tz-shift compares business days of window-mode syncs`);
  if (!isPostgresUrl(parts.destinationUrl)) {
    throw new TzShiftTargetError(`repair tz-shift works on Postgres and PGlite destinations; not supported yet on "${redactUrl(parts.destinationUrl)}" (MySQL/MariaDB, SQLite)`);
  }
}

async function planIn(db: SqlQueryable, parts: SyncParts, range: StoredRange, upstream: ReadonlyMap<string, UpstreamRecord>): Promise<{ stored: number; candidates: TzShiftCandidate[] }> {
  const { sync } = parts;
  const rows = await readStoredShifts(db, sync.table, sync.tenantId, range);
  const found = findShiftedRows([...upstream.values()].map((r) => r.shift), rows, sync.timezone);
  const twinRows = await readTwinRows(db, sync.table, sync.tenantId, [...new Set(found.map((f) => f.twin.shiftId))]);
  return { stored: rows.length, candidates: decideActions(found, twinRows) };
}

export async function runTzShift(parts: SyncParts, window: BusinessWindow, apply: boolean, signal: AbortSignal, now = new Date()): Promise<TzShiftReport> {
  checkTzShiftTarget(parts);
  const { sync } = parts;
  const upstream = await readUpstreamShifts(sync, parts.createClient(), window, signal);
  const range = { start: new Date(window.start.getTime() - WIDEN_MS), end: new Date(window.end.getTime() + WIDEN_MS) };
  const client = await openPostgres(parts.destinationUrl, { max: 2, applicationName: 'tidemark-repair' });
  try {
    const [table] = (
      await client.query<{ found: string | null }>('SELECT to_regclass($1)::text AS found', [qualifiedName(sync.table)])
    ).rows;
    if (!table?.found) throw new TzShiftTargetError(`table ${sync.table.schema ? `${sync.table.schema}.` : ''}${sync.table.name} not found; run \`tidemark sync ${sync.id}\` first`);
    let stored: number;
    let candidates: readonly TzShiftCandidate[];
    let applied: TzShiftReport['applied'] = null;
    if (apply) {
      let counted = 0;
      const result = await applyTzShiftPostgres(
        client,
        sync.table,
        sync.tenantId,
        `${sync.table.name}_tzshift_backup_${backupStamp(now)}`,
        async (tx) => {
          const planned = await planIn(tx, parts, range, upstream.records);
          counted = planned.stored;
          return planned.candidates;
        },
        upstream.records,
        now,
      );
      stored = counted;
      candidates = result.candidates;
      applied = result.applied;
    } else {
      ({ stored, candidates } = await planIn(client, parts, range, upstream.records));
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
    await client.close();
  }
}
