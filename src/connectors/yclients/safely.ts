/**
 * Normalizers must never throw (stream.ts): a record that trips an unexpected error (an unknown
 * zone, a value no schema foresaw) becomes a dead letter with the reason, and the run goes on.
 */
import type { NormalizeResult } from '../../engine/stream.ts';

export function safely(what: string, normalize: () => NormalizeResult, key: () => string | undefined): NormalizeResult {
  try {
    return normalize();
  } catch (error) {
    let known: string | undefined;
    try {
      known = key();
    } catch {
      known = undefined;
    }
    const reason = `invalid YClients ${what}: ${error instanceof Error ? error.message : String(error)}`;
    return known === undefined ? { ok: false, reason } : { ok: false, reason, key: known };
  }
}

/** The record's id as a key for a dead letter, when it has a readable one. */
export function looseKey(raw: unknown, field: string): string | undefined {
  if (typeof raw !== 'object' || raw === null) return undefined;
  const value: unknown = (raw as Record<string, unknown>)[field];
  if (typeof value === 'number' && Number.isSafeInteger(value) && value >= 0) return String(value);
  if (typeof value === 'string' && /^\d{1,19}$/.test(value.trim())) return BigInt(value.trim()).toString();
  return undefined;
}
