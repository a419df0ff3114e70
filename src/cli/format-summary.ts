/** A run summary as a few lines of text for a person. */
import type { RunSummary } from '../engine/run-sync.ts';

export function formatSummary(s: RunSummary): string {
  const c = s.counts;
  const window = s.window ? ` ${s.window.from} → ${s.window.to} (exclusive, ${s.window.timezone})` : '';
  const lines = [
    `${s.status === 'succeeded' ? '✓' : s.status === 'interrupted' ? '■' : '✗'} ${s.syncId}: run #${s.runId} ${s.status} in ${(s.durationMs / 1000).toFixed(2)}s${s.resumed ? ' (resumed)' : ''}`,
    `  ${s.stream} → ${s.table}, ${s.mode}${window}${s.mode === 'incremental' ? (s.since ? ` (updated since ${s.since})` : ' (first run: everything)') : ''}`,
    `  fetched ${c.fetched} = created ${c.created} + updated ${c.updated} + unchanged ${c.unchanged} + dead ${c.dead}; deleted ${c.deleted}${s.purged > 0 ? `; ${s.purged} aged out (retention)` : ''}`,
  ];
  if (s.mapping) {
    const m = s.mapping;
    lines.push(`  → ${m.table}: inserted ${m.inserted}, updated ${m.updated}, removed ${m.removed}${m.unmatched > 0 ? `, ${m.unmatched} not written (no lookup match)` : ''}`);
  }
  const u = s.upstream;
  if (u.requests !== undefined) lines.push(`  upstream: ${u.requests} requests, ${u.retries ?? 0} retries, ${u.rateLimited ?? 0} rate-limited`);
  for (const w of s.warnings) lines.push(`  ! ${w.code}: ${w.message}`);
  if (s.error) lines.push(`  error: ${s.error}`);
  return `${lines.join('\n')}\n`;
}
