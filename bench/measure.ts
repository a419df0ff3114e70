/**
 * In a worker: time one phase and ask the parent, which owns the latency proxy, how many
 * destination round trips and connections it counted meanwhile.
 */
import type { ParentMessage, Timed, WorkerMessage } from './jobs.ts';

interface Counters {
  readonly roundTrips: number;
  readonly connections: number;
}

let nextId = 1;

/** The proxy's counters now (one IPC exchange with the parent, outside any timed span). */
export function proxyCounters(): Promise<Counters> {
  const id = nextId++;
  return new Promise((resolve) => {
    const onMessage = (message: ParentMessage) => {
      if (message.type !== 'counters' || message.id !== id) return;
      process.off('message', onMessage);
      resolve({ roundTrips: message.roundTrips, connections: message.connections });
    };
    process.on('message', onMessage);
    const request: WorkerMessage = { type: 'counters', id };
    process.send?.(request);
  });
}

/** Run `work`, returning its value with the wall time, this process's CPU time and the proxy's counts over it. */
export async function measure<T>(work: () => Promise<T>): Promise<{ value: T; timed: Timed }> {
  const before = await proxyCounters();
  const cpu = process.cpuUsage();
  const started = performance.now();
  const value = await work();
  const seconds = (performance.now() - started) / 1000;
  const used = process.cpuUsage(cpu);
  const after = await proxyCounters();
  return {
    value,
    timed: {
      seconds,
      cpuSeconds: (used.user + used.system) / 1e6,
      roundTrips: after.roundTrips - before.roundTrips,
      connections: after.connections - before.connections,
    },
  };
}

/** Peak resident set size of this process so far, in MB. */
export function maxRssMb(): number {
  return process.resourceUsage().maxRSS / 1024;
}
