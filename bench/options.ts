/** `npm run bench -- [--quick] [--sizes 500,10000] [--dialects postgres,mysql,sqlite]`: what to measure. */
import { parseArgs } from 'node:util';

export const DEFAULT_SIZES = [500, 10_000, 100_000] as const;
export const QUICK_SIZES = [500, 10_000] as const;

export const DIALECTS = ['postgres', 'mysql', 'sqlite'] as const;
export type BenchDialect = (typeof DIALECTS)[number];

export interface BenchOptions {
  readonly sizes: readonly number[];
  readonly quick: boolean;
  /** In this order: postgres, mysql, sqlite. */
  readonly dialects: readonly BenchDialect[];
}

export const USAGE = `Usage: npm run bench -- [--quick] [--sizes 500,10000,100000]
  --quick         only 500 and 10,000 shifts (for iteration)
  --sizes LIST    shift counts to measure, comma-separated (default 500,10000,100000)
  --dialects LIST destinations to measure: postgres,mysql,sqlite (default all three)
Postgres: TIDEMARK_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test); it also holds the
ledger for every dialect. MariaDB/MySQL: TIDEMARK_BENCH_MYSQL_URL (default mysql://root@127.0.0.1:3306;
a bench_<random> database is created and dropped). SQLite: files in a temporary directory.`;

/** Bad flags: printed with the usage, without a stack. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { quick: { type: 'boolean' }, sizes: { type: 'string' }, dialects: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
    }));
  } catch (error) {
    throw new BenchUsageError((error as Error).message);
  }
  if (values.help) return 'help';
  let sizes: number[] = [...(values.quick ? QUICK_SIZES : DEFAULT_SIZES)];
  if (values.sizes !== undefined) {
    sizes = values.sizes.split(',').map((part) => Number(part.trim().replaceAll('_', '')));
    const bad = sizes.find((n) => !Number.isInteger(n) || n < 1 || n > 1_000_000);
    if (bad !== undefined || sizes.length === 0) {
      throw new BenchUsageError(`--sizes ${values.sizes}: give whole numbers from 1 to 1,000,000, comma-separated, e.g. --sizes 500,10000`);
    }
  }
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), quick: Boolean(values.quick), dialects: parseDialects(values.dialects) };
}

function parseDialects(value: string | undefined): BenchDialect[] {
  if (value === undefined) return [...DIALECTS];
  const names = value.split(',').map((part) => part.trim().toLowerCase().replace(/^mariadb$/, 'mysql'));
  const unknown = names.find((name) => !(DIALECTS as readonly string[]).includes(name));
  if (unknown !== undefined || names.length === 0) {
    throw new BenchUsageError(`--dialects ${value}: give one or more of postgres, mysql (or mariadb), sqlite, comma-separated`);
  }
  return DIALECTS.filter((d) => names.includes(d));
}
