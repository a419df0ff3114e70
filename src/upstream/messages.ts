/**
 * Wording of the client's errors, written for the operator at 3 a.m.: which connection of which
 * tenant, what happened, and what to do about it.
 */
import type { BudgetHold } from './rate-limiter.ts';
import type { UpstreamErrorKind } from './upstream-error.ts';

export interface Subject {
  /** e.g. "Connecteam". */
  readonly upstream: string;
  readonly tenantId: string;
  readonly connectionId: string;
}

/** `Connecteam connection "acme-connecteam" of tenant "acme"`. */
export function subjectOf(subject: Subject): string {
  return `${subject.upstream} connection "${subject.connectionId}" of tenant "${subject.tenantId}"`;
}

/** `5 h 3 min`, `42 s`: how far away an instant is, for people. */
export function humanDuration(ms: number): string {
  const seconds = Math.max(0, Math.ceil(ms / 1000));
  if (seconds < 120) return `${seconds} s`;
  const minutes = Math.ceil(seconds / 60);
  if (minutes < 120) return `${minutes} min`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

/** `at 2026-11-26T00:00:00.000Z (in 5 h 3 min)`. */
export function whenText(at: number, now: number): string {
  return `at ${new Date(at).toISOString()} (in ${humanDuration(at - now)})`;
}

const WINDOW_WORD = { second: 'second', minute: 'minute', day: 'day' } as const;
const LIMIT_SETTING = { second: 'limits.perSecond', minute: 'limits.perMinute', day: 'limits.perDay' } as const;

/** Why a request was refused before it was sent: a budget that refills too far ahead to wait for. */
export function budgetSpentText(hold: BudgetHold, until: number, now: number): string {
  const when = whenText(until, now);
  if (hold.window === 'pause') {
    return `is paused by the upstream's rate limit until ${when}; run the sync again after that`;
  }
  const per = WINDOW_WORD[hold.window];
  if (hold.source === 'client') {
    return (
      `has used its budget of ${hold.limit ?? '?'} requests per ${per} (${LIMIT_SETTING[hold.window]}); ` +
      `it frees up ${when}. Run the sync again after that, or raise ${LIMIT_SETTING[hold.window]} if the upstream plan allows more`
    );
  }
  const limit = hold.limit === undefined ? '' : ` of ${hold.limit} requests`;
  return (
    `has spent the upstream's ${per === 'day' ? 'daily' : `per-${per}`} request budget${limit}; it resets ${when}. ` +
    `Run the sync again after that, or move the account to a plan with a higher limit`
  );
}

/** What to try after retries ran out, per kind of the last failure. */
export function adviceFor(kind: UpstreamErrorKind, timeoutMs: number): string {
  switch (kind) {
    case 'rate_limited':
      return 'the upstream kept refusing for rate limit; lower this connection\'s limits (perMinute/perSecond) or run it less often';
    case 'server':
      return 'the upstream is failing on its side; the next scheduled run will try again';
    case 'timeout':
      return `each attempt waited ${timeoutMs} ms for an answer; check the upstream's status or raise timeoutMs`;
    case 'network':
      return 'check the connection\'s base URL and this machine\'s network access to it';
    case 'bad_response':
      return 'the upstream sent bodies that are not JSON (cut off or an error page); the next scheduled run will try again';
    default:
      return 'see the last cause above';
  }
}
