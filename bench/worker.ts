/**
 * A measurement process: receives one job from run.ts over IPC, runs it, sends the result (or the
 * error) back and exits. Its peak RSS is therefore the job's own.
 */
import type { Job, JobResult, ParentMessage, WorkerMessage } from './jobs.ts';
import { runLoadJob } from './load-job.ts';
import { runMysqlLoadJob } from './mysql-load-job.ts';
import { runMysqlTidemarkJob } from './mysql-tidemark-job.ts';
import { runSqliteLoadJob } from './sqlite-load-job.ts';
import { runSqliteTidemarkJob } from './sqlite-tidemark-job.ts';
import { runOldPatternJob } from './old-pattern-job.ts';
import { runTidemarkJob } from './tidemark-job.ts';

function run(job: Job): Promise<JobResult> {
  switch (job.kind) {
    case 'tidemark':
      return runTidemarkJob(job);
    case 'old':
      return runOldPatternJob(job);
    case 'load':
      return runLoadJob(job);
    case 'dialect-tidemark':
      return job.dialect === 'mysql' ? runMysqlTidemarkJob(job) : runSqliteTidemarkJob(job);
    case 'dialect-load':
      return job.dialect === 'mysql' ? runMysqlLoadJob(job) : runSqliteLoadJob(job);
  }
}

function reply(message: WorkerMessage): Promise<void> {
  return new Promise((resolve) => process.send?.(message, () => resolve()));
}

process.on('message', (message: ParentMessage) => {
  if (message.type !== 'job') return;
  run(message.job)
    .then((result) => reply({ type: 'result', result }))
    .catch((error: unknown) => reply({ type: 'error', message: error instanceof Error ? (error.stack ?? error.message) : String(error) }))
    .finally(() => process.disconnect());
});
