/** Look a sync up in the configuration and build what running it needs. */
import type { Config, SyncConfig } from '../config/schema.ts';
import { ConfigError } from '../config/config-error.ts';
import { resolveSecret, resolveUrl } from '../config/secrets.ts';
import { findConnector, findStream } from '../connectors/registry.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import type { ResolvedSync } from './resolved-sync.ts';
import type { MappedColumn, TableMapping } from '../destinations/table-mapping.ts';
import { relativeWindow, type BusinessWindow } from '../time/window.ts';

export interface SyncParts {
  readonly sync: ResolvedSync;
  readonly config: SyncConfig;
  /** The destination's URL (may hold a password: never print it; use redactUrl). */
  readonly destinationUrl: string;
  createClient(): UpstreamClient;
  /** The sync's default window (config `window`), in the tenant's zone. */
  defaultWindow(now?: Date): BusinessWindow | null;
  /** A named window of the sync (config `windows`), in the tenant's zone; throws naming the known ones. */
  namedWindow(name: string, now?: Date): BusinessWindow;
}

/** The configured mapping with defaults: the destination's schema, lookups in the mapped table's schema. */
function tableMapping(config: NonNullable<SyncConfig['mapping']>, destinationSchema: string | undefined): TableMapping {
  const schema = config.schema ?? destinationSchema;
  const columns = Object.entries(config.columns).map(([column, from]): [string, MappedColumn] => {
    if (typeof from === 'string') return [column, { kind: 'column', column: from }];
    if ('value' in from) return [column, { kind: 'value', value: from.value }];
    const lookupSchema = from.lookup.schema ?? schema;
    return [column, { kind: 'lookup', ...from.lookup, ...(lookupSchema ? { schema: lookupSchema } : {}) }];
  });
  return {
    table: config.table,
    ...(schema ? { schema } : {}),
    keyColumn: config.key,
    ...(config.tenantColumn ? { tenantColumn: config.tenantColumn } : {}),
    columns,
    deleted: config.deleted === 'delete' ? { kind: 'delete' } : { kind: 'flag', ...config.deleted },
  };
}

export function resolveSync(config: Config, syncId: string, env: NodeJS.ProcessEnv): SyncParts {
  const index = config.syncs.findIndex((s) => s.id === syncId);
  const syncConfig = config.syncs[index];
  if (!syncConfig) {
    const known = config.syncs.map((s) => `"${s.id}"`).join(', ') || '(none configured)';
    throw new ConfigError('configuration', [{ setting: 'syncs', message: `no sync "${syncId}"; configured: ${known}` }]);
  }
  // References were checked when the configuration was loaded.
  const tenant = config.tenants.find((t) => t.id === syncConfig.tenant)!;
  const connectionIndex = config.connections.findIndex((c) => c.id === syncConfig.connection);
  const connection = config.connections[connectionIndex]!;
  const destinationIndex = config.destinations.findIndex((d) => d.id === syncConfig.destination);
  const destination = config.destinations[destinationIndex]!;
  const stream = findStream(syncConfig.stream)!;
  const connector = findConnector(connection.connector)!;
  const mode = syncConfig.mode ?? stream.defaultMode;

  const sync: ResolvedSync = {
    id: syncConfig.id,
    tenantId: tenant.id,
    timezone: tenant.timezone,
    connectionId: connection.id,
    stream,
    mode,
    table: { spec: stream.table, name: syncConfig.table ?? stream.table.name, ...(destination.schema ? { schema: destination.schema } : {}) },
    batchSize: syncConfig.batchSize,
    deleteGuard: syncConfig.deleteGuard,
    lookbackMinutes: syncConfig.lookbackMinutes ?? stream.incremental?.defaultLookbackMinutes ?? 0,
    retentionDays: stream.retention ? (syncConfig.retentionDays ?? stream.retention.defaultDays) : null,
    ...(syncConfig.mapping ? { mapping: tableMapping(syncConfig.mapping, destination.schema) } : {}),
  };

  return {
    sync,
    config: syncConfig,
    destinationUrl: resolveUrl(destination.url, `destinations[${destinationIndex}].url`, env),
    createClient() {
      const credentials: Record<string, string> = {};
      const credentialEnv: Record<string, string> = {};
      for (const name of connector.credentials) {
        const ref = connection.credentials[name];
        const setting = `connections[${connectionIndex}].credentials.${name}`;
        if (!ref) {
          throw new ConfigError('configuration', [{ setting, message: `the ${connector.displayName} connector needs credential "${name}": { "env": "VARIABLE_NAME" }` }]);
        }
        credentials[name] = resolveSecret(ref, setting, env);
        credentialEnv[name] = ref.env;
      }
      return connector.createClient({
        tenantId: tenant.id,
        connectionId: connection.id,
        baseUrl: connection.baseUrl,
        credentials,
        credentialEnv,
        limits: connection.rateLimit,
        maxAttempts: connection.maxAttempts,
        timeoutMs: connection.timeoutMs,
        options: connection.options,
      });
    },
    namedWindow(name, now = new Date()) {
      const windows = { ...stream.windows, ...syncConfig.windows };
      const named = windows[name];
      if (!named) {
        const known = Object.keys(windows).map((w) => `"${w}"`).join(', ') || '(none configured)';
        throw new ConfigError('configuration', [{ setting: `syncs[${index}].windows`, message: `sync "${syncConfig.id}" has no window "${name}"; configured: ${known}` }]);
      }
      return relativeWindow(tenant.timezone, named.pastDays, named.futureDays, now);
    },
    defaultWindow(now = new Date()) {
      if (mode !== 'window') return null;
      return relativeWindow(tenant.timezone, syncConfig.window.pastDays, syncConfig.window.futureDays, now);
    },
  };
}
