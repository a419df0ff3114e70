/** Table inspection on Postgres and PGlite through the catalog (read-only). */
import type { SqlClient } from '../db/sql-client.ts';
import type { TableInspection, TableInspector } from './table-inspection.ts';

const COLUMNS = `SELECT column_name AS name, data_type AS type, is_nullable = 'YES' AS nullable
FROM information_schema.columns WHERE table_schema = coalesce($1, current_schema()) AND table_name = $2 ORDER BY ordinal_position`;

const UNIQUE_KEYS = `SELECT array_agg(a.attname::text ORDER BY k.ord) AS columns
FROM pg_index i
JOIN pg_class c ON c.oid = i.indrelid
JOIN pg_namespace n ON n.oid = c.relnamespace
CROSS JOIN LATERAL unnest(i.indkey) WITH ORDINALITY AS k(attnum, ord)
JOIN pg_attribute a ON a.attrelid = c.oid AND a.attnum = k.attnum
WHERE n.nspname = coalesce($1, current_schema()) AND c.relname = $2 AND i.indisunique AND i.indpred IS NULL
GROUP BY i.indexrelid`;

export function postgresInspector(db: SqlClient): TableInspector {
  return {
    dialect: 'postgres',
    async inspect(schema, table): Promise<TableInspection | null> {
      const columns = await db.query<{ name: string; type: string; nullable: boolean }>(COLUMNS, [schema ?? null, table]);
      if (columns.rows.length === 0) return null;
      const keys = await db.query<{ columns: string[] }>(UNIQUE_KEYS, [schema ?? null, table]);
      return { columns: columns.rows, uniqueKeys: keys.rows.map((r) => r.columns) };
    },
    close: () => db.close(),
  };
}
