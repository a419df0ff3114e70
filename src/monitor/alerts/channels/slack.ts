/** Slack: an incoming webhook (its URL is the secret), posted `{ "text": … }`. */
import type { SecretRef } from '../../../config/schema.ts';
import { resolveSecret } from '../../../config/secrets.ts';
import type { Alert } from '../alert.ts';
import { alertText } from '../text.ts';
import { post, type Channel } from './channel.ts';

/** Slack's mrkdwn treats &, < and > as control characters. */
function escapeSlack(text: string): string {
  return text.replaceAll('&', '&amp;').replaceAll('<', '&lt;').replaceAll('>', '&gt;');
}

export function slackChannel(settings: { readonly webhookUrl: SecretRef }, tenantId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Channel {
  return {
    id: 'slack',
    label: 'slack',
    async send(alert: Alert) {
      const url = resolveSecret(settings.webhookUrl, `tenants[${tenantId}].alerts.slack.webhookUrl`, env);
      const body = JSON.stringify({ text: escapeSlack(alertText(alert)) });
      await post({ label: 'slack', url, body, headers: { 'content-type': 'application/json' }, secrets: [url], timeoutMs });
    },
  };
}
