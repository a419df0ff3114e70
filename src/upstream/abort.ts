/**
 * Cancellation: a caller's abort ends a call at once, wherever it is waiting (queue, budget,
 * backoff or the request itself), and always surfaces as an `AbortError` that is never retried.
 */
import { setTimeout as delay } from 'node:timers/promises';

/** The error to throw for an aborted `signal`: its own reason when that is an AbortError. */
export function abortErrorOf(signal: AbortSignal | undefined): Error {
  const reason: unknown = signal?.reason;
  if (reason instanceof Error && reason.name === 'AbortError') return reason;
  return new DOMException('the request was aborted by the caller', { name: 'AbortError', cause: reason });
}

/** True for any AbortError, however it was made (DOMException, Node's AbortError, our own). */
export function isAbortError(error: unknown): boolean {
  return error instanceof Error && error.name === 'AbortError';
}

/** The default sleep: real timers, cancelled by `signal`. */
export async function sleepMs(ms: number, signal?: AbortSignal): Promise<void> {
  if (ms <= 0) {
    if (signal?.aborted) throw abortErrorOf(signal);
    return;
  }
  try {
    await delay(ms, undefined, { signal });
  } catch (error) {
    if (signal?.aborted) throw abortErrorOf(signal);
    throw error;
  }
}
