/**
 * No secret leaves in an alert: every value the configuration takes from the environment
 * (`{ "env": NAME }`: upstream credentials, database URLs, webhook URLs and secrets, bot tokens,
 * DSNs) is masked in alert texts and in delivery errors, whatever put it there (an upstream
 * echoing a key in an error body that ended up in a run's error, a receiver echoing its URL).
 * The values come from `configuredSecrets` (src/log/secrets.ts), the same list the logger censors.
 */
import { scrubSecrets } from '../../upstream/redact.ts';

// Shorter values are not masked: they would also erase ordinary words.
const MIN_SECRET_LENGTH = 6;

/** The pieces of a URL that carry a credential: user info, path segments, query values. */
export function urlSecretParts(value: string): string[] {
  try {
    const url = new URL(value);
    const parts = [url.username, url.password, ...url.pathname.split('/'), ...url.searchParams.values()].map((p) => {
      try {
        return decodeURIComponent(p);
      } catch {
        return p;
      }
    });
    // Path segments like "api" or "services" are not secret; tokens are long.
    return parts.filter((p) => p.length >= 16 || (p.length >= MIN_SECRET_LENGTH && /\d/.test(p) && /[a-z]/i.test(p)));
  } catch {
    return [];
  }
}

/** `value` with every string inside it scrubbed. */
export function scrubDeep<T>(value: T, secrets: readonly string[]): T {
  if (secrets.length === 0) return value;
  if (typeof value === 'string') return scrubSecrets(value, secrets) as T;
  if (Array.isArray(value)) return value.map((item: unknown) => scrubDeep(item, secrets)) as T;
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([k, v]) => [k, scrubDeep(v, secrets)])) as T;
  }
  return value;
}

export { scrubSecrets };
