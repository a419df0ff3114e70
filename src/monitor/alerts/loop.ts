/**
 * The alert loop of a long-running process (`tidemark start`, `tidemark worker`): every
 * `intervalMs`, evaluate the conditions (one process of the deployment at a time, at most once
 * per interval: see state.ts) and deliver what is queued (every process may, each alert claimed
 * by one). A tick never throws: a failure is logged (secrets masked) and the next tick tries again.
 */
import type { Config } from '../../config/schema.ts';
import { errorMessage } from '../../engine/errors.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { deliverAlerts, type DeliveryReport } from './deliver.ts';
import { evaluateAlerts, watchedSyncs, type EvaluationReport } from './evaluate.ts';
import { scrubSecrets } from './redact.ts';
import { configuredSecrets } from '../../log/secrets.ts';
import { DEFAULT_TIMEOUT_MS } from './channels/tenant-channels.ts';

export interface AlertLoopOptions {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  readonly intervalMs: number;
  /** The clock conditions are judged by (tests move it; default the real one). */
  readonly now?: () => Date;
  /** One line per delivery problem or loop failure (no secrets in it). Default: stderr. */
  readonly log?: (line: string) => void;
  /** Called after every tick. */
  readonly onTick?: (report: TickReport) => void;
  /** Per HTTP request to a channel. */
  readonly timeoutMs?: number;
  /** Skip evaluating when any process of the deployment evaluated less than this ago. Default 80% of intervalMs. */
  readonly minGapMs?: number;
}

export interface TickReport {
  readonly evaluation: EvaluationReport | null;
  readonly delivery: DeliveryReport | null;
  /** What went wrong, if the tick failed (secrets masked). */
  readonly error: string | null;
}

export interface AlertLoop {
  /** Run one tick now (after the one in progress, if any). */
  tick(): Promise<TickReport>;
  /** No more ticks; resolves when the one in progress has ended. */
  stop(): Promise<void>;
}

export function startAlertLoop(options: AlertLoopOptions): AlertLoop {
  const now = options.now ?? (() => new Date());
  const log = options.log ?? ((line: string) => process.stderr.write(`tidemark alerts: ${line}\n`));
  const watched = watchedSyncs(options.config, options.env);
  const secrets = configuredSecrets(options.config, options.env);
  // Several processes ticking at the same interval: one evaluation per interval for all of them.
  const minGapSeconds = (options.minGapMs ?? options.intervalMs * 0.8) / 1000;
  let stopped = false;
  let timer: NodeJS.Timeout | null = null;
  let chain: Promise<unknown> = Promise.resolve();

  const runTick = async (): Promise<TickReport> => {
    if (watched.length === 0) return { evaluation: null, delivery: null, error: null };
    let evaluation: EvaluationReport | null = null;
    let delivery: DeliveryReport | null = null;
    try {
      evaluation = await evaluateAlerts({ config: options.config, ledger: options.ledger, watched, now: now(), minGapSeconds, secrets });
      delivery = await deliverAlerts({
        config: options.config,
        env: options.env,
        ledger: options.ledger,
        secrets,
        log,
        timeoutMs: options.timeoutMs ?? DEFAULT_TIMEOUT_MS,
        now: now(),
      });
      return { evaluation, delivery, error: null };
    } catch (error) {
      const message = scrubSecrets(errorMessage(error), secrets);
      log(`checking alerts failed (tried again in ${Math.round(options.intervalMs / 1000)} s): ${message}`);
      return { evaluation, delivery, error: message };
    }
  };

  const tick = (): Promise<TickReport> => {
    const next = chain.then(runTick);
    chain = next.catch(() => undefined);
    return next.then((report) => {
      try {
        options.onTick?.(report);
      } catch (error) {
        log(`onTick failed: ${errorMessage(error)}`);
      }
      return report;
    });
  };

  const schedule = (delayMs: number): void => {
    if (stopped) return;
    timer = setTimeout(() => {
      timer = null;
      void tick().finally(() => schedule(options.intervalMs));
    }, delayMs);
    timer.unref();
  };
  schedule(0);

  return {
    tick,
    async stop() {
      stopped = true;
      if (timer) clearTimeout(timer);
      timer = null;
      await chain;
    },
  };
}
