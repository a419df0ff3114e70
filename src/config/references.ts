/** Checks that need the whole configuration: ids unique, references resolve, streams exist. */
import type { Config, SyncConfig } from './schema.ts';
import type { ConfigProblem } from './config-error.ts';
import { findConnector, findStream, streamNames } from '../connectors/registry.ts';
import { checkSchedules } from './check-schedules.ts';

function duplicates(ids: readonly string[]): string[] {
  return ids.filter((value, index) => ids.indexOf(value) !== index);
}

/** A mapping names columns of the stream's table, and writes each column of the user's table once. */
function checkMapping(mapping: NonNullable<SyncConfig['mapping']>, streamColumns: readonly string[], at: string): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  const accepted = streamColumns.join(', ');
  for (const [column, from] of Object.entries(mapping.columns)) {
    const source = typeof from === 'string' ? from : 'lookup' in from ? from.lookup.from : null;
    if (source !== null && !streamColumns.includes(source)) {
      problems.push({ setting: `${at}.columns.${column}`, message: `the sync's table has no column "${source}"; its columns: ${accepted}` });
    }
  }
  const special = [mapping.key, mapping.tenantColumn, typeof mapping.deleted === 'object' ? mapping.deleted.column : undefined];
  for (const column of special) {
    if (column !== undefined && column in mapping.columns) {
      problems.push({ setting: `${at}.columns.${column}`, message: `"${column}" is the mapping's key, tenant or deleted-flag column, which Tidemark fills itself; remove it from columns` });
    }
  }
  return problems;
}

export function checkReferences(config: Config): ConfigProblem[] {
  const problems: ConfigProblem[] = [];
  for (const [list, items] of [
    ['tenants', config.tenants],
    ['connections', config.connections],
    ['destinations', config.destinations],
    ['syncs', config.syncs],
    ['replicas', config.replicas],
  ] as const) {
    for (const dup of duplicates(items.map((item) => item.id))) {
      problems.push({ setting: list, message: `id "${dup}" is used twice; ids must be unique` });
    }
  }
  const tenantIds = config.tenants.map((t) => t.id);
  const known = (ids: readonly string[]) => (ids.length ? ids.map((v) => `"${v}"`).join(', ') : '(none configured)');

  config.connections.forEach((connection, i) => {
    if (!tenantIds.includes(connection.tenant)) {
      problems.push({ setting: `connections[${i}].tenant`, message: `no tenant "${connection.tenant}"; configured: ${known(tenantIds)}` });
    }
    const schema = findConnector(connection.connector)?.options;
    if (schema) {
      const parsed = schema.safeParse(connection.options);
      if (!parsed.success) {
        for (const issue of parsed.error.issues) {
          const path = issue.path.map((p) => (typeof p === 'number' ? `[${p}]` : `.${String(p)}`)).join('');
          problems.push({ setting: `connections[${i}].options${path}`, message: issue.message });
        }
      }
    }
  });

  config.syncs.forEach((sync, i) => {
    const at = `syncs[${i}]`;
    if (!tenantIds.includes(sync.tenant)) {
      problems.push({ setting: `${at}.tenant`, message: `no tenant "${sync.tenant}"; configured: ${known(tenantIds)}` });
    }
    const connection = config.connections.find((c) => c.id === sync.connection);
    if (!connection) {
      problems.push({
        setting: `${at}.connection`,
        message: `no connection "${sync.connection}"; configured: ${known(config.connections.map((c) => c.id))}`,
      });
    } else if (connection.tenant !== sync.tenant) {
      problems.push({
        setting: `${at}.connection`,
        message: `connection "${connection.id}" belongs to tenant "${connection.tenant}", not "${sync.tenant}"`,
      });
    }
    if (!config.destinations.some((d) => d.id === sync.destination)) {
      problems.push({
        setting: `${at}.destination`,
        message: `no destination "${sync.destination}"; configured: ${known(config.destinations.map((d) => d.id))}`,
      });
    }
    const stream = findStream(sync.stream);
    problems.push(...checkSchedules(config, sync, at, stream));
    if (!stream) {
      problems.push({ setting: `${at}.stream`, message: `no stream "${sync.stream}"; accepted: ${known(streamNames())}` });
    } else {
      if (connection && !sync.stream.startsWith(`${connection.connector}.`)) {
        problems.push({
          setting: `${at}.stream`,
          message: `stream "${sync.stream}" does not belong to connector "${connection.connector}" of connection "${connection.id}"`,
        });
      }
      const mode = sync.mode ?? stream.defaultMode;
      if (sync.lookbackMinutes !== undefined && mode !== 'incremental') {
        problems.push({ setting: `${at}.lookbackMinutes`, message: `only incremental syncs have a lookback; this sync runs in ${mode} mode` });
      }
      if (sync.retentionDays !== undefined && !stream.retention) {
        problems.push({ setting: `${at}.retentionDays`, message: `stream "${sync.stream}" keeps no retention; remove the setting` });
      }
      if (sync.mapping) problems.push(...checkMapping(sync.mapping, stream.table.columns.map((c) => c.name), `${at}.mapping`));
      const destination = config.destinations.find((d) => d.id === sync.destination);
      if (sync.mapping && typeof destination?.url === 'string' && destination.url.startsWith('sqlite:')) {
        problems.push({ setting: `${at}.mapping`, message: 'a mapping onto an existing table needs a Postgres or MySQL/MariaDB destination; SQLite destinations hold Tidemark\'s own tables only' });
      }
      if (sync.mode && !stream.modes.includes(sync.mode)) {
        problems.push({ setting: `${at}.mode`, message: `stream "${sync.stream}" supports ${known(stream.modes)}; received "${sync.mode}"` });
      }
    }
  });
  config.replicas.forEach((replica, i) => {
    if (!tenantIds.includes(replica.tenant)) {
      problems.push({ setting: `replicas[${i}].tenant`, message: `no tenant "${replica.tenant}"; configured: ${known(tenantIds)}` });
    }
  });
  return problems;
}
