/**
 * Embedded PGlite is one process's database: two processes opening the same data directory
 * each get their own copy in memory and overwrite each other's writes (including the unique index
 * that keeps one run per sync). An exclusive lock file beside the directory makes the second
 * process fail with a clear message instead.
 */
import { closeSync, openSync, readFileSync, rmSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';

export class DirectoryLockedError extends Error {
  override readonly name = 'DirectoryLockedError';
}

function holderAlive(holder: string): boolean {
  const [host, pidText] = holder.trim().split(':');
  const pid = Number(pidText);
  if (host !== hostname() || !Number.isInteger(pid)) return true; // cannot tell: assume held
  if (pid === process.pid) return true;
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    return (error as NodeJS.ErrnoException).code === 'EPERM';
  }
}

/** Take `<dir>.lock`; returns the release function. A lock left by a dead process is taken over. */
export function lockDirectory(dir: string): () => void {
  const path = `${dir}.lock`;
  const me = `${hostname()}:${process.pid}`;
  for (let attempt = 0; attempt < 2; attempt++) {
    try {
      const fd = openSync(path, 'wx');
      writeSync(fd, me);
      closeSync(fd);
      const release = () => {
        try {
          if (readFileSync(path, 'utf8') === me) rmSync(path);
        } catch {
          // already gone
        }
      };
      process.once('exit', release);
      return () => {
        process.off('exit', release);
        release();
      };
    } catch (error) {
      if ((error as NodeJS.ErrnoException).code !== 'EEXIST') throw error;
      let holder = '';
      try {
        holder = readFileSync(path, 'utf8');
      } catch {
        continue; // released meanwhile
      }
      if (holderAlive(holder)) {
        throw new DirectoryLockedError(
          `pglite:${dir} is in use by another Tidemark process (${holder}). Embedded PGlite serves one process at a time: ` +
            'wait for it to finish, or point DATABASE_URL (and the destination) at a Postgres server to run several at once.',
        );
      }
      rmSync(path, { force: true }); // its process is gone
    }
  }
  throw new DirectoryLockedError(`could not lock pglite:${dir} (${path})`);
}
