/** Compare a sync's table with what the stream needs: columns, types, and the identity key. */
import type { ColumnSpec, TableSpec } from '../destinations/table-spec.ts';
import type { Finding } from './finding.ts';
import type { InspectDialect, TableInspection } from './table-inspection.ts';
import { ACCEPTED_TYPES, sqliteAffinity, typeExplanation } from './column-types.ts';

const BOOKKEEPING: readonly ColumnSpec[] = [
  { name: 'tenant_id', type: 'text', nullable: false },
  { name: 'row_hash', type: 'text', nullable: false },
  { name: 'synced_at', type: 'instant', nullable: false },
  { name: 'deleted_at', type: 'instant', nullable: true },
];

function quote(dialect: InspectDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

function uniqueKeyFix(dialect: InspectDialect, qualified: string, table: string, key: string): string {
  const cols = `${quote(dialect, 'tenant_id')}, ${quote(dialect, key)}`;
  const name = `${table}_identity`;
  const statement =
    dialect === 'sqlite'
      ? `CREATE UNIQUE INDEX ${quote(dialect, name)} ON ${qualified} (${cols});`
      : dialect === 'mysql'
        ? `ALTER TABLE ${qualified} ADD UNIQUE KEY ${quote(dialect, name)} (${cols});`
        : `ALTER TABLE ${qualified} ADD CONSTRAINT ${quote(dialect, name)} UNIQUE (${cols});`;
  return `${statement}  (if it fails on duplicates: tidemark repair dedupe --table ${table} --key tenant_id,${key})`;
}

export function checkTable(input: {
  dialect: InspectDialect;
  subject: string;
  spec: TableSpec;
  schema: string | undefined;
  name: string;
  inspection: TableInspection | null;
}): Finding[] {
  const { dialect, subject, spec, schema, name, inspection } = input;
  const qualified = schema ? `${quote(dialect, schema)}.${quote(dialect, name)}` : quote(dialect, name);
  if (!inspection) {
    return [{ level: 'error', subject, message: `table ${qualified} does not exist`, fix: 'tidemark migrate' }];
  }
  const findings: Finding[] = [];
  const have = new Map(inspection.columns.map((c) => [c.name, c]));
  for (const column of [...spec.columns, ...BOOKKEEPING]) {
    const actual = have.get(column.name);
    if (!actual) {
      findings.push({ level: 'error', subject, message: `column ${column.name} (${column.type}) is missing`, fix: `add the column, or let \`tidemark migrate\` create the table under a new name` });
      continue;
    }
    const accepted = ACCEPTED_TYPES[dialect][column.type];
    const kind = dialect === 'sqlite' ? sqliteAffinity(actual.type) : actual.type;
    if (!accepted.includes(kind)) {
      const why = typeExplanation(dialect, column.type, actual.type);
      findings.push({
        level: 'error',
        subject,
        message: `column ${column.name} is ${actual.type || '(no type)'}, which cannot hold ${/^[aeiou]/.test(column.type) ? 'an' : 'a'} ${column.type}${why ? `: ${why}` : ` (accepted: ${accepted.join(', ')})`}`,
        fix: dialect === 'postgres' && column.type === 'instant' && actual.type === 'timestamp without time zone'
          ? `ALTER TABLE ${qualified} ALTER COLUMN ${quote(dialect, column.name)} TYPE timestamptz USING ${quote(dialect, column.name)} AT TIME ZONE 'UTC';  (if the values are UTC; if they are local times, name their zone instead of 'UTC')`
          : `change the column's type to one of: ${accepted.join(', ')}`,
      });
    }
  }
  const identity = ['tenant_id', spec.keyColumn];
  const hasIdentity = inspection.uniqueKeys.some((key) => key.length === identity.length && identity.every((c) => key.includes(c)));
  if (!hasIdentity) {
    findings.push({
      level: 'error',
      subject,
      message: `no unique key on (tenant_id, ${spec.keyColumn}): without it one upstream record can become several rows and merges cannot upsert`,
      fix: uniqueKeyFix(dialect, qualified, name, spec.keyColumn),
    });
  }
  if (findings.length === 0) {
    findings.push({ level: 'ok', subject, message: `table ${qualified}: ${spec.columns.length + BOOKKEEPING.length} columns and the unique key (tenant_id, ${spec.keyColumn}) as needed` });
  }
  return findings;
}
