/**
 * Rows between their JSON form (what mutators and the server see) and SQLite's: booleans as 0/1,
 * json as text, instants and dates as text. Reads and writes of replicated tables on the site.
 */
import type { DatabaseSync, SQLInputValue } from 'node:sqlite';
import type { JsonValue, ReplicaDefinition, ReplicaRow } from '../definition.ts';
import { keyOf, normalizeRow, tableOf } from '../rows.ts';

function toSqlite(value: JsonValue, type: string): SQLInputValue {
  if (value === null) return null;
  if (type === 'boolean') return value ? 1 : 0;
  if (type === 'json') return JSON.stringify(value);
  return value as SQLInputValue;
}

function fromSqlite(value: unknown, type: string): JsonValue {
  if (value === null || value === undefined) return null;
  if (type === 'boolean') return Number(value) !== 0;
  if (type === 'json') return JSON.parse(String(value)) as JsonValue;
  if (typeof value === 'bigint') return Number(value);
  return value as JsonValue;
}

export class SqliteRows {
  private readonly db: DatabaseSync;
  private readonly definition: ReplicaDefinition;

  constructor(db: DatabaseSync, definition: ReplicaDefinition) {
    this.db = db;
    this.definition = definition;
  }

  private decode(table: string, raw: Record<string, unknown>): ReplicaRow {
    const { columns } = tableOf(this.definition, table);
    return Object.fromEntries(Object.entries(columns).map(([column, type]) => [column, fromSqlite(raw[column], type)]));
  }

  private where(table: string, values: ReplicaRow): { sql: string; params: SQLInputValue[] } {
    const { columns } = tableOf(this.definition, table);
    const entries = Object.entries(values);
    if (entries.length === 0) return { sql: '', params: [] };
    for (const [column] of entries) if (!Object.hasOwn(columns, column)) throw new Error(`${table} has no column "${column}"`);
    return {
      sql: ` WHERE ${entries.map(([column, value]) => (value === null ? `"${column}" IS NULL` : `"${column}" = ?`)).join(' AND ')}`,
      params: entries.filter(([, value]) => value !== null).map(([column, value]) => toSqlite(value, columns[column]!)),
    };
  }

  get(table: string, key: ReplicaRow): ReplicaRow | null {
    const where = this.where(table, keyOf(this.definition, table, key));
    const raw = this.db.prepare(`SELECT * FROM "${table}"${where.sql}`).get(...where.params) as Record<string, unknown> | undefined;
    return raw ? this.decode(table, raw) : null;
  }

  list(table: string, where: ReplicaRow = {}): ReplicaRow[] {
    const { key } = tableOf(this.definition, table);
    const filter = this.where(table, where);
    const rows = this.db.prepare(`SELECT * FROM "${table}"${filter.sql} ORDER BY ${key.map((k) => `"${k}"`).join(', ')}`).all(...filter.params) as Record<string, unknown>[];
    return rows.map((raw) => this.decode(table, raw));
  }

  /** Insert or replace the whole row; returns the normalized row. */
  put(table: string, row: ReplicaRow): ReplicaRow {
    const full = normalizeRow(this.definition, table, row);
    const { columns } = tableOf(this.definition, table);
    const names = Object.keys(columns);
    this.db
      .prepare(`INSERT OR REPLACE INTO "${table}" (${names.map((n) => `"${n}"`).join(', ')}) VALUES (${names.map(() => '?').join(', ')})`)
      .run(...names.map((n) => toSqlite(full[n]!, columns[n]!)));
    return full;
  }

  delete(table: string, key: ReplicaRow): void {
    const where = this.where(table, keyOf(this.definition, table, key));
    this.db.prepare(`DELETE FROM "${table}"${where.sql}`).run(...where.params);
  }

  /** Empty every replicated table (a pull answered `reset`). */
  clear(): void {
    for (const table of Object.keys(this.definition.tables)) this.db.exec(`DELETE FROM "${table}"`);
  }
}
