/** Table inspection on MySQL/MariaDB through information_schema (read-only). */
import mysql from 'mysql2/promise';
import { mysqlUrlOptions } from '../destinations/mysql/mysql-url.ts';
import type { TableInspection, TableInspector } from './table-inspection.ts';

const COLUMNS = `SELECT COLUMN_NAME AS name, LOWER(DATA_TYPE) AS type, IS_NULLABLE = 'YES' AS nullable
FROM information_schema.COLUMNS WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? ORDER BY ORDINAL_POSITION`;

const UNIQUE_KEYS = `SELECT INDEX_NAME AS name, COLUMN_NAME AS col FROM information_schema.STATISTICS
WHERE TABLE_SCHEMA = COALESCE(?, DATABASE()) AND TABLE_NAME = ? AND NON_UNIQUE = 0 ORDER BY INDEX_NAME, SEQ_IN_INDEX`;

export async function mysqlInspector(url: string): Promise<TableInspector> {
  const connection = await mysql.createConnection({ ...mysqlUrlOptions(url), connectTimeout: 10_000 });
  return {
    dialect: 'mysql',
    async inspect(schema, table): Promise<TableInspection | null> {
      const [columns] = await connection.execute<mysql.RowDataPacket[]>(COLUMNS, [schema ?? null, table]);
      if (columns.length === 0) return null;
      const [keys] = await connection.execute<mysql.RowDataPacket[]>(UNIQUE_KEYS, [schema ?? null, table]);
      const byIndex = new Map<string, string[]>();
      for (const row of keys) {
        const list = byIndex.get(String(row.name)) ?? [];
        list.push(String(row.col));
        byIndex.set(String(row.name), list);
      }
      return {
        columns: columns.map((c) => ({ name: String(c.name), type: String(c.type), nullable: Boolean(Number(c.nullable)) })),
        uniqueKeys: [...byIndex.values()],
      };
    },
    close: () => connection.end(),
  };
}
