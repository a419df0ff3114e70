/** Unknown throws are coerced once, here, into a message for the operator. */
export function errorMessage(error: unknown): string {
  if (error instanceof Error) {
    const cause = error.cause instanceof Error && !error.message.includes(error.cause.message) ? ` (cause: ${error.cause.message})` : '';
    return `${error.message}${cause}`;
  }
  return String(error);
}

/** True when `error` came from an AbortSignal (SIGINT/SIGTERM), not from a failure. */
export function isAbort(error: unknown, signal?: AbortSignal): boolean {
  return Boolean(signal?.aborted) || (error instanceof Error && error.name === 'AbortError');
}

/**
 * True when trying again cannot help until a person changes something: the upstream refused the
 * credentials (401/403), or the configuration is wrong. Such failures are not retried.
 */
export function isPermanent(error: unknown): boolean {
  for (let e: unknown = error; e instanceof Error; e = e.cause) {
    if (e.name === 'ConfigError') return true;
    if (e.name === 'UpstreamError' && 'kind' in e && (e.kind === 'unauthorized' || e.kind === 'forbidden')) return true;
  }
  return false;
}
