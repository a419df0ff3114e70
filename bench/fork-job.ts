/**
 * Parent side of a measurement: fork worker.ts on this Node, hand it the job, answer its requests
 * for the proxy's counters, and resolve with its result.
 */
import { fork } from 'node:child_process';
import type { Job, JobResult, ParentMessage, WorkerMessage } from './jobs.ts';
import type { LatencyProxy } from './latency-proxy.ts';

const WORKER = new URL('./worker.ts', import.meta.url);

/** What the worker may ask for: the proxy's counters (zero for an embedded destination). */
export type CounterSource = Pick<LatencyProxy, 'roundTrips' | 'connections'>;

export const NO_PROXY: CounterSource = { roundTrips: 0, connections: 0 };

export function forkJob<R extends JobResult>(job: Job, proxy: CounterSource): Promise<R> {
  return new Promise((resolve, reject) => {
    const child = fork(WORKER, [], { execPath: process.execPath, execArgv: [], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    let settled = false;
    const send = (message: ParentMessage) => child.send(message);
    child.on('message', (message: WorkerMessage) => {
      if (message.type === 'counters') {
        send({ type: 'counters', id: message.id, roundTrips: proxy.roundTrips, connections: proxy.connections });
      } else if (message.type === 'result') {
        settled = true;
        resolve(message.result as R);
      } else {
        settled = true;
        const what = 'dialect' in job ? `${job.dialect} ${job.kind}` : job.kind;
        reject(new Error(`the ${what} measurement (${job.shifts} shifts, ${job.rttMs} ms) failed:\n${message.message}`));
      }
    });
    child.on('error', reject);
    child.on('exit', (code) => {
      if (!settled) reject(new Error(`the ${job.kind} measurement process exited with code ${code} before reporting`));
    });
    send({ type: 'job', job });
  });
}
