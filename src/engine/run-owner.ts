/**
 * Who is running a run, and whether they still are. An owner is `host:pid:nonce`; on the same host a
 * dead pid means abandoned at once, elsewhere a heartbeat older than `staleAfterMs` does.
 */
import { hostname } from 'node:os';
import { randomBytes } from 'node:crypto';
import type { RunRecord } from '../ledger/types.ts';

export function newOwner(): string {
  return `${hostname()}:${process.pid}:${randomBytes(3).toString('hex')}`;
}

function pidAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

export function isAbandoned(run: RunRecord, staleAfterMs: number, now: Date = new Date()): boolean {
  if (run.owner === null) return true;
  const heartbeat = run.heartbeatAt ?? run.startedAt ?? run.createdAt;
  if (now.getTime() - heartbeat.getTime() > staleAfterMs) return true;
  const [host, pidText] = run.owner.split(':');
  const pid = Number(pidText);
  if (host === hostname() && Number.isInteger(pid) && pid !== process.pid) return !pidAlive(pid);
  return false;
}

/** Why a run was marked failed when its worker was found gone. */
export function lostRunReason(run: RunRecord): string {
  const heartbeat = run.heartbeatAt ?? run.startedAt ?? run.createdAt;
  return `lost: its worker (${run.owner ?? 'released'}) stopped (last heartbeat ${heartbeat.toISOString()}); the next run of this sync resumes from its checkpoint`;
}
