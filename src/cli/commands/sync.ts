/** `tidemark sync <sync-id> [--today | --from D --to D] [--json]`: run one sync now. */
import type { Command, CliContext } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveSync, type SyncParts } from '../../engine/resolve-sync.ts';
import { openLedger } from '../../ledger/open-ledger.ts';
import { openDestination } from '../../destinations/open.ts';
import { runSync, type RunSummary } from '../../engine/run-sync.ts';
import { businessWindow, todayWindow, type BusinessWindow } from '../../time/window.ts';
import { assertIsoDate } from '../../time/business-day.ts';
import { ProgressLine } from '../progress-line.ts';
import { formatSummary } from '../format-summary.ts';

const usage = `Usage: tidemark sync <sync-id> [--today | --window NAME | --from YYYY-MM-DD --to YYYY-MM-DD] [--json] [--config FILE]

Runs one sync now and prints what it did.
  --today        re-read today's business day in the tenant's timezone
  --window NAME  re-read one of the sync's named windows (config "windows", e.g. "today", "full")
  --from, --to   re-read business days [from, to): "to" is exclusive (--from 2026-11-02 --to 2026-11-03 is one day)
  --json         print one JSON summary object instead of text (no progress bar)
  --config FILE  configuration file (default: $TIDEMARK_CONFIG, else ./tidemark.config.json)
Without a window option, a window-mode sync uses its configured default window.
Exit codes: 0 succeeded, 1 the run failed, 2 bad usage or configuration.`;

function chooseWindow(
  values: { today?: boolean; window?: string; from?: string; to?: string },
  timezone: string,
  parts: Pick<SyncParts, 'defaultWindow' | 'namedWindow'>,
): BusinessWindow | null {
  const chosen = [values.today, values.window !== undefined, values.from !== undefined || values.to !== undefined].filter(Boolean).length;
  if (chosen > 1) throw new UsageError('use one of --today, --window NAME or --from/--to');
  if (values.today) return todayWindow(timezone);
  if (values.window !== undefined) return parts.namedWindow(values.window);
  if (values.from || values.to) {
    if (!values.from || !values.to) throw new UsageError('--from and --to go together: --from 2026-11-02 --to 2026-11-09');
    try {
      assertIsoDate(values.from, '--from');
      assertIsoDate(values.to, '--to');
      return businessWindow(values.from, values.to, timezone);
    } catch (error) {
      throw new UsageError((error as Error).message);
    }
  }
  return parts.defaultWindow();
}

export const syncCommand: Command = {
  name: 'sync',
  summary: 'run one sync now (with a progress bar, or --json)',
  usage,
  async run(ctx: CliContext): Promise<number> {
    const { values, positionals } = parseCommandArgs(
      ctx.argv,
      { today: { type: 'boolean' }, window: { type: 'string' }, from: { type: 'string' }, to: { type: 'string' }, json: { type: 'boolean' }, config: { type: 'string' } },
      true,
    );
    if (positionals.length !== 1) throw new UsageError('name exactly one sync: tidemark sync <sync-id>');
    const { config } = await loadConfig(values.config, ctx.env);
    const parts = resolveSync(config, positionals[0]!, ctx.env);
    const window = chooseWindow(values, parts.sync.timezone, parts);
    if (window && parts.sync.mode !== 'window') throw new UsageError(`sync "${parts.sync.id}" runs in ${parts.sync.mode} mode and takes no window`);
    const client = parts.createClient();
    const ledger = await openLedger(config, ctx.env);
    let summary: RunSummary;
    try {
      const destination = await openDestination(parts.destinationUrl);
      try {
        await destination.ensureTable(parts.sync.table);
        const line = ctx.interactive && !values.json ? new ProgressLine(ctx.stderr, parts.sync.id) : null;
        summary = await runSync({
          sync: parts.sync,
          window,
          client,
          destination,
          ledger,
          trigger: 'cli',
          signal: ctx.signal,
          retention: { changesDays: config.ledger.changesRetentionDays, runsDays: config.ledger.runsRetentionDays },
          ...(line ? { onProgress: (event) => line.update(event) } : {}),
        });
        line?.done();
      } finally {
        await destination.close();
      }
    } finally {
      await ledger.db.close();
    }
    ctx.stdout.write(values.json ? `${JSON.stringify(summary)}\n` : formatSummary(summary));
    return summary.status === 'succeeded' ? EXIT.ok : EXIT.failed;
  },
};
