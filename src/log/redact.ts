/**
 * Two nets under every log line. By path: credential-carrying fields (HTTP auth headers, API keys,
 * passwords) are replaced wherever a logged object has them. By value: each configured secret
 * (src/log/secrets.ts) is censored in the finished line, raw, JSON-escaped and URL-encoded, so a
 * key quoted inside an error message is caught too.
 */
export const CENSOR = '[redacted]';

const SECRET_FIELDS = ['authorization', 'Authorization', 'cookie', 'Cookie', '"x-api-key"', '"X-API-KEY"', '"X-Api-Key"', 'password', 'apiKey', 'token', 'secret'];

function pathOf(prefix: string, field: string): string {
  return field.startsWith('"') ? `${prefix}[${field}]` : `${prefix}.${field}`;
}

/** pino `redact` paths: the fields above at the top level, under `headers`, and one level further down. */
export const REDACT_PATHS: readonly string[] = [
  ...SECRET_FIELDS.filter((f) => !f.startsWith('"')),
  ...SECRET_FIELDS.map((f) => pathOf('headers', f)),
  ...SECRET_FIELDS.map((f) => pathOf('*.headers', f)),
  ...SECRET_FIELDS.filter((f) => !f.startsWith('"')).map((f) => `*.${f}`),
];

/** The spellings a secret can take inside a JSON log line. */
function spellings(secret: string): string[] {
  const forms = new Set([secret, JSON.stringify(secret).slice(1, -1), encodeURIComponent(secret)]);
  return [...forms].filter((f) => f.length > 0);
}

/** A function replacing every configured secret in a line; the identity when there are none. */
export function secretCensor(secrets: readonly string[]): (line: string) => string {
  const forms = [...new Set(secrets.flatMap(spellings))].sort((a, b) => b.length - a.length);
  if (forms.length === 0) return (line) => line;
  return (line) => {
    let out = line;
    for (const form of forms) if (out.includes(form)) out = out.split(form).join(CENSOR);
    return out;
  };
}
