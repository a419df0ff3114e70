/** An alert as one chat line (Slack, Telegram): a marker for the kind, then its message. */
import type { Alert } from './alert.ts';

const MARK: Readonly<Record<Alert['kind'], string>> = {
  run_failed: '🔴 Run failed',
  stale: '🟠 Stale data',
  slow_run: '🟡 Slow run',
  recovered: '✅ Recovered',
};

export function alertText(alert: Alert): string {
  return `${MARK[alert.kind]} [${alert.tenant}] ${alert.message}`;
}
