/**
 * `tidemark reconcile <sync-id> --from D --to D [--json] [--fix]`: per business day and group
 * (employee), the upstream's counts and sums against the table's; `--fix` re-syncs exactly the
 * days that differ, through runSync as `tidemark sync` does, then compares again.
 */
import type { Command, CliContext } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import type { Config } from '../../config/schema.ts';
import { resolveSync, type SyncParts } from '../../engine/resolve-sync.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { openDestination } from '../../destinations/open.ts';
import type { Destination } from '../../destinations/destination.ts';
import { runSync, type RunSummary } from '../../engine/run-sync.ts';
import type { ReconcileSpec } from '../../engine/stream.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { differingRuns, type Comparison, type Totals } from '../../engine/reconcile-report.ts';
import { compareWindow, reconcileJson, reconcileSpecOf as specOf, ReconcileUnsupportedError, type ReconcileSide as Side } from '../../engine/reconcile-compare.ts';
import { businessWindow, type BusinessWindow } from '../../time/window.ts';
import { assertIsoDate } from '../../time/business-day.ts';

const usage = `Usage: tidemark reconcile <sync-id> --from YYYY-MM-DD --to YYYY-MM-DD [--json] [--fix] [--config FILE]

Compares the upstream with the destination table per business day and per employee: counts and
minutes on each side and the difference (stored − upstream). Reads the upstream; writes nothing
unless --fix.
  --from, --to   business days [from, to) in the tenant's timezone: "to" is exclusive
  --json         print one JSON object instead of text
  --fix          re-sync exactly the days that differ (one window run per run of consecutive days),
                 then compare again and report that
  --config FILE  configuration file (default: $TIDEMARK_CONFIG, else ./tidemark.config.json)
Counts include open shifts; minutes are closed shifts' durations, compared to 0.01.
Exit codes: 0 everything matches (after --fix: now matches), 1 something differs or a fix run
failed, 2 bad usage or configuration.`;

function windowOf(values: { from?: string; to?: string }, timezone: string): BusinessWindow {
  if (!values.from || !values.to) throw new UsageError('give the business days to compare: --from 2026-11-02 --to 2026-11-09 ("to" is exclusive)');
  try {
    assertIsoDate(values.from, '--from');
    assertIsoDate(values.to, '--to');
    return businessWindow(values.from, values.to, timezone);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

function reconcileSpecOf(parts: SyncParts): ReconcileSpec {
  try {
    return specOf(parts);
  } catch (error) {
    throw error instanceof ReconcileUnsupportedError ? new UsageError(error.message) : error;
  }
}

async function fixDays(ctx: CliContext, config: Config, parts: SyncParts, client: UpstreamClient, destination: Destination, comparison: Comparison): Promise<RunSummary[]> {
  const ledger = await openLedger(config, ctx.env);
  const summaries: RunSummary[] = [];
  try {
    for (const run of differingRuns(comparison)) {
      summaries.push(
        await runSync({
          sync: parts.sync,
          window: businessWindow(run.from, run.to, parts.sync.timezone),
          client,
          destination,
          ledger,
          trigger: 'reconcile',
          signal: ctx.signal,
          retention: { changesDays: config.ledger.changesRetentionDays, runsDays: config.ledger.runsRetentionDays },
        }),
      );
      if (ctx.signal.aborted) break;
    }
  } finally {
    await ledger.db.close();
  }
  return summaries;
}

// ---- text output ----

const number = new Intl.NumberFormat('en-US', { maximumFractionDigits: 2 });
const signed = (n: number) => (n > 0 ? `+${number.format(n)}` : n < 0 ? `−${number.format(-n)}` : '0');
const pair = (t: Totals, unit: string) => `${number.format(t.count)} / ${number.format(t.sum)} ${unit}`;

function formatSide(side: Side, spec: ReconcileSpec): string[] {
  const { rows, group, sum } = spec.labels;
  const lines: string[] = [];
  for (const day of side.comparison.days) {
    const head = `${day.date}: upstream ${number.format(day.upstream.count)} ${rows} / ${number.format(day.upstream.sum)} ${sum}, stored ${pair(day.stored, sum)}`;
    if (day.matches) {
      lines.push(`✓ ${head}`);
      continue;
    }
    lines.push(`✗ ${head} (stored − upstream: ${signed(day.difference.count)} ${rows} / ${signed(day.difference.sum)} ${sum})`);
    const table = [[group, 'upstream', 'stored', 'difference'], ...day.groups.filter((g) => !g.matches).map((g) => [g.group, pair(g.upstream, sum), pair(g.stored, sum), `${signed(g.difference.count)} / ${signed(g.difference.sum)} ${sum}`])];
    const widths = table[0]!.map((_, i) => Math.max(...table.map((r) => r[i]!.length)));
    for (const row of table) lines.push(`    ${row.map((cell, i) => cell.padEnd(widths[i]!)).join('  ').trimEnd()}`);
  }
  const differing = side.comparison.days.filter((d) => !d.matches);
  const groups = differing.reduce((n, d) => n + d.groups.filter((g) => !g.matches).length, 0);
  lines.push(
    differing.length === 0
      ? `All ${side.comparison.days.length} days match.`
      : `${differing.length} of ${side.comparison.days.length} days differ (${groups} ${group}-days).`,
  );
  if (side.unreadableUpstream > 0) lines.push(`! ${side.unreadableUpstream} upstream record(s) could not be read and are not in the totals (a sync sends them to the dead letters)`);
  return lines;
}

function formatText(parts: SyncParts, spec: ReconcileSpec, window: BusinessWindow, before: Side, runs: RunSummary[] | null, after: Side | null): string {
  const { sync } = parts;
  const table = sync.table.schema ? `${sync.table.schema}.${sync.table.name}` : sync.table.name;
  const lines = [`Reconcile ${sync.id}: ${sync.stream.name} → ${table}, ${window.from} → ${window.to} (exclusive, ${window.timezone})`, ...formatSide(before, spec)];
  if (runs && after) {
    lines.push('', runs.length === 0 ? 'Fix: nothing to re-sync.' : `Fix: re-synced ${runs.length} window(s):`);
    for (const r of runs) {
      const c = r.counts;
      lines.push(`  ${r.status === 'succeeded' ? '✓' : '✗'} run #${r.runId} ${r.window?.from} → ${r.window?.to}: ${r.status}; created ${c.created}, updated ${c.updated}, deleted ${c.deleted}, dead ${c.dead}${r.error ? `; ${r.error}` : ''}`);
    }
    lines.push('', 'After the fix:', ...formatSide(after, spec));
  }
  return `${lines.join('\n')}\n`;
}

export const reconcileCommand: Command = {
  name: 'reconcile',
  summary: 'compare upstream and table per business day and employee; --fix re-syncs the days that differ',
  usage,
  async run(ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      ctx.argv,
      { from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, fix: { type: 'boolean' }, config: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('name exactly one sync: tidemark reconcile <sync-id> --from D --to D');
    const { config } = await loadConfig(values.config, ctx.env);
    const parts = resolveSync(config, positionals[0]!, ctx.env);
    const spec = reconcileSpecOf(parts);
    const window = windowOf(values, parts.sync.timezone);
    const client = parts.createClient();
    const destination = await openDestination(parts.destinationUrl);
    let before: Side;
    let runs: RunSummary[] | null = null;
    let after: Side | null = null;
    try {
      // A fix writes the table, so it may create it; a plain comparison never does.
      if (values.fix) await destination.ensureTable(parts.sync.table);
      before = await compareWindow(parts, spec, client, destination, window, ctx.signal);
      if (values.fix) {
        runs = before.comparison.matches ? [] : await fixDays(ctx, config, parts, client, destination, before.comparison);
        after = runs.length === 0 ? before : await compareWindow(parts, spec, client, destination, window, ctx.signal);
      }
    } finally {
      await destination.close();
    }
    const final = after ?? before;
    if (values.json) {
      ctx.stdout.write(`${JSON.stringify(reconcileJson(parts, spec, window, final, runs ? { before, runs } : null))}\n`);
    } else {
      ctx.stdout.write(formatText(parts, spec, window, before, runs, after));
    }
    const failedRun = runs?.some((r) => r.status !== 'succeeded') ?? false;
    return final.comparison.matches && !failedRun ? EXIT.ok : EXIT.failed;
  },
};
