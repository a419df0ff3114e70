/**
 * Cliniko's `q[]` filters (upstream-apis.md §3.4): `field:<operator><value>`, repeated and ANDed.
 * Each list declares its searchable fields and their types; any other field is refused with
 * Cliniko's own 400 body, `{"message":"This column is not searchable."}`.
 *
 * Lists leave out records whose "hidden" columns (archived_at, and on appointments deleted_at and
 * cancelled_at) are set, unless a filter names the column: `archived_at:*` asks for every value.
 */

export type FieldType = 'datetime' | 'numeric' | 'string' | 'date';
export type SearchableFields = Readonly<Record<string, FieldType>>;

/** A stored record; filters read its fields by name (ids as strings, instants in Cliniko's format). */
export type FilterRow = object;

function field(row: FilterRow, name: string): unknown {
  return (row as Record<string, unknown>)[name];
}

export class FilterError extends Error {
  override readonly name = 'FilterError';
}

export interface Filter {
  readonly field: string;
  test(row: FilterRow): boolean;
}

const OPERATORS: Readonly<Record<FieldType, readonly string[]>> = {
  datetime: ['>=', '<=', '!?', '>', '<', '?', '*'],
  date: ['>=', '<=', '!?', '>', '<', '?', '='],
  numeric: ['>=', '<=', '!=', '!?', '>', '<', '?', '='],
  string: ['!=', '!?', '~~', '=', '~', '?'],
};
const UTC_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/;

function compare<T>(op: string, left: T, right: T): boolean {
  switch (op) {
    case '>=': return left >= right;
    case '<=': return left <= right;
    case '>': return left > right;
    case '<': return left < right;
    case '!=': return left !== right;
    default: return left === right;
  }
}

function isSet(value: unknown): boolean {
  return value !== null && value !== undefined && value !== '';
}

function parseValue(type: FieldType, op: string, raw: string, field: string): (value: unknown) => boolean {
  if (op === '?') return isSet;
  if (op === '!?') return (value) => !isSet(value);
  if (op === '*') return () => true;
  if (type === 'datetime') {
    if (!UTC_INSTANT.test(raw) || Number.isNaN(Date.parse(raw))) throw new FilterError(`${field}: "${raw}" is not a UTC date-time such as 2014-08-30T18:00:00Z`);
    const bound = Date.parse(raw);
    return (value) => isSet(value) && compare(op, Date.parse(String(value)), bound);
  }
  if (type === 'date') {
    if (!/^\d{4}-\d{2}-\d{2}$/.test(raw)) throw new FilterError(`${field}: "${raw}" is not a date such as 2014-08-30`);
    return (value) => isSet(value) && compare(op, String(value), raw);
  }
  if (type === 'numeric') {
    const list = raw.split(',');
    if (list.some((item) => !/^-?\d+$/.test(item)) || (op !== '=' && list.length > 1)) throw new FilterError(`${field}: "${raw}" is not a number${op === '=' ? ' or a list 1,2,3' : ''}`);
    const bounds = list.map((item) => BigInt(item));
    if (op === '=') return (value) => isSet(value) && bounds.includes(BigInt(String(value)));
    return (value) => isSet(value) && compare(op, BigInt(String(value)), bounds[0]!);
  }
  if (op === '~') return (value) => isSet(value) && String(value).toLowerCase().includes(raw.toLowerCase());
  if (op === '~~') {
    const pattern = new RegExp(`^${raw.split('%').map((part) => part.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`, 'i');
    return (value) => isSet(value) && pattern.test(String(value));
  }
  return (value) => compare(op, String(value ?? ''), raw);
}

/** Parse every `q[]` (and legacy bare `q`) of a request against the list's searchable fields. */
export function parseFilters(query: URLSearchParams, searchable: SearchableFields): Filter[] {
  return [...query.getAll('q[]'), ...query.getAll('q')].map((text) => {
    const colon = text.indexOf(':');
    if (colon < 1) throw new FilterError(`"${text}" is not a filter like updated_at:>2014-08-30T18:00:00Z`);
    const name = text.slice(0, colon);
    const type = searchable[name];
    if (type === undefined) throw new FilterError('This column is not searchable.');
    const rest = text.slice(colon + 1);
    const op = OPERATORS[type].find((candidate) => rest.startsWith(candidate));
    if (op === undefined) throw new FilterError(`${name}: no ${type} operator in "${rest}"; use one of ${OPERATORS[type].join(' ')}`);
    const accepts = parseValue(type, op, rest.slice(op.length), name);
    return { field: name, test: (row: FilterRow) => accepts(field(row, name)) };
  });
}

/** The list's rows that pass every filter and are not hidden by a column no filter names. */
export function applyFilters<T extends FilterRow>(rows: readonly T[], filters: readonly Filter[], hidden: readonly string[]): T[] {
  const stillHidden = hidden.filter((column) => !filters.some((filter) => filter.field === column));
  return rows.filter((row) => stillHidden.every((column) => !isSet(field(row, column))) && filters.every((filter) => filter.test(row)));
}
