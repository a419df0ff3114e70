/**
 * Invariant 9 for the upstream client: no credential leaves in an error message, URL or log.
 * The auth hook's header values are the secrets; we also remove the parts inside them (the token
 * after "Bearer", the key inside a Basic pair), because an upstream may echo a bad key back in
 * its error body ("invalid key sk_live_…") and that body is what the operator reads.
 */

const MASK = '***';
// Fragments shorter than this are not masked: they would also erase ordinary words.
const MIN_SECRET_LENGTH = 6;
const AUTH_SCHEMES = new Set(['basic', 'bearer', 'token', 'user', 'digest', 'apikey']);
// Query parameters that carry credentials on some APIs (`?api_key=`, `?access_token=`).
const SECRET_PARAM = /key|token|secret|password|passwd|signature|credential|auth/i;

function decodeBasic(token: string): string[] {
  try {
    const decoded = Buffer.from(token, 'base64').toString('utf8');
    const colon = decoded.indexOf(':');
    return colon < 0 ? [] : [decoded.slice(0, colon), decoded.slice(colon + 1)];
  } catch {
    return [];
  }
}

/** Every string that must not appear in text shown to anyone, longest first. */
export function secretFragments(authHeaders: Readonly<Record<string, string>>): string[] {
  const found = new Set<string>();
  for (const raw of Object.values(authHeaders)) {
    const value = raw.trim();
    found.add(value);
    const words = value.split(/[\s,]+/);
    for (const [index, word] of words.entries()) {
      if (AUTH_SCHEMES.has(word.toLowerCase())) continue;
      found.add(word);
      if (words[index - 1]?.toLowerCase() === 'basic') for (const part of decodeBasic(word)) found.add(part);
    }
  }
  return [...found].filter((s) => s.length >= MIN_SECRET_LENGTH).sort((a, b) => b.length - a.length);
}

/** `text` with every secret fragment (raw or URL-encoded) replaced by `***`. */
export function scrubSecrets(text: string, fragments: readonly string[]): string {
  let clean = text;
  for (const fragment of fragments) {
    clean = clean.split(fragment).join(MASK);
    const encoded = encodeURIComponent(fragment);
    if (encoded !== fragment) clean = clean.split(encoded).join(MASK);
  }
  return clean;
}

/** A URL fit for an error message: no user info, credential-like query values masked. */
export function safeUrl(url: string, fragments: readonly string[] = []): string {
  let shown = url;
  try {
    const parsed = new URL(url);
    parsed.username = '';
    parsed.password = '';
    for (const name of new Set(parsed.searchParams.keys())) {
      if (SECRET_PARAM.test(name)) parsed.searchParams.set(name, MASK);
    }
    shown = parsed.toString();
  } catch {
    // Not a parseable URL: fall through to masking fragments only.
  }
  return scrubSecrets(shown, fragments);
}
