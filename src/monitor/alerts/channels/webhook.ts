/**
 * A generic webhook: the alert as JSON, signed. `X-Tidemark-Signature: sha256=<hex>` is the
 * HMAC-SHA256 of the raw body with the webhook's secret (when one is configured);
 * `X-Tidemark-Event` is the alert's kind and `X-Tidemark-Delivery` its id (the same on retries).
 */
import { createHmac } from 'node:crypto';
import type { SecretRef } from '../../../config/schema.ts';
import { resolveSecret, resolveUrl } from '../../../config/secrets.ts';
import { alertJson, type Alert } from '../alert.ts';
import { post, type Channel } from './channel.ts';

export interface WebhookSettings {
  readonly url: string | SecretRef;
  readonly secret?: SecretRef | undefined;
}

export function signature(secret: string, body: string): string {
  return `sha256=${createHmac('sha256', secret).update(body).digest('hex')}`;
}

function describe(url: string | SecretRef): string {
  if (typeof url !== 'string') return `URL from $${url.env}`;
  try {
    return new URL(url).host;
  } catch {
    return 'invalid URL';
  }
}

export function webhookChannel(settings: WebhookSettings, index: number, tenantId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Channel {
  const setting = `tenants[${tenantId}].alerts.webhooks[${index}]`;
  const label = `webhook #${index + 1} (${describe(settings.url)})`;
  return {
    id: `webhook:${index}`,
    label,
    async send(alert: Alert) {
      const url = resolveUrl(settings.url, `${setting}.url`, env);
      const secret = settings.secret ? resolveSecret(settings.secret, `${setting}.secret`, env) : null;
      const body = alertJson(alert);
      const headers: Record<string, string> = {
        'content-type': 'application/json',
        'x-tidemark-event': alert.kind,
        'x-tidemark-delivery': alert.id,
      };
      if (secret !== null) headers['x-tidemark-signature'] = signature(secret, body);
      await post({ label, url, body, headers, secrets: secret === null ? [] : [secret], timeoutMs });
    },
  };
}
