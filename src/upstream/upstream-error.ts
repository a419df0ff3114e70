/**
 * The one error type of the upstream HTTP client: every failure says which tenant and connection,
 * which request (URL with secrets removed), what kind of failure it is and whether trying again
 * later can help. Connectors branch on `kind`, never on message text.
 */

/** Every failure the client reports, as a list for runtime checks and as a type. */
export const UPSTREAM_ERROR_KINDS = [
  'unauthorized',
  'forbidden',
  'not_found',
  'bad_request',
  'rate_limited',
  'server',
  'timeout',
  'network',
  'bad_response',
] as const;
export type UpstreamErrorKind = (typeof UPSTREAM_ERROR_KINDS)[number];

export interface UpstreamErrorInit {
  readonly kind: UpstreamErrorKind;
  readonly message: string;
  /** HTTP status, when the upstream answered. */
  readonly status?: number;
  /** True when the same request may succeed later (transient failure). */
  readonly retryable: boolean;
  readonly tenantId: string;
  readonly connectionId: string;
  /** The request URL, already stripped of credentials. */
  readonly url: string;
  /** Requests made for this call before giving up (1 when it failed at once). */
  readonly attempts?: number;
  /** When the upstream's budget refills, for `rate_limited`. */
  readonly resetAt?: Date;
  readonly cause?: unknown;
}

export class UpstreamError extends Error {
  override readonly name = 'UpstreamError';
  readonly kind: UpstreamErrorKind;
  readonly status: number | undefined;
  readonly retryable: boolean;
  readonly tenantId: string;
  readonly connectionId: string;
  readonly url: string;
  readonly attempts: number;
  readonly resetAt: Date | undefined;

  constructor(init: UpstreamErrorInit) {
    super(init.message, init.cause === undefined ? undefined : { cause: init.cause });
    this.kind = init.kind;
    this.status = init.status;
    this.retryable = init.retryable;
    this.tenantId = init.tenantId;
    this.connectionId = init.connectionId;
    this.url = init.url;
    this.attempts = init.attempts ?? 1;
    this.resetAt = init.resetAt;
  }
}

/** True for an `UpstreamError` of one of `kinds` (or of any kind when none is given). */
export function isUpstreamError(error: unknown, ...kinds: UpstreamErrorKind[]): error is UpstreamError {
  return error instanceof UpstreamError && (kinds.length === 0 || kinds.includes(error.kind));
}
