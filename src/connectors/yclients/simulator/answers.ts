/**
 * The bodies the simulator answers with: YClients' `{success, data, meta}` envelope everywhere
 * (upstream-apis.md §2.4, §2.7). Error bodies are undocumented; the simulator uses the envelope
 * with `success: false` and the reason in `meta.message`, which is what clients read.
 */
import type { FaultOptions } from './faults.ts';

export interface Answer {
  readonly status: number;
  /** JSON text. */
  readonly body: string;
}

/** The documented `meta` of each list: `{count}`, `{total_count}` or an empty array. */
export type DocumentedMeta = 'count' | 'total_count' | 'empty';

/** Every number in `value` written as a string, as YClients does for many fields. */
export function stringifyNumbers(value: unknown): unknown {
  if (typeof value === 'number') return String(value);
  if (Array.isArray(value)) return value.map(stringifyNumbers);
  if (typeof value === 'object' && value !== null) {
    return Object.fromEntries(Object.entries(value).map(([key, item]) => [key, stringifyNumbers(item)]));
  }
  return value;
}

function metaOf(documented: DocumentedMeta, count: number, shape: FaultOptions['metaShape']): unknown {
  if (shape === 'array') return [];
  if (shape === 'object') return { count };
  if (documented === 'empty') return [];
  return documented === 'count' ? { count } : { total_count: count };
}

export function listAnswer(data: readonly unknown[], documented: DocumentedMeta, faults: Pick<FaultOptions, 'metaShape' | 'stringNumbers'>): Answer {
  const sent = faults.stringNumbers ? stringifyNumbers(data) : data;
  return { status: 200, body: JSON.stringify({ success: true, data: sent, meta: metaOf(documented, data.length, faults.metaShape) }) };
}

export function itemAnswer(data: unknown, faults: Pick<FaultOptions, 'stringNumbers'>): Answer {
  return { status: 200, body: JSON.stringify({ success: true, data: faults.stringNumbers ? stringifyNumbers(data) : data, meta: [] }) };
}

export function errorAnswer(status: number, message: string): Answer {
  return { status, body: JSON.stringify({ success: false, data: null, meta: { message } }) };
}

/** A bad request parameter: thrown by route handlers, answered 400 by the server. */
export class QueryError extends Error {
  override readonly name = 'QueryError';

  toAnswer(): Answer {
    return errorAnswer(400, this.message);
  }
}
