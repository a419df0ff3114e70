/**
 * Compare a user's own table with what a sync's mapping writes into it: the table and columns
 * exist, the upstream identity has a unique key, lookups can match, and instants land in columns
 * whose readers know they hold UTC.
 */
import type { TableSpec } from '../destinations/table-spec.ts';
import type { TableMapping } from '../destinations/table-mapping.ts';
import type { Finding } from './finding.ts';
import type { InspectDialect, TableInspection, TableInspector } from './table-inspection.ts';

function quote(dialect: InspectDialect, name: string): string {
  return dialect === 'mysql' ? `\`${name}\`` : `"${name}"`;
}

function qualified(dialect: InspectDialect, schema: string | undefined, name: string): string {
  return schema ? `${quote(dialect, schema)}.${quote(dialect, name)}` : quote(dialect, name);
}

const hasUniqueKey = (inspection: TableInspection, columns: readonly string[]) =>
  inspection.uniqueKeys.some((key) => key.length === columns.length && columns.every((c) => key.includes(c)));

/** Why a zone-less column is risky for instants, and how to read it right. */
function instantFinding(dialect: InspectDialect, table: string, column: string, type: string, timezone: string, subject: string): Finding | null {
  if (dialect === 'mysql' && type === 'datetime') {
    return {
      level: 'warning',
      subject,
      message: `${table}.${column} is DATETIME, which has no zone: Tidemark writes the UTC instant into it (in a +00:00 session). Every reader must treat it as UTC; reading it as local time is the 6-hours-off bug`,
      fix: `read it as UTC, e.g. SELECT CONVERT_TZ(${column}, '+00:00', '${timezone}') for ${timezone} wall-clock time (needs the server's time zone tables), or compute local days in the application`,
    };
  }
  if (dialect === 'mysql' && type === 'timestamp') {
    return {
      level: 'warning',
      subject,
      message: `${table}.${column} is TIMESTAMP: MySQL converts it through each session's time zone and it ends in 2038; Tidemark writes it in a +00:00 session, so it is right, but a reader whose session zone differs sees shifted times`,
      fix: `ALTER TABLE ${table} MODIFY ${column} DATETIME(6) (after converting the values to UTC), and read it as UTC`,
    };
  }
  if (dialect === 'postgres' && type === 'timestamp without time zone') {
    return {
      level: 'warning',
      subject,
      message: `${table}.${column} is a naive timestamp: Tidemark writes the UTC wall clock into it, but the column cannot say so, and a reader (or a cast) that assumes local time is off by the UTC offset`,
      fix: `ALTER TABLE ${table} ALTER COLUMN ${column} TYPE timestamptz USING ${column} AT TIME ZONE 'UTC';  (if its values are UTC)`,
    };
  }
  return null;
}

export async function checkMapping(input: {
  inspector: TableInspector;
  subject: string;
  source: TableSpec;
  mapping: TableMapping;
  timezone: string;
}): Promise<Finding[]> {
  const { inspector, subject, source, mapping, timezone } = input;
  const dialect = inspector.dialect;
  const name = qualified(dialect, mapping.schema, mapping.table);
  if (dialect === 'sqlite') return [{ level: 'error', subject, message: `mapped table ${name}: mappings need a Postgres or MySQL/MariaDB destination` }];
  const inspection = await inspector.inspect(mapping.schema, mapping.table);
  if (!inspection) {
    return [{ level: 'error', subject, message: `mapped table ${name} does not exist`, fix: `create it (it is your table: Tidemark only fills it), or correct syncs[].mapping.table` }];
  }
  const findings: Finding[] = [];
  const have = new Map(inspection.columns.map((c) => [c.name, c]));
  const flag = mapping.deleted.kind === 'flag' ? mapping.deleted.column : undefined;
  const written = [mapping.keyColumn, ...(mapping.tenantColumn ? [mapping.tenantColumn] : []), ...mapping.columns.map(([c]) => c), ...(flag ? [flag] : [])];
  for (const column of written) {
    if (!have.has(column)) findings.push({ level: 'error', subject, message: `mapped table ${name} has no column ${column}`, fix: `add it, or correct syncs[].mapping` });
  }
  for (const [column, from] of mapping.columns) {
    const actual = have.get(column);
    if (!actual) continue;
    if (from.kind === 'column' && source.columns.find((c) => c.name === from.column)?.type === 'instant') {
      const finding = instantFinding(dialect, mapping.table, column, actual.type, timezone, subject);
      if (finding) findings.push(finding);
    }
    if (from.kind === 'lookup') {
      const lookup = await inspector.inspect(from.schema, from.table);
      const lookupName = qualified(dialect, from.schema, from.table);
      if (!lookup) {
        findings.push({ level: 'error', subject, message: `lookup table ${lookupName} (for ${column}) does not exist`, fix: 'create it, or correct the lookup in syncs[].mapping.columns' });
        continue;
      }
      for (const c of [from.match, from.value]) {
        if (!lookup.columns.some((l) => l.name === c)) findings.push({ level: 'error', subject, message: `lookup table ${lookupName} has no column ${c}`, fix: 'add it, or correct the lookup' });
      }
      if (!hasUniqueKey(lookup, [from.match])) {
        findings.push({
          level: 'warning',
          subject,
          message: `${lookupName}.${from.match} has no unique key: if two rows hold the same upstream id, Tidemark takes the smallest ${from.value}`,
          fix: `ALTER TABLE ${lookupName} ADD UNIQUE (${quote(dialect, from.match)});`,
        });
      }
    }
  }
  const identity = mapping.tenantColumn ? [mapping.tenantColumn, mapping.keyColumn] : [mapping.keyColumn];
  if (!hasUniqueKey(inspection, identity)) {
    const cols = identity.map((c) => quote(dialect, c)).join(', ');
    findings.push({
      level: 'error',
      subject,
      message: `mapped table ${name} has no unique key on (${identity.join(', ')}): one upstream record could become several rows`,
      fix: `ALTER TABLE ${name} ADD ${dialect === 'mysql' ? 'UNIQUE KEY' : 'UNIQUE'} (${cols});  (if it fails on duplicates: tidemark repair dedupe --table ${mapping.table} --key ${identity.join(',')})`,
    });
  }
  if (!findings.some((f) => f.level === 'error')) {
    findings.push({ level: 'ok', subject, message: `mapped table ${name}: ${written.length} columns and the unique key (${identity.join(', ')}) as needed` });
  }
  return findings;
}
