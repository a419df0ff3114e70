/**
 * A place alerts go (a webhook, Slack, Telegram, Sentry) and the one HTTP POST they share: a
 * timeout, no redirects followed (a body is never re-sent somewhere else), and errors that name
 * the channel and what went wrong but never its URL or token, with any secret scrubbed from the
 * receiver's answer.
 */
import type { Alert } from '../alert.ts';
import { scrubSecrets, urlSecretParts } from '../redact.ts';

export interface Channel {
  /** Stable within a tenant's configuration: `webhook:0`, `slack`, `telegram`, `sentry`. */
  readonly id: string;
  /** For messages: `webhook #1 (hooks.example.com)`, `slack`. Never a secret. */
  readonly label: string;
  send(alert: Alert): Promise<void>;
}

/** A delivery that did not go through; its message is safe to log and to keep. */
export class DeliveryError extends Error {
  override readonly name = 'DeliveryError';
}

export interface PostOptions {
  readonly label: string;
  readonly url: string;
  readonly body: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Values that must not appear in an error (tokens, secret URLs); their URL parts are added. */
  readonly secrets: readonly string[];
  readonly timeoutMs: number;
}

const SNIPPET = 200;

function fragmentsOf(secrets: readonly string[]): string[] {
  const all = new Set<string>();
  for (const secret of secrets) {
    if (secret.length >= 4) all.add(secret);
    for (const part of urlSecretParts(secret)) all.add(part);
  }
  return [...all].sort((a, b) => b.length - a.length);
}

/** POST and return the response text; throws DeliveryError on a network failure, a timeout or a non-2xx answer. */
export async function post(options: PostOptions): Promise<string> {
  const fragments = fragmentsOf([options.url, ...options.secrets]);
  let response: Response;
  try {
    response = await fetch(options.url, {
      method: 'POST',
      body: options.body,
      headers: { 'user-agent': 'tidemark-alerts', ...options.headers },
      redirect: 'manual',
      signal: AbortSignal.timeout(options.timeoutMs),
    });
  } catch (error) {
    throw new DeliveryError(`${options.label}: ${scrubSecrets(networkReason(error, options.timeoutMs), fragments)}`);
  }
  const text = await response.text().catch(() => '');
  if (response.status < 200 || response.status >= 300) {
    const snippet = scrubSecrets(text.replace(/\s+/g, ' ').trim().slice(0, SNIPPET), fragments);
    throw new DeliveryError(`${options.label}: HTTP ${response.status}${snippet ? `: ${snippet}` : ''}`);
  }
  return text;
}

function networkReason(error: unknown, timeoutMs: number): string {
  if (error instanceof Error && (error.name === 'TimeoutError' || error.name === 'AbortError')) return `no answer within ${timeoutMs / 1000} s`;
  const cause = error instanceof Error ? (error.cause as { code?: unknown; message?: unknown } | undefined) : undefined;
  // The error code, else the cause's message (scrubbed by the caller): never the URL, whose path may be a token.
  if (cause && typeof cause.code === 'string') return `request failed (${cause.code})`;
  if (cause && typeof cause.message === 'string' && cause.message) return `request failed (${cause.message})`;
  return 'request failed';
}
