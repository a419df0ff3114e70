/**
 * The job engine's names and queue settings. One queue holds every sync's runs; its `stately`
 * policy keyed by sync id allows one active and one queued job per sync (a trigger while a run is
 * active becomes that one follow-up; more triggers are coalesced into it). Jobs that fail every
 * attempt, or fail in a way retrying cannot fix, move to the dead-letter queue.
 */
import type { Queue } from 'pg-boss';
import type { JobsConfig } from '../config/schema.ts';

export const SYNC_QUEUE = 'tidemark-sync';
export const DEAD_LETTER_QUEUE = 'tidemark-sync-dead';

/** pg-boss keeps its tables in a schema of its own beside the ledger's. */
export function jobsSchema(controlSchema: string): string {
  return `${controlSchema}_jobs`;
}

export function syncQueueOptions(jobs: JobsConfig): Omit<Queue, 'name' | 'policy' | 'partition'> {
  return {
    deadLetter: DEAD_LETTER_QUEUE,
    retryLimit: jobs.attempts - 1,
    retryDelay: jobs.retryDelaySeconds,
    retryBackoff: true,
    retryDelayMax: jobs.retryDelayMaxSeconds,
    heartbeatSeconds: jobs.heartbeatSeconds,
    expireInSeconds: jobs.maxRunMinutes * 60,
    deleteAfterSeconds: jobs.keepJobsDays * 86_400,
    notify: true,
  };
}
