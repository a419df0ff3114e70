/** The channels a tenant's `alerts` configure, in a fixed order (their ids key pending deliveries). */
import type { TenantConfig } from '../../../config/schema.ts';
import type { Channel } from './channel.ts';
import { webhookChannel } from './webhook.ts';
import { slackChannel } from './slack.ts';
import { telegramChannel } from './telegram.ts';
import { sentryChannel } from './sentry.ts';

export const DEFAULT_TIMEOUT_MS = 10_000;

export function tenantChannels(tenant: TenantConfig, env: NodeJS.ProcessEnv, timeoutMs = DEFAULT_TIMEOUT_MS): Channel[] {
  const alerts = tenant.alerts;
  if (!alerts) return [];
  const channels: Channel[] = alerts.webhooks.map((webhook, index) => webhookChannel(webhook, index, tenant.id, env, timeoutMs));
  if (alerts.slack) channels.push(slackChannel(alerts.slack, tenant.id, env, timeoutMs));
  if (alerts.telegram) channels.push(telegramChannel(alerts.telegram, tenant.id, env, timeoutMs));
  if (alerts.sentry) channels.push(sentryChannel(alerts.sentry, tenant.id, env, timeoutMs));
  return channels;
}
