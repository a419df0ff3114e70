/**
 * One direction of the latency proxy: every chunk read from `source` is written to `target`
 * `delayMs` later, in order. Each chunk gets its due time when it arrives; a timer fires for the
 * head of the queue (never a blocking sleep), so chunks in flight overlap like packets on a wire.
 */
import type { Socket } from 'node:net';

interface Pending {
  readonly due: number;
  readonly chunk: Buffer;
}

export function delayedPipe(source: Socket, target: Socket, delayMs: number, onChunk: (chunk: Buffer) => void): void {
  const queue: Pending[] = [];
  let timer: NodeJS.Timeout | null = null;
  let ended = false;

  const write = (chunk: Buffer) => {
    if (!target.write(chunk)) {
      // Backpressure: stop reading until the target has drained.
      source.pause();
      target.once('drain', () => source.resume());
    }
  };

  const finishIfDone = () => {
    if (ended && queue.length === 0 && !target.destroyed) target.end();
  };

  const flush = () => {
    timer = null;
    const now = performance.now();
    while (queue.length > 0 && queue[0]!.due <= now) write(queue.shift()!.chunk);
    if (queue.length > 0) timer = setTimeout(flush, queue[0]!.due - now);
    finishIfDone();
  };

  source.on('data', (chunk: Buffer) => {
    onChunk(chunk);
    if (delayMs <= 0) {
      write(chunk);
      return;
    }
    queue.push({ due: performance.now() + delayMs, chunk });
    timer ??= setTimeout(flush, delayMs);
  });
  source.on('end', () => {
    ended = true;
    finishIfDone();
  });
}
