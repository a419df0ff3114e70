/**
 * Sentry: each alert as an event in an envelope, posted to the project's envelope endpoint from
 * the DSN `{scheme}://{public key}[:{secret key}]@{host}{path}/{project id}` →
 * `{scheme}://{host}{path}/api/{project id}/envelope/`, authenticated by the `X-Sentry-Auth`
 * header (protocol version 7). The key travels in that header only, never in the body; the event
 * id is the alert's id, so a retried delivery is de-duplicated by Sentry.
 */
import type { SecretRef } from '../../../config/schema.ts';
import { resolveSecret } from '../../../config/secrets.ts';
import type { Alert, AlertKind } from '../alert.ts';
import { KIND_LABEL } from '../alert.ts';
import { DeliveryError, post, type Channel } from './channel.ts';

export interface SentryTarget {
  readonly envelopeUrl: string;
  readonly publicKey: string;
  readonly secretKey: string | null;
  readonly projectId: string;
}

/** Parse a DSN; the error never repeats it (it is a credential). */
export function parseDsn(dsn: string): SentryTarget {
  let url: URL;
  try {
    url = new URL(dsn);
  } catch {
    throw new DeliveryError('sentry: the DSN is not a URL (expected https://<key>@<host>/<project>)');
  }
  const segments = url.pathname.split('/');
  const projectId = segments.pop() ?? '';
  if (!/^https?:$/.test(url.protocol) || !url.username || !projectId) {
    throw new DeliveryError('sentry: the DSN is not of the form https://<key>@<host>/<project>');
  }
  const path = segments.join('/').replace(/\/+$/, '');
  return {
    envelopeUrl: `${url.protocol}//${url.host}${path}/api/${projectId}/envelope/`,
    publicKey: decodeURIComponent(url.username),
    secretKey: url.password ? decodeURIComponent(url.password) : null,
    projectId,
  };
}

const LEVEL: Readonly<Record<AlertKind, string>> = { run_failed: 'error', stale: 'warning', slow_run: 'warning', recovered: 'info' };

/** The envelope: its header, one item header, the event (newline-separated JSON). */
export function sentryEnvelope(alert: Alert, now: Date): string {
  const eventId = alert.id.replaceAll('-', '');
  const event = JSON.stringify({
    event_id: eventId,
    timestamp: alert.at,
    platform: 'other',
    level: LEVEL[alert.kind],
    logger: 'tidemark.alerts',
    message: { formatted: alert.message },
    tags: { tenant: alert.tenant, sync: alert.sync, alert_kind: alert.kind, ...(alert.runId ? { run_id: alert.runId } : {}) },
    extra: { alertId: alert.id, details: alert.details },
    fingerprint: ['tidemark', alert.tenant, alert.sync, alert.kind],
    transaction: `${alert.tenant}/${alert.sync}: ${KIND_LABEL[alert.kind]}`,
  });
  const header = JSON.stringify({ event_id: eventId, sent_at: now.toISOString() });
  const item = JSON.stringify({ type: 'event', length: Buffer.byteLength(event, 'utf8'), content_type: 'application/json' });
  return `${header}\n${item}\n${event}\n`;
}

export function sentryChannel(settings: { readonly dsn: SecretRef }, tenantId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Channel {
  return {
    id: 'sentry',
    label: 'sentry',
    async send(alert: Alert) {
      const dsn = resolveSecret(settings.dsn, `tenants[${tenantId}].alerts.sentry.dsn`, env);
      const target = parseDsn(dsn);
      const auth = [`sentry_version=7`, `sentry_client=tidemark-alerts/1`, `sentry_key=${target.publicKey}`];
      if (target.secretKey) auth.push(`sentry_secret=${target.secretKey}`);
      await post({
        label: 'sentry',
        url: target.envelopeUrl,
        body: sentryEnvelope(alert, new Date()),
        headers: { 'content-type': 'application/x-sentry-envelope', 'x-sentry-auth': `Sentry ${auth.join(', ')}` },
        secrets: [dsn, target.publicKey, ...(target.secretKey ? [target.secretKey] : [])],
        timeoutMs,
      });
    },
  };
}
