/**
 * Which Cliniko shard an account lives on. The API key ends with it (`…-au2`, `…-uk1`); a key
 * without a suffix belongs to `au1` (upstream-apis.md §3.1). The base URL follows from the shard.
 */

export const DEFAULT_SHARD = 'au1';
// The documented check for a shard: two letters and one or two digits.
const SHARD = /^[a-z]{2}\d{1,2}$/i;

/** The shard named by the key's suffix, lower-cased; `au1` when the key has none. */
export function shardOfKey(apiKey: string): string {
  const dash = apiKey.lastIndexOf('-');
  const suffix = dash < 0 ? '' : apiKey.slice(dash + 1);
  return SHARD.test(suffix) ? suffix.toLowerCase() : DEFAULT_SHARD;
}

/** `https://api.au1.cliniko.com/v1` for shard `au1`. */
export function shardBaseUrl(shard: string): string {
  return `https://api.${shard}.cliniko.com/v1`;
}
