/**
 * Structured logs (pino): one JSON object per line on stderr, or colourised human lines when stderr
 * is a terminal (pino-pretty). Every line passes the redaction of src/log/redact.ts: credential
 * fields by path, and each configured secret by value. A run's lines come from `runLogger`, so
 * each carries runId, tenant and sync. Level: `TIDEMARK_LOG_LEVEL` (default info).
 */
import { pino, stdTimeFunctions, type DestinationStream, type Logger } from 'pino';
import { PinoPretty } from 'pino-pretty';
import { REDACT_PATHS, CENSOR, secretCensor } from './redact.ts';

export type { Logger } from 'pino';

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export interface LoggerOptions {
  /** Where lines go; default process.stderr. */
  readonly destination?: NodeJS.WritableStream & { readonly isTTY?: boolean };
  /** Human output; default: when the destination is a terminal. */
  readonly pretty?: boolean;
  /** Default `TIDEMARK_LOG_LEVEL` from `env`, else info. */
  readonly level?: string;
  readonly env?: NodeJS.ProcessEnv;
  /** Values censored in every line (configuredSecrets). */
  readonly secrets?: readonly string[];
  /** Fields on every line (e.g. the command). */
  readonly base?: Record<string, unknown>;
}

function levelOf(options: LoggerOptions): string {
  const wanted = (options.level ?? options.env?.TIDEMARK_LOG_LEVEL ?? 'info').toLowerCase();
  return (LOG_LEVELS as readonly string[]).includes(wanted) ? wanted : 'info';
}

export function createLogger(options: LoggerOptions = {}): Logger {
  const destination = options.destination ?? process.stderr;
  const pretty = options.pretty ?? destination.isTTY === true;
  const censor = secretCensor(options.secrets ?? []);
  const stream: DestinationStream = pretty
    ? PinoPretty({ destination, colorize: true, translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname', sync: true })
    : (destination as DestinationStream);
  return pino(
    {
      name: 'tidemark',
      level: levelOf(options),
      base: { pid: process.pid, ...options.base },
      timestamp: stdTimeFunctions.isoTime,
      redact: { paths: [...REDACT_PATHS], censor: CENSOR },
      // pino's own serializer for `err`, so an Error logged as { err } keeps message and stack (censored below).
      hooks: { streamWrite: censor },
    },
    stream,
  );
}

/** A logger writing nothing (the default where none is given). */
export function silentLogger(): Logger {
  return pino({ level: 'silent' });
}

export interface RunFields {
  /** Null until the ledger has created the run (a job failing before it starts). */
  readonly runId: string | null;
  readonly tenant: string | null;
  readonly sync: string;
  readonly jobId?: string;
  readonly attempt?: number;
  readonly trigger?: string;
}

/** The child logger of one run: runId, tenant and sync on every line it writes. */
export function runLogger(logger: Logger, fields: RunFields): Logger {
  return logger.child({ ...fields });
}
