/** The text and JSON reports of `repair tz-shift`. */
import type { TzShiftCandidate } from './plan.ts';
import type { TzShiftApplied } from './database.ts';

export interface TzShiftReport {
  readonly syncId: string;
  readonly table: string;
  readonly window: { readonly from: string; readonly to: string; readonly timezone: string };
  /** The start_at range of the rows read: the window's UTC range widened by 14 hours each side. */
  readonly range: { readonly start: Date; readonly end: Date };
  readonly upstreamShifts: number;
  readonly unreadableUpstream: number;
  readonly storedRows: number;
  readonly candidates: readonly TzShiftCandidate[];
  /** null: a dry run. */
  readonly applied: TzShiftApplied | null;
}

const iso = (ms: number | null) => (ms === null ? 'open' : new Date(ms).toISOString().replace('.000Z', 'Z'));
const hours = (h: number) => `${h > 0 ? '+' : h < 0 ? '−' : ''}${Math.abs(h)} h`;
const offset = (h: number) => `UTC${h < 0 ? '−' : '+'}${String(Math.abs(h)).padStart(2, '0')}:00`;

function candidateLine(c: TzShiftCandidate): string[] {
  const { row, twin } = c;
  return [
    `  ${row.shiftId}  user ${row.userId}  stored ${iso(row.startMs)} – ${iso(row.endMs)} (${row.businessDate})`,
    `      = upstream ${twin.shiftId} ${iso(twin.startMs)} – ${iso(twin.endMs)} (${twin.businessDate}) moved ${hours(c.shiftHours)} (${offset(c.offsetHours)})`,
    `      → ${c.action === 'correct' ? (row.shiftId === twin.shiftId ? 'correct in place' : `correct in place as ${twin.shiftId}`) : 'delete'}: ${c.reason}`,
  ];
}

export function formatTzShift(report: TzShiftReport): string {
  const { window, candidates, applied } = report;
  const lines = [
    `Repair tz-shift ${report.syncId}: ${report.table}, ${window.from} → ${window.to} (exclusive, ${window.timezone})`,
    `Read ${report.upstreamShifts} upstream shift(s) and ${report.storedRows} live row(s) starting ${iso(report.range.start.getTime())} … ${iso(report.range.end.getTime())}.`,
  ];
  if (report.unreadableUpstream > 0) lines.push(`! ${report.unreadableUpstream} upstream record(s) could not be read; they are no one's twin`);
  if (candidates.length === 0) {
    lines.push('No row is an upstream shift moved by the UTC offset: nothing to do.');
    return `${lines.join('\n')}\n`;
  }
  const corrections = candidates.filter((c) => c.action === 'correct').length;
  const deletions = candidates.length - corrections;
  lines.push(`${candidates.length} row(s) are upstream shifts moved by the tenant's UTC offset:`, ...candidates.flatMap(candidateLine));
  if (applied) {
    lines.push(`Applied in one transaction: backed up ${applied.backupRows} row(s) to ${applied.backupTable}, corrected ${applied.corrected}, deleted ${applied.deleted}.`);
    if (candidates.some((c) => c.action === 'delete' && c.reason.includes('tidemark sync'))) lines.push('Run `tidemark sync` over the window to restore the soft-deleted rows.');
  } else {
    lines.push(`Dry run: nothing changed. --apply backs these rows up, corrects ${corrections} and deletes ${deletions}.`);
  }
  return `${lines.join('\n')}\n`;
}

export function tzShiftJson(report: TzShiftReport): string {
  const at = (ms: number | null) => (ms === null ? null : new Date(ms).toISOString());
  return `${JSON.stringify({
    syncId: report.syncId,
    table: report.table,
    window: report.window,
    range: { start: report.range.start.toISOString(), end: report.range.end.toISOString() },
    upstreamShifts: report.upstreamShifts,
    unreadableUpstream: report.unreadableUpstream,
    storedRows: report.storedRows,
    candidates: report.candidates.map((c) => ({
      shiftId: c.row.shiftId,
      userId: c.row.userId,
      storedStart: at(c.row.startMs),
      storedEnd: at(c.row.endMs),
      businessDate: c.row.businessDate,
      upstream: { shiftId: c.twin.shiftId, start: at(c.twin.startMs), end: at(c.twin.endMs), businessDate: c.twin.businessDate },
      offsetHours: c.offsetHours,
      shiftHours: c.shiftHours,
      action: c.action,
      reason: c.reason,
    })),
    applied: report.applied,
  })}\n`;
}
