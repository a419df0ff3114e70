/**
 * At most N requests of one connection in flight; the rest queue in arrival order.
 * An aborted waiter leaves the queue at once instead of holding its place.
 */
import { abortErrorOf } from './abort.ts';

interface Waiter {
  readonly grant: () => void;
}

export class ConcurrencyGate {
  readonly limit: number;
  #active = 0;
  readonly #queue: Waiter[] = [];

  constructor(limit: number) {
    if (!Number.isInteger(limit) || limit < 1) {
      throw new RangeError(`concurrency must be a whole number of at least 1, got ${String(limit)}`);
    }
    this.limit = limit;
  }

  /** Wait for a slot; call the returned function exactly once to give it back. */
  async acquire(signal?: AbortSignal): Promise<() => void> {
    if (signal?.aborted) throw abortErrorOf(signal);
    if (this.#active < this.limit) {
      this.#active += 1;
      return this.#releaser();
    }
    await new Promise<void>((resolve, reject) => {
      const waiter: Waiter = {
        grant: () => {
          signal?.removeEventListener('abort', onAbort);
          resolve();
        },
      };
      const onAbort = (): void => {
        const index = this.#queue.indexOf(waiter);
        if (index >= 0) this.#queue.splice(index, 1);
        reject(abortErrorOf(signal));
      };
      signal?.addEventListener('abort', onAbort, { once: true });
      this.#queue.push(waiter);
    });
    // The slot was handed over by the releaser without decrementing `#active`.
    return this.#releaser();
  }

  #releaser(): () => void {
    let released = false;
    return () => {
      if (released) return;
      released = true;
      const next = this.#queue.shift();
      if (next) next.grant();
      else this.#active -= 1;
    };
  }
}
