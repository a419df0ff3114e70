/**
 * The bodies the simulator answers with. Successes use Connecteam's `{requestId, data, paging?}`
 * envelope; request validation errors use the FastAPI shape the OpenAPI documents
 * (`{"detail":[{loc, msg, type}]}`); other errors use its `{error, path, requestId}` shape, since the
 * real 401/404/429/503 bodies are not documented.
 */

export interface Answer {
  readonly status: number;
  /** JSON text. Big answers are assembled as text, never parsed back. */
  readonly body: string;
}

export function envelope(requestId: string, data: unknown, paging?: { offset: number }): Answer {
  return { status: 200, body: JSON.stringify({ requestId, data, paging }) };
}

export function errorAnswer(status: number, error: string, path: string, requestId: string): Answer {
  return { status, body: JSON.stringify({ error, path, requestId }) };
}

/** A bad query parameter: thrown by route handlers, answered 400 by the server. */
export class QueryError extends Error {
  override readonly name = 'QueryError';
  readonly parameter: string;
  readonly type: string;

  constructor(parameter: string, message: string, type = 'value_error') {
    super(message);
    this.parameter = parameter;
    this.type = type;
  }

  toAnswer(): Answer {
    return { status: 400, body: JSON.stringify({ detail: [{ loc: ['query', this.parameter], msg: this.message, type: this.type }] }) };
  }
}

const WHOLE_NUMBER = /^-?\d+$/;

/** An integer query parameter in [min, max], or `fallback` when absent. */
export function intParam(query: URLSearchParams, name: string, range: { min: number; max?: number }, fallback?: number): number | undefined {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  const max = range.max ?? Number.MAX_SAFE_INTEGER;
  if (!WHOLE_NUMBER.test(raw) || !Number.isSafeInteger(value) || value < range.min || value > max) {
    throw new QueryError(name, `${name} must be a whole number from ${range.min}${range.max === undefined ? ' up' : ` to ${max}`} (got "${raw}")`);
  }
  return value;
}

/** A repeated integer parameter, read under both `name` and `name[]` as clients send either. */
export function intListParam(query: URLSearchParams, name: string): Set<number> | undefined {
  const raw = [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((value) => value.split(','));
  if (raw.length === 0) return undefined;
  return new Set(
    raw.map((value) => {
      const parsed = Number(value);
      if (!WHOLE_NUMBER.test(value) || !Number.isSafeInteger(parsed)) throw new QueryError(`${name}[]`, `${name}[] must be whole numbers (got "${value}")`);
      return parsed;
    }),
  );
}
