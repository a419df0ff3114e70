/** `tidemark repair <what>`: fix damaged data already in a destination table (dedupe, tz-shift). */
import type { CliContext, Command } from '../command.ts';
import { EXIT, UsageError } from '../command.ts';
import { parseCommandArgs } from '../args.ts';
import { loadConfig } from '../../config/load.ts';
import { resolveUrl } from '../../config/secrets.ts';
import { assertIdentifier } from '../../db/identifiers.ts';
import { openDedupeConnection } from '../../repair/dedupe/connection.ts';
import { planDedupe } from '../../repair/dedupe/find-groups.ts';
import { applyDedupe } from '../../repair/dedupe/apply.ts';
import { formatOutcome, formatPlan, reportJson } from '../../repair/dedupe/report.ts';
import { DedupeTargetError } from '../../repair/dedupe/target.ts';
import { resolveSync } from '../../engine/resolve-sync.ts';
import { businessWindow, type BusinessWindow } from '../../time/window.ts';
import { assertIsoDate } from '../../time/business-day.ts';
import { runTzShift } from '../../repair/tz-shift/run.ts';
import { TzShiftTargetError } from '../../repair/tz-shift/target-error.ts';
import { formatTzShift, tzShiftJson } from '../../repair/tz-shift/report.ts';

const USAGE = `Usage: tidemark repair <what> [options]

  dedupe     remove duplicate rows on a key, then add the unique constraint that keeps them out
  tz-shift   find and fix shifts stored moved by the tenant's UTC offset (the 6-hour bug)

tidemark repair dedupe (--destination ID [--config FILE] | --url URL) --table NAME --key COL[,COL…]
                       [--schema NAME] [--prefer COL[,COL…]] [--latest COL] [--limit N] [--apply] [--json]

Rows equal on every --key column (none NULL) are copies of one record. Without --apply it only
reports: the duplicate groups, how many rows would go, and which row of each group is kept and why.
The kept row is the most complete one: non-null --prefer columns first, then the most non-null
columns, then the latest --latest column (default: updated_at, modified_at or synced_at if the table
has one), then the highest primary key.
With --apply it copies every row of the groups to <table>_dedupe_backup_<YYYYMMDDHHMMSS>, deletes
all but the kept rows, and adds the unique constraint <table>_<cols>_key (unless a unique key on
those columns exists). On Postgres that is one transaction; on MySQL/MariaDB the ALTER TABLE runs
after the COMMIT, because MySQL commits DDL implicitly. Safe to run again.

  --destination ID  a destination of the configuration (its URL and schema)
  --url URL         a database URL instead (postgres://, pglite:, mysql://, mariadb://)
  --schema NAME     the table's Postgres schema or MySQL database (default the destination's, else the current one)
  --limit N         groups to list (default 20)
  --json            print one JSON report

tidemark repair tz-shift <sync-id> --from YYYY-MM-DD --to YYYY-MM-DD [--apply] [--json] [--config FILE]

For a connecteam.shifts sync on Postgres, PGlite, MySQL/MariaDB or SQLite: reads the window's shifts
upstream (nothing written) and the table's live rows starting in the window widened by 14 hours each
side. A row is a shifted copy
when it equals no upstream shift (by shift_id and start, or by employee and start) but equals one of
the same employee and duration moved by exactly the tenant's UTC offset at that instant (Chicago:
6 h in CST, 5 h in CDT). Rows equal to an upstream shift are never touched. Without --apply it
lists them. With --apply, in one transaction: copies them to <table>_tzshift_backup_<YYYYMMDDHHMMSS>,
corrects those whose upstream shift has no row (to the upstream's values and id), and deletes those
whose upstream shift has its own row. On MySQL/MariaDB the empty backup table is created just
before that transaction (MySQL commits DDL implicitly) and dropped if it fails. Safe to run again.

Exit codes: 0 done (or dry run), 1 a database failure, 2 bad usage or a missing table or column.
See docs/repair.md.`;

function columnList(value: string | undefined, option: string): string[] {
  if (value === undefined) return [];
  const names = value.split(',').map((c) => c.trim());
  return names.map((name) => identifier(name, option));
}

function identifier(name: string, option: string): string {
  try {
    return assertIdentifier(name, `${option}`);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
}

async function target(values: { destination?: string; url?: string; config?: string; schema?: string }, env: NodeJS.ProcessEnv): Promise<{ url: string; schema: string | undefined }> {
  if (values.url !== undefined && values.destination !== undefined) throw new UsageError('give --destination or --url, not both');
  const schema = values.schema === undefined ? undefined : identifier(values.schema, '--schema');
  if (values.url !== undefined) return { url: values.url, schema };
  if (values.destination === undefined) throw new UsageError('name the table\'s database: --destination ID (from the configuration) or --url URL');
  const { config } = await loadConfig(values.config, env);
  const index = config.destinations.findIndex((d) => d.id === values.destination);
  const destination = config.destinations[index];
  if (!destination) {
    throw new UsageError(`no destination "${values.destination}" in the configuration; its destinations are: ${config.destinations.map((d) => d.id).join(', ')}`);
  }
  return { url: resolveUrl(destination.url, `destinations[${index}].url`, env), schema: schema ?? destination.schema };
}

async function dedupe(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values } = parseCommandArgs(argv, {
    destination: { type: 'string' },
    url: { type: 'string' },
    config: { type: 'string' },
    schema: { type: 'string' },
    table: { type: 'string' },
    key: { type: 'string' },
    prefer: { type: 'string' },
    latest: { type: 'string' },
    limit: { type: 'string' },
    apply: { type: 'boolean' },
    json: { type: 'boolean' },
  });
  if (values.table === undefined) throw new UsageError('name the table: --table NAME');
  if (values.key === undefined) throw new UsageError('name the key that identifies a record: --key COL[,COL…]');
  const limit = values.limit === undefined ? 20 : Number(values.limit);
  if (!Number.isInteger(limit) || limit < 0) throw new UsageError(`--limit takes a whole number of groups, not "${values.limit}"`);
  const request = {
    table: identifier(values.table, '--table'),
    key: columnList(values.key, '--key'),
    prefer: columnList(values.prefer, '--prefer'),
    latest: values.latest === undefined ? undefined : identifier(values.latest, '--latest'),
  };
  const { url, schema } = await target(values, ctx.env);
  const connection = await openDedupeConnection(url);
  try {
    const plan = await planDedupe(connection, { ...request, schema }, limit);
    const outcome = values.apply ? await applyDedupe(connection, plan) : undefined;
    if (values.json) ctx.stdout.write(reportJson(plan, connection.description, outcome));
    else ctx.stdout.write(outcome ? formatOutcome(plan, outcome, connection.description) : formatPlan(plan, connection.description));
    return EXIT.ok;
  } finally {
    await connection.close();
  }
}

async function tzShift(ctx: CliContext, argv: readonly string[]): Promise<number> {
  const { values, positionals } = parseCommandArgs(
    argv,
    { from: { type: 'string' }, to: { type: 'string' }, apply: { type: 'boolean' }, json: { type: 'boolean' }, config: { type: 'string' } },
    true,
  );
  if (positionals.length !== 1) throw new UsageError('name exactly one sync: tidemark repair tz-shift <sync-id> --from D --to D');
  if (!values.from || !values.to) throw new UsageError('give the business days to check: --from 2026-11-02 --to 2026-11-09 ("to" is exclusive)');
  const { config } = await loadConfig(values.config, ctx.env);
  const parts = resolveSync(config, positionals[0]!, ctx.env);
  let window: BusinessWindow;
  try {
    assertIsoDate(values.from, '--from');
    assertIsoDate(values.to, '--to');
    window = businessWindow(values.from, values.to, parts.sync.timezone);
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const report = await runTzShift(parts, window, values.apply === true, ctx.signal);
  ctx.stdout.write(values.json ? tzShiftJson(report) : formatTzShift(report));
  return EXIT.ok;
}

export const repairCommand: Command = {
  name: 'repair',
  summary: 'repair data already in a table: dedupe, tz-shift',
  usage: USAGE,
  async run(ctx) {
    const [what, ...rest] = ctx.argv;
    try {
      if (what === 'dedupe') return await dedupe(ctx, rest);
      if (what === 'tz-shift') return await tzShift(ctx, rest);
    } catch (error) {
      // The table or a column named is not there: the fix is in the arguments, as for bad usage.
      if (!(error instanceof DedupeTargetError) && !(error instanceof TzShiftTargetError)) throw error;
      ctx.stderr.write(`tidemark repair ${what}: ${error.message}\n`);
      return EXIT.usage;
    }
    throw new UsageError(what === undefined ? 'name what to repair: dedupe or tz-shift' : `unknown repair "${what}"; the ones available are dedupe and tz-shift`);
  },
};
