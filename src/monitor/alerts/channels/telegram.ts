/** Telegram: the Bot API's sendMessage (`POST {apiUrl}/bot<token>/sendMessage {chat_id, text}`). */
import type { SecretRef } from '../../../config/schema.ts';
import { resolveSecret } from '../../../config/secrets.ts';
import type { Alert } from '../alert.ts';
import { alertText } from '../text.ts';
import { DeliveryError, post, type Channel } from './channel.ts';

export const TELEGRAM_API = 'https://api.telegram.org';
// Telegram refuses longer messages.
const MAX_TEXT = 4096;

export interface TelegramSettings {
  readonly botToken: SecretRef;
  readonly chatId: string;
  readonly apiUrl?: string | undefined;
}

export function telegramChannel(settings: TelegramSettings, tenantId: string, env: NodeJS.ProcessEnv, timeoutMs: number): Channel {
  return {
    id: 'telegram',
    label: 'telegram',
    async send(alert: Alert) {
      const token = resolveSecret(settings.botToken, `tenants[${tenantId}].alerts.telegram.botToken`, env);
      const base = (settings.apiUrl ?? TELEGRAM_API).replace(/\/+$/, '');
      const text = alertText(alert);
      const body = JSON.stringify({ chat_id: settings.chatId, text: text.length > MAX_TEXT ? `${text.slice(0, MAX_TEXT - 1)}…` : text });
      const answer = await post({ label: 'telegram', url: `${base}/bot${token}/sendMessage`, body, headers: { 'content-type': 'application/json' }, secrets: [token], timeoutMs });
      // The Bot API answers {"ok": true, …}; anything else did not send the message.
      let ok = false;
      try {
        ok = (JSON.parse(answer) as { ok?: unknown }).ok === true;
      } catch {
        ok = false;
      }
      if (!ok) throw new DeliveryError('telegram: the Bot API did not answer {"ok": true}');
    },
  };
}
