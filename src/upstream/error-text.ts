/**
 * The human part of an upstream's error body, short enough for one log line. Each upstream puts
 * it somewhere else: Connecteam `error` / `detail[].msg` / `details.error_message`, YClients
 * `meta.message` / `errors`, Cliniko `message`. Unknown shapes fall back to the raw text.
 */

const MAX_CHARS = 300;

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function textOf(value: unknown): string | undefined {
  if (typeof value === 'string') return value.trim() || undefined;
  if (Array.isArray(value)) {
    const parts = value.map((item) => (isRecord(item) ? textOf(item.msg ?? item.message) : textOf(item)));
    const joined = parts.filter((p) => p !== undefined).join('; ');
    return joined || (value.length > 0 ? JSON.stringify(value) : undefined);
  }
  if (isRecord(value)) return textOf(value.message ?? value.error_message ?? value.msg) ?? JSON.stringify(value);
  return undefined;
}

function fromJson(body: unknown): string | undefined {
  if (!isRecord(body)) return undefined;
  const meta = isRecord(body.meta) ? body.meta : undefined;
  const details = isRecord(body.details) ? body.details : undefined;
  return (
    textOf(body.error) ??
    textOf(body.message) ??
    textOf(meta?.message) ??
    textOf(body.detail) ??
    textOf(details?.error_message) ??
    textOf(body.errors)
  );
}

/** The error text of a response body, whitespace collapsed, at most `max` characters. */
export function errorTextOf(body: string, max = MAX_CHARS): string {
  let text: string | undefined;
  try {
    text = fromJson(JSON.parse(body));
  } catch {
    // Not JSON (an HTML error page, a proxy's plain text): show the text itself.
  }
  const flat = (text ?? body).replace(/\s+/g, ' ').trim();
  return flat.length > max ? `${flat.slice(0, max - 1)}…` : flat;
}
