/**
 * Runs an async source ahead of its consumer, holding at most `capacity` items. A paced reader
 * keeps requesting pages at its steady rate while the engine merges a batch, instead of losing
 * the merge's time from its budget. Items come out in order; a failure comes out after the items
 * read before it. When the consumer stops early, the source is aborted and awaited.
 */
import { isAbortError } from '../../upstream/index.ts';

export async function* prefetch<T>(
  source: (signal: AbortSignal) => AsyncIterable<T>,
  capacity: number,
  outer?: AbortSignal,
): AsyncGenerator<T, void, undefined> {
  const stop = new AbortController();
  const signal = outer ? AbortSignal.any([outer, stop.signal]) : stop.signal;
  const queue: T[] = [];
  let finished = false;
  let failure: { readonly error: unknown } | undefined;
  let wakeConsumer: (() => void) | undefined;
  let wakeProducer: (() => void) | undefined;
  const wake = (which: 'consumer' | 'producer'): void => {
    const resume = which === 'consumer' ? wakeConsumer : wakeProducer;
    if (which === 'consumer') wakeConsumer = undefined;
    else wakeProducer = undefined;
    resume?.();
  };

  const producer = (async () => {
    try {
      for await (const item of source(signal)) {
        queue.push(item);
        wake('consumer');
        while (queue.length >= capacity && !stop.signal.aborted) await new Promise<void>((resolve) => (wakeProducer = resolve));
        if (stop.signal.aborted) return;
      }
    } catch (error) {
      // Our own stop is not a failure; the caller's abort is, and is passed on.
      if (!(stop.signal.aborted && isAbortError(error))) failure = { error };
    } finally {
      finished = true;
      wake('consumer');
    }
  })();

  try {
    for (;;) {
      const item = queue.shift();
      if (item !== undefined) {
        wake('producer');
        yield item;
        continue;
      }
      if (failure) throw failure.error;
      if (finished) return;
      await new Promise<void>((resolve) => (wakeConsumer = resolve));
    }
  } finally {
    stop.abort();
    wake('producer');
    await producer;
  }
}
