/**
 * A SqlClient that counts the statements it sends (a transaction adds BEGIN and COMMIT). The
 * control plane is not behind the proxy, so this is how its round trips are counted.
 */
import type { SqlClient, SqlQueryable } from '../src/db/sql-client.ts';

export interface CountingSqlClient extends SqlClient {
  readonly statements: number;
}

export function countingSqlClient(inner: SqlClient): CountingSqlClient {
  let statements = 0;
  const counted = (queryable: SqlQueryable): SqlQueryable => ({
    query(sql, params) {
      statements++;
      return queryable.query(sql, params);
    },
  });
  return {
    kind: inner.kind,
    description: inner.description,
    query(sql, params) {
      statements++;
      return inner.query(sql, params);
    },
    exec(sql) {
      statements++;
      return inner.exec(sql);
    },
    transaction(work) {
      statements += 2;
      return inner.transaction((tx) => work(counted(tx)));
    },
    close: () => inner.close(),
    get statements() {
      return statements;
    },
  };
}
