/**
 * Rows as both sides hold them: checked against the table's declaration and normalized the same
 * way (instants to UTC ISO-8601 with `Z`, dates to YYYY-MM-DD, integers exact), so the site's row
 * and the server's row compare equal. A row's identity is its key values as one JSON text.
 */
import type { ColumnType, JsonValue, ReplicaDefinition, ReplicaRow, TableDefinition } from './definition.ts';
import { MutationRejected } from './definition.ts';

const ISO_DATE = /^\d{4}-\d{2}-\d{2}$/;
/** An instant must say where it is: `Z` or an offset. A naive local time is refused. */
const ZONED_INSTANT = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}(:\d{2}(\.\d+)?)?(Z|[+-]\d{2}:?\d{2})$/i;

export function tableOf(definition: ReplicaDefinition, table: string): TableDefinition {
  const found = Object.hasOwn(definition.tables, table) ? definition.tables[table] : undefined;
  if (!found) throw new MutationRejected(`no replicated table "${table}"; known: ${Object.keys(definition.tables).join(', ')}`);
  return found;
}

function normalizeValue(table: string, column: string, type: ColumnType, value: JsonValue | undefined): JsonValue {
  if (value === undefined || value === null) return null;
  const refuse = (expected: string): never => {
    throw new MutationRejected(`${table}.${column}: expected ${expected}; received ${JSON.stringify(value).slice(0, 80)}`);
  };
  switch (type) {
    case 'text':
      return typeof value === 'string' ? value : refuse('text');
    case 'integer':
      return typeof value === 'number' && Number.isSafeInteger(value) ? value : refuse('a whole number');
    case 'real':
      return typeof value === 'number' && Number.isFinite(value) ? value : refuse('a number');
    case 'boolean':
      return typeof value === 'boolean' ? value : refuse('true or false');
    case 'date':
      return typeof value === 'string' && ISO_DATE.test(value) ? value : refuse('a date YYYY-MM-DD');
    case 'instant': {
      if (typeof value !== 'string' || !ZONED_INSTANT.test(value)) return refuse('an ISO-8601 instant with Z or an offset');
      const instant = new Date(value);
      return Number.isNaN(instant.getTime()) ? refuse('a valid instant') : instant.toISOString();
    }
    case 'json':
      return value;
  }
}

/** The full row as stored: every declared column (null when absent); unknown columns refused. */
export function normalizeRow(definition: ReplicaDefinition, table: string, row: ReplicaRow): ReplicaRow {
  const declared = tableOf(definition, table);
  for (const column of Object.keys(row)) {
    if (!Object.hasOwn(declared.columns, column)) throw new MutationRejected(`${table} has no column "${column}"; columns: ${Object.keys(declared.columns).join(', ')}`);
  }
  const out: ReplicaRow = {};
  for (const [column, type] of Object.entries(declared.columns)) out[column] = normalizeValue(table, column, type, row[column]);
  for (const column of declared.key) {
    if (out[column] === null) throw new MutationRejected(`${table}.${column} is part of the key and cannot be empty`);
  }
  return out;
}

/** The key columns of `row`, normalized (a row or a key object may be passed). */
export function keyOf(definition: ReplicaDefinition, table: string, row: ReplicaRow): ReplicaRow {
  const declared = tableOf(definition, table);
  const key: ReplicaRow = {};
  for (const column of declared.key) {
    const value = normalizeValue(table, column, declared.columns[column]!, row[column]);
    if (value === null) throw new MutationRejected(`${table}: key column "${column}" is missing`);
    key[column] = value;
  }
  return key;
}

/** The row's identity as text: its key values, in key order, as a JSON array. */
export function keyText(definition: ReplicaDefinition, table: string, row: ReplicaRow): string {
  const declared = tableOf(definition, table);
  const key = keyOf(definition, table, row);
  return JSON.stringify(declared.key.map((column) => key[column]!));
}

/** The key object back from its text. */
export function keyFromText(definition: ReplicaDefinition, table: string, text: string): ReplicaRow {
  const declared = tableOf(definition, table);
  const values = JSON.parse(text) as JsonValue[];
  return Object.fromEntries(declared.key.map((column, i) => [column, values[i] ?? null]));
}
