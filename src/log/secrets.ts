/**
 * The secret values a process holds, resolved from the environment the configuration points at:
 * connection credentials, destination and control-plane URLs (`DATABASE_URL` too), and every alert
 * channel's URL, key or token. The logger censors each of them in every line it writes, whatever
 * field or message carries it. Values shorter than MIN_SECRET_LENGTH are not censored (a two-letter
 * "secret" would mangle every line); the config schema keeps passwords out of literal URLs anyway.
 */
import type { Config, SecretRef } from '../config/schema.ts';

export const MIN_SECRET_LENGTH = 4;

const SECRET_PARAMS = /^(password|sslpassword|sslkey|pass|secret|token|api_?key|key|sig|signature)$/i;

function safeDecode(text: string): string {
  try {
    return decodeURIComponent(text);
  } catch {
    return text;
  }
}

/** A URL's secret parts: its password, secret query parameters, and with `wholePath` its path (a secret webhook URL's path is its key). */
function urlParts(value: string, options: { wholePath?: boolean; username?: boolean } = {}): string[] {
  let url: URL;
  try {
    url = new URL(value);
  } catch {
    return [];
  }
  const parts: string[] = [];
  if (url.password) parts.push(url.password, safeDecode(url.password));
  if (options.username && url.username) parts.push(url.username, safeDecode(url.username));
  for (const [name, param] of url.searchParams) if (SECRET_PARAMS.test(name)) parts.push(param);
  if (options.wholePath && url.pathname.length > 1) parts.push(url.pathname + url.search, url.pathname);
  return parts;
}

/** The names of every `{ "env": NAME }` reference anywhere in the configuration. */
function envRefs(value: unknown, names = new Set<string>()): Set<string> {
  if (Array.isArray(value)) {
    for (const item of value) envRefs(item, names);
  } else if (typeof value === 'object' && value !== null) {
    const record = value as Record<string, unknown>;
    const keys = Object.keys(record);
    if (keys.length === 1 && keys[0] === 'env' && typeof record.env === 'string') names.add(record.env);
    else for (const item of Object.values(record)) envRefs(item, names);
  }
  return names;
}

/** Every configured secret's value (and the pieces of secret URLs), longest first, without duplicates. */
export function configuredSecrets(config: Config, env: NodeJS.ProcessEnv): string[] {
  const values: string[] = [];
  const add = (ref: SecretRef | string | undefined, kind: 'plain' | 'database' | 'webhook' | 'dsn' = 'plain') => {
    if (ref === undefined) return;
    // A literal URL is not a secret (the schema keeps passwords out of it; a webhook URL that is a
    // secret comes from the environment, docs/monitoring.md).
    const value = typeof ref === 'string' ? undefined : env[ref.env];
    if (!value) return;
    values.push(value);
    if (kind === 'database') values.push(...urlParts(value));
    if (kind === 'webhook') values.push(...urlParts(value, { wholePath: true }));
    if (kind === 'dsn') values.push(...urlParts(value, { username: true }));
  };
  for (const connection of config.connections) for (const ref of Object.values(connection.credentials)) add(ref);
  for (const destination of config.destinations) add(destination.url, 'database');
  add(config.controlPlane.url, 'database');
  add({ env: 'DATABASE_URL' }, 'database');
  for (const tenant of config.tenants) {
    const alerts = tenant.alerts;
    if (!alerts) continue;
    for (const webhook of alerts.webhooks) {
      add(webhook.url, 'webhook');
      add(webhook.secret);
    }
    add(alerts.slack?.webhookUrl, 'webhook');
    add(alerts.telegram?.botToken);
    add(alerts.sentry?.dsn, 'dsn');
  }
  // Any other `{ "env": NAME }` the configuration holds (a setting added later is covered too).
  for (const name of envRefs(config)) add({ env: name });
  return [...new Set(values.filter((v) => v.length >= MIN_SECRET_LENGTH))].sort((a, b) => b.length - a.length);
}
