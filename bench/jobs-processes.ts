/**
 * The schedule benchmark's child processes, all started as a user would: `tidemark simulate …`,
 * `tidemark schedules apply` and `tidemark worker`, each `bin/tidemark.js` on this same Node.
 * Their CPU time is read from /proc so the report can say where the machine's time went.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createWriteStream, readdirSync, readFileSync, type WriteStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';

export const TIDEMARK_BIN = fileURLToPath(new URL('../bin/tidemark.js', import.meta.url));

/** Clock ticks per second of /proc/<pid>/stat (USER_HZ; 100 on every Linux this runs on). */
const USER_HZ = 100;

/** CPU seconds (user + system) a process has used so far; null when /proc is not there or it exited. */
export function processCpuSeconds(pid: number | undefined): number | null {
  if (pid === undefined) return null;
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // Fields after the command name (which may hold spaces), from field 3 "state" on.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / USER_HZ;
  } catch {
    return null;
  }
}

/**
 * CPU seconds of every Postgres server process: the live ones' own time plus what the postmaster
 * has collected from backends that already exited. Every database on the server counts.
 */
export function postgresCpuSeconds(): number | null {
  let total = 0;
  let found = false;
  for (const entry of readdirSync('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    try {
      const stat = readFileSync(`/proc/${entry}/stat`, 'utf8');
      const name = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
      if (name !== 'postgres') continue;
      const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
      found = true;
      total += Number(fields[11]) + Number(fields[12]);
      // The postmaster (its parent is not postgres): children reaped so far.
      if (!readFileSync(`/proc/${fields[1]}/stat`, 'utf8').includes('(postgres)')) total += Number(fields[13]) + Number(fields[14]);
    } catch {
      // gone between readdir and read
    }
  }
  return found ? total / USER_HZ : null;
}

/** Busy and total jiffies of the whole machine (/proc/stat), for utilisation over an interval. */
export function machineCpu(): { busy: number; total: number } | null {
  try {
    const line = readFileSync('/proc/stat', 'utf8').split('\n')[0] ?? '';
    const values = line.trim().split(/\s+/).slice(1).map(Number);
    const total = values.reduce((a, b) => a + b, 0);
    const idle = (values[3] ?? 0) + (values[4] ?? 0);
    return { busy: total - idle, total };
  } catch {
    return null;
  }
}

function exited(child: ChildProcess): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return Promise.resolve(child.exitCode);
  return new Promise((resolve) => child.once('exit', (code) => resolve(code)));
}

/** Stop a child we started, by its own pid: SIGTERM, then SIGKILL after `graceMs`. */
export async function stopChild(child: ChildProcess, graceMs = 60_000): Promise<number | null> {
  if (child.exitCode !== null || child.signalCode !== null) return child.exitCode;
  const done = exited(child);
  child.kill('SIGTERM');
  const timer = setTimeout(() => child.kill('SIGKILL'), graceMs);
  try {
    return await done;
  } finally {
    clearTimeout(timer);
  }
}

/** Resolve with the first line of `stream` matching `pattern`, or reject when the child exits first. */
function firstMatch(child: ChildProcess, lines: AsyncIterable<string>, pattern: RegExp, what: string, onLine?: (line: string) => void): Promise<RegExpExecArray> {
  return new Promise((resolve, reject) => {
    let found = false;
    const onExit = (code: number | null) => {
      if (!found) reject(new Error(`${what} exited (${code ?? 'signal'}) before it was ready`));
    };
    child.once('exit', onExit);
    void (async () => {
      for await (const line of lines) {
        onLine?.(line);
        const match = found ? null : pattern.exec(line);
        if (match) {
          found = true;
          child.off('exit', onExit);
          resolve(match);
        }
      }
    })().catch((error: unknown) => {
      if (!found) reject(error instanceof Error ? error : new Error(String(error)));
    });
  });
}

export interface RunningSimulator {
  readonly connector: 'connecteam' | 'cliniko';
  readonly url: string;
  readonly apiKey: string;
  readonly child: ChildProcess;
  /** Requests answered so far (control routes not counted). */
  requests(): Promise<number>;
  stop(): Promise<void>;
}

/**
 * `tidemark simulate <connector> --port 0 --no-rate-limit …` in its own process; resolves with the
 * URL and key it prints once it listens.
 */
export async function startSimulator(connector: 'connecteam' | 'cliniko', args: readonly string[], log: WriteStream): Promise<RunningSimulator> {
  const child = spawn(process.execPath, [TIDEMARK_BIN, 'simulate', connector, '--port', '0', '--no-rate-limit', ...args], {
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  void (async () => {
    for await (const line of createInterface({ input: child.stderr! })) if (line.trim()) log.write(`[simulate ${connector}] ${line}\n`);
  })();
  const pattern = connector === 'connecteam' ? /on (\S+) \(accepts X-API-KEY (\S+)\)/ : /on (\S+) \(accepts API key (\S+) /;
  const match = await firstMatch(child, createInterface({ input: child.stdout! }), pattern, `tidemark simulate ${connector}`);
  const url = match[1]!;
  return {
    connector,
    url,
    apiKey: match[2]!,
    child,
    async requests() {
      const answer = (await (await fetch(`${new URL(url).origin}/__sim/stats`)).json()) as { stats: { requests: number } };
      return answer.stats.requests;
    },
    async stop() {
      await stopChild(child, 10_000);
    },
  };
}

/** Run `tidemark <args>` to completion; resolves with its stdout, rejects with its stderr on a non-zero exit. */
export async function runTidemark(args: readonly string[], env: NodeJS.ProcessEnv): Promise<string> {
  const child = spawn(process.execPath, [TIDEMARK_BIN, ...args], { stdio: ['ignore', 'pipe', 'pipe'], env });
  let stdout = '';
  let stderr = '';
  child.stdout!.setEncoding('utf8').on('data', (chunk: string) => (stdout += chunk));
  child.stderr!.setEncoding('utf8').on('data', (chunk: string) => (stderr += chunk));
  const code = await exited(child);
  if (code !== 0) throw new Error(`tidemark ${args.join(' ')} exited ${code ?? 'by a signal'}: ${stderr.trim() || stdout.trim()}`);
  return stdout;
}

export interface RunningWorker {
  readonly index: number;
  readonly child: ChildProcess;
  /** Runs it reported on stdout (`--json`), and how many of them did not succeed. */
  readonly counts: { runs: number; notSucceeded: number; stderrLines: number };
  stop(): Promise<number | null>;
}

/**
 * `tidemark worker --json --config FILE`; resolves once it says it is working. Its stderr goes to
 * `log` (prefixed), its run lines are counted.
 */
export async function startWorker(index: number, configFile: string, env: NodeJS.ProcessEnv, log: WriteStream): Promise<RunningWorker> {
  const child = spawn(process.execPath, [TIDEMARK_BIN, 'worker', '--json', '--config', configFile], { stdio: ['ignore', 'pipe', 'pipe'], env });
  const counts = { runs: 0, notSucceeded: 0, stderrLines: 0 };
  void (async () => {
    for await (const line of createInterface({ input: child.stdout! })) {
      if (!line.startsWith('{')) continue;
      counts.runs++;
      if (!line.includes('"status":"succeeded"')) {
        counts.notSucceeded++;
        log.write(`[worker ${index} stdout] ${line}\n`);
      }
    }
  })();
  await firstMatch(child, createInterface({ input: child.stderr! }), /working on/, `tidemark worker #${index}`, (line) => {
    counts.stderrLines++;
    log.write(`[worker ${index}] ${line}\n`);
  });
  return { index, child, counts, stop: () => stopChild(child) };
}

export function openLog(file: string): WriteStream {
  return createWriteStream(file, { flags: 'a' });
}
