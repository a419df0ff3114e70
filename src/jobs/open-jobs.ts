/** Open the ledger and the job engine on it, for the commands that schedule, trigger or work. */
import type { Config } from '../config/schema.ts';
import { controlPlaneUrl, openLedger } from '../ledger/open-ledger.ts';
import type { Ledger } from '../ledger/ledger.ts';
import { JobEngine, type JobEngineOptions } from './job-engine.ts';

export interface OpenJobs {
  readonly ledger: Ledger;
  readonly engine: JobEngine;
  close(): Promise<void>;
}

export async function openJobs(config: Config, env: NodeJS.ProcessEnv, options: JobEngineOptions = {}): Promise<OpenJobs> {
  const ledger = await openLedger(config, env);
  let engine: JobEngine;
  try {
    engine = await JobEngine.open(config, ledger, controlPlaneUrl(config, env), options);
  } catch (error) {
    await ledger.db.close();
    throw new Error(`job engine on ${ledger.db.description}: ${(error as Error).message}`, { cause: error });
  }
  return {
    ledger,
    engine,
    async close() {
      try {
        await engine.stop();
      } finally {
        await ledger.db.close();
      }
    },
  };
}
