/** The contract every CLI command file implements: one file per command under src/cli/commands/. */
import type { Writable } from 'node:stream';

export interface CliContext {
  /** Arguments after the command name. */
  readonly argv: readonly string[];
  readonly stdout: Writable;
  readonly stderr: Writable;
  readonly env: NodeJS.ProcessEnv;
  /** True when stderr is a terminal (progress bars go there). */
  readonly interactive: boolean;
  /** Aborted on SIGINT/SIGTERM: long commands stop cleanly. */
  readonly signal: AbortSignal;
}

export interface Command {
  readonly name: string;
  /** One line for `tidemark help`. */
  readonly summary: string;
  /** Full usage text, printed on `--help` and on bad usage. */
  readonly usage: string;
  /** Returns the exit code: 0 success, 1 failed run, 2 bad usage or configuration. */
  run(context: CliContext): Promise<number>;
}

/** Bad arguments or configuration: printed with the usage, exit code 2. */
export class UsageError extends Error {
  override readonly name = 'UsageError';
}

export const EXIT = { ok: 0, failed: 1, usage: 2 } as const;
