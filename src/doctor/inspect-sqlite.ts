/** Table inspection on SQLite through its pragmas (a read-only handle). */
import { DatabaseSync } from 'node:sqlite';
import { existsSync } from 'node:fs';
import type { TableInspection, TableInspector } from './table-inspection.ts';

interface TableInfoRow {
  name: string;
  type: string;
  notnull: number;
  pk: number;
}

export function sqliteInspector(path: string): TableInspector {
  if (path !== ':memory:' && !existsSync(path)) throw new Error(`SQLite file ${path} does not exist yet; run \`tidemark migrate\``);
  const db = new DatabaseSync(path, { readOnly: path !== ':memory:' });
  return {
    dialect: 'sqlite',
    async inspect(_schema, table): Promise<TableInspection | null> {
      // Pragmas take no bound parameters; the name is a validated identifier (checked by the caller).
      const columns = db.prepare(`PRAGMA table_info("${table}")`).all() as unknown as TableInfoRow[];
      if (columns.length === 0) return null;
      const uniqueKeys: string[][] = [];
      for (const index of db.prepare(`PRAGMA index_list("${table}")`).all() as unknown as { name: string; unique: number }[]) {
        if (!index.unique) continue;
        const cols = db.prepare(`PRAGMA index_info("${index.name.replaceAll('"', '""')}")`).all() as unknown as { name: string }[];
        uniqueKeys.push(cols.map((c) => c.name));
      }
      return { columns: columns.map((c) => ({ name: c.name, type: c.type.toLowerCase(), nullable: c.notnull === 0 && c.pk === 0 })), uniqueKeys };
    },
    async close() {
      db.close();
    },
  };
}
