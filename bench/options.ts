/** `npm run bench -- [--quick] [--sizes 500,10000]`: which sizes to measure. */
import { parseArgs } from 'node:util';

export const DEFAULT_SIZES = [500, 10_000, 100_000] as const;
export const QUICK_SIZES = [500, 10_000] as const;

export interface BenchOptions {
  readonly sizes: readonly number[];
  readonly quick: boolean;
}

export const USAGE = `Usage: npm run bench -- [--quick] [--sizes 500,10000,100000]
  --quick         only 500 and 10,000 shifts (for iteration)
  --sizes LIST    shift counts to measure, comma-separated (default 500,10000,100000)
Postgres: TIDEMARK_BENCH_PG_URL (default postgres://postgres@127.0.0.1:5432/test).`;

/** Bad flags: printed with the usage, without a stack. */
export class BenchUsageError extends Error {
  override readonly name = 'BenchUsageError';
}

export function parseBenchOptions(argv: readonly string[]): BenchOptions | 'help' {
  let values;
  try {
    ({ values } = parseArgs({
      args: [...argv],
      options: { quick: { type: 'boolean' }, sizes: { type: 'string' }, help: { type: 'boolean', short: 'h' } },
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
  return { sizes: [...new Set(sizes)].sort((a, b) => a - b), quick: Boolean(values.quick) };
}
