/**
 * Which database types hold each Tidemark column type correctly, per dialect, and why the
 * look-alikes do not. The classic failure: clock times in a column without a zone.
 */
import type { ColumnType } from '../destinations/table-spec.ts';
import type { InspectDialect } from './table-inspection.ts';

type Accepted = Readonly<Record<ColumnType, readonly string[]>>;

export const ACCEPTED_TYPES: Readonly<Record<InspectDialect, Accepted>> = {
  postgres: {
    text: ['text', 'character varying'],
    bigint: ['bigint', 'numeric'],
    integer: ['integer', 'bigint', 'smallint'],
    boolean: ['boolean'],
    instant: ['timestamp with time zone'],
    date: ['date'],
    json: ['jsonb', 'json'],
    numeric: ['numeric', 'double precision', 'real'],
  },
  mysql: {
    text: ['varchar', 'text', 'mediumtext', 'longtext', 'char'],
    bigint: ['bigint', 'decimal'],
    integer: ['int', 'bigint', 'smallint', 'mediumint'],
    boolean: ['tinyint', 'bit'],
    // DATETIME has no zone: correct only because Tidemark writes and reads it in a +00:00 session.
    instant: ['datetime'],
    date: ['date'],
    json: ['json', 'longtext'],
    numeric: ['decimal', 'double', 'float'],
  },
  // SQLite: by type affinity (see sqliteAffinity), not by the declared name.
  sqlite: {
    text: ['text', 'blob'],
    bigint: ['integer', 'text', 'blob'],
    integer: ['integer', 'blob'],
    boolean: ['integer', 'numeric', 'blob'],
    instant: ['text', 'blob'],
    date: ['text', 'blob'],
    json: ['text', 'blob'],
    numeric: ['text', 'numeric', 'real', 'blob'],
  },
};

/** SQLite's rules for a declared type's affinity (https://sqlite.org/datatype3.html §3.1). */
export function sqliteAffinity(declared: string): 'integer' | 'text' | 'blob' | 'real' | 'numeric' {
  const type = declared.toUpperCase();
  if (type.includes('INT')) return 'integer';
  if (type.includes('CHAR') || type.includes('CLOB') || type.includes('TEXT')) return 'text';
  if (type === '' || type.includes('BLOB')) return 'blob';
  if (type.includes('REAL') || type.includes('FLOA') || type.includes('DOUB')) return 'real';
  return 'numeric';
}

/** Why a type that looks right is wrong, when there is a well-known reason. */
export function typeExplanation(dialect: InspectDialect, expected: ColumnType, actual: string): string | undefined {
  if (expected !== 'instant') return undefined;
  if (dialect === 'postgres' && actual === 'timestamp without time zone') {
    return 'a naive timestamp: the same wall-clock value means a different instant for every session time zone, which is how clock times end up 6 hours off. Tidemark stores instants as timestamptz (UTC at rest).';
  }
  if (dialect === 'mysql' && actual === 'timestamp') {
    return 'MySQL TIMESTAMP converts through the session time zone on every read and write, and ends in 2038. Tidemark stores UTC in DATETIME(6), written and read in a +00:00 session.';
  }
  return undefined;
}
