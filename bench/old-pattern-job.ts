/** The old pattern end to end in a worker: connect through the proxy, fetch, save shift by shift. */
import pg from 'pg';
import { quoteIdent } from '../src/db/identifiers.ts';
import { benchSchemaName, createSchema, dropSchemas, withDirectClient } from './bench-database.ts';
import type { OldPatternJob, OldPatternResult } from './jobs.ts';
import { maxRssMb, measure } from './measure.ts';
import { clockTimesDdl, fetchShifts, saveShifts, type OldSyncCounts } from './old-pattern.ts';

export async function runOldPatternJob(job: OldPatternJob): Promise<OldPatternResult> {
  const schema = benchSchemaName();
  await createSchema(job.directUrl, schema);
  try {
    await withDirectClient(job.directUrl, async (client) => {
      for (const statement of clockTimesDdl(schema)) await client.query(statement);
    });
    const counts: OldSyncCounts = { fetched: 0, selects: 0, inserted: 0, updated: 0 };
    const { timed } = await measure(async () => {
      const client = new pg.Client({ connectionString: job.proxyUrl, application_name: 'old-sync' });
      await client.connect();
      try {
        const shifts = await fetchShifts(job.simulator.url, job.simulator.apiKey, job.window.from, job.window.to);
        counts.fetched = shifts.length;
        await saveShifts(client, schema, shifts, counts);
      } finally {
        await client.end();
      }
    });
    const rowsInTable = await withDirectClient(job.directUrl, async (client) => {
      const result = await client.query<{ n: number }>(`SELECT count(*)::int AS n FROM ${quoteIdent(schema)}.clock_times`);
      return result.rows[0]?.n ?? 0;
    });
    return { kind: 'old', ...timed, ...counts, rowsInTable, maxRssMb: maxRssMb() };
  } finally {
    await dropSchemas(job.directUrl, [schema]);
  }
}
