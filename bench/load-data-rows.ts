/**
 * The MariaDB loading limit: LOAD DATA LOCAL INFILE of the rows into a table, in one statement,
 * streamed in chunks of lines to mysql2's `infileStreamFactory`. Values are encoded exactly as the
 * merge binds them (toMysqlParam), in LOAD DATA's default format: tab-separated, `\`-escaped,
 * `\N` for NULL, plus tenant_id, row_hash and synced_at (deleted_at left NULL).
 */
import { Readable } from 'node:stream';
import type { Connection, ResultSetHeader } from 'mysql2/promise';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { qualifiedName, quoteMysqlIdent } from '../src/destinations/mysql/sql.ts';
import { mysqlInstant, toMysqlParam } from '../src/destinations/mysql/values.ts';

const LINES_PER_CHUNK = 500;
const ESCAPES: Record<string, string> = { '\\': '\\\\', '\t': '\\t', '\n': '\\n', '\r': '\\r', '\0': '\\0' };

function field(value: string | number | null): string {
  if (value === null) return '\\N';
  return typeof value === 'number' ? String(value) : value.replace(/[\\\t\n\r\0]/g, (c) => ESCAPES[c]!);
}

function* chunks(table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: string): Generator<Buffer> {
  const { columns } = table.spec;
  for (let i = 0; i < rows.length; i += LINES_PER_CHUNK) {
    let text = '';
    for (const row of rows.slice(i, i + LINES_PER_CHUNK)) {
      const fields = columns.map((c) => field(toMysqlParam(row.values[c.name], c.type, c.name)));
      fields.push(field(tenantId), row.hash, syncedAt);
      text += `${fields.join('\t')}\n`;
    }
    yield Buffer.from(text);
  }
}

/** LOAD DATA LOCAL the rows; fails unless every row is loaded without a warning. */
export async function loadDataRows(connection: Connection, table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<number> {
  const columns = [...table.spec.columns.map((c) => c.name), 'tenant_id', 'row_hash', 'synced_at'].map(quoteMysqlIdent).join(', ');
  const [result] = await connection.query<ResultSetHeader>({
    sql: `LOAD DATA LOCAL INFILE 'tidemark-bench-rows' INTO TABLE ${qualifiedName(table)} CHARACTER SET utf8mb4 (${columns})`,
    infileStreamFactory: () => Readable.from(chunks(table, tenantId, rows, mysqlInstant(syncedAt))),
  });
  if (result.warningStatus !== 0) throw new Error(`LOAD DATA loaded with ${result.warningStatus} warning(s): the rows did not fit the table as encoded`);
  return result.affectedRows;
}
