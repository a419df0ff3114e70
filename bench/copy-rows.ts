/** The loading limit: COPY … FROM STDIN of the rows into a table, in one statement (pg-copy-streams). */
import { once } from 'node:events';
import type pg from 'pg';
import { from as copyFrom } from 'pg-copy-streams';
import type { MergeRow, TargetTable } from '../src/destinations/destination.ts';
import { qualifiedName } from '../src/destinations/postgres/sql.ts';
import { quoteIdent } from '../src/db/identifiers.ts';
import { copyColumns, copyLine } from './copy-format.ts';

const LINES_PER_WRITE = 500;

export async function copyRows(client: pg.ClientBase, table: TargetTable, tenantId: string, rows: readonly MergeRow[], syncedAt: Date): Promise<number> {
  const columns = copyColumns(table.spec).map(quoteIdent).join(', ');
  const stream = client.query(copyFrom(`COPY ${qualifiedName(table)} (${columns}) FROM STDIN`));
  const done = new Promise<void>((resolve, reject) => {
    stream.on('finish', resolve);
    stream.on('error', reject);
  });
  const at = syncedAt.toISOString();
  for (let i = 0; i < rows.length; i += LINES_PER_WRITE) {
    let text = '';
    for (const row of rows.slice(i, i + LINES_PER_WRITE)) text += copyLine(table.spec, row, tenantId, at);
    if (!stream.write(text)) await once(stream, 'drain');
  }
  stream.end();
  await done;
  return stream.rowCount;
}
