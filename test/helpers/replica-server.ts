/**
 * A Tidemark server with the example audit replica on real Postgres (its own control schema), the
 * API on an ephemeral port, and sites (real SQLite files) that sync with it.
 */
import { fileURLToPath } from 'node:url';
import { parseConfig } from '../../src/config/load.ts';
import type { ReplicaConfig } from '../../src/config/schema.ts';
import { openLedger } from '../../src/ledger/open-ledger.ts';
import type { Ledger } from '../../src/ledger/ledger.ts';
import { startServer } from '../../src/api/start-server.ts';
import type { ReplicaService } from '../../src/replica/server/replica-service.ts';
import { ReplicaSyncClient, type ReplicaSyncClientOptions } from '../../src/replica/site/sync-client.ts';
import type { SiteReplica } from '../../src/replica/site/site-replica.ts';
import { freshSchema, PG_URL, pgRows } from './postgres.ts';
import { freshSitePath, openAuditSite } from './replica-site.ts';

/** The test definition (example + test mutators); the server loads the same module the sites use. */
export const TEST_REPLICA_MODULE = fileURLToPath(new URL('./replica-test-definition.ts', import.meta.url));

export interface ReplicaTestServer {
  readonly url: string;
  /** The control-plane schema (replica_* tables live there). */
  readonly schema: string;
  readonly service: ReplicaService;
  readonly ledger: Ledger;
  /** Add a site; returns its credential. */
  addClient(clientId: string): Promise<string>;
  /** Open a site database and its sync client (a fresh file unless `path` is given). */
  openSite(clientId: string, options?: { path?: string; now?: () => Date; token?: string; client?: Partial<ReplicaSyncClientOptions> }): Promise<TestSite>;
  rows<T extends Record<string, unknown>>(sql: string, params?: unknown[]): Promise<T[]>;
  close(): Promise<void>;
}

export interface TestSite {
  readonly site: SiteReplica;
  readonly client: ReplicaSyncClient;
  readonly token: string;
  readonly path: string;
}

export async function startReplicaServer(options: { timezone?: string; replica?: Partial<Omit<ReplicaConfig, 'id' | 'tenant' | 'module'>> } = {}): Promise<ReplicaTestServer> {
  const control = await freshSchema('replica');
  const config = parseConfig({
    controlPlane: { url: PG_URL, schema: control.schema },
    tenants: [{ id: 'maint', name: 'Maintenance', timezone: options.timezone ?? 'America/New_York' }],
    destinations: [{ id: 'none', url: PG_URL, schema: control.schema }],
    replicas: [{ id: 'audits', tenant: 'maint', module: TEST_REPLICA_MODULE, ...options.replica }],
  });
  const ledger = await openLedger(config, {});
  const server = await startServer(config, {}, ledger, null, { port: 0 });
  const sites: SiteReplica[] = [];
  const service = server.replicas!;
  const handle: ReplicaTestServer = {
    url: server.url,
    schema: control.schema,
    service,
    ledger,
    addClient: (clientId) => service.clients.add('audits', clientId),
    async openSite(clientId, siteOptions = {}) {
      const token = siteOptions.token ?? (await handle.addClient(clientId));
      const path = siteOptions.path ?? freshSitePath();
      const site = openAuditSite(path, { clientId, ...(siteOptions.now ? { now: siteOptions.now } : {}), timezone: 'UTC' });
      sites.push(site);
      const client = new ReplicaSyncClient(site, { url: server.url, token, ...siteOptions.client });
      return { site, client, token, path };
    },
    rows: (sql, params = []) => pgRows(sql.replaceAll('{{schema}}', `"${control.schema}"`), params),
    async close() {
      for (const site of sites) {
        try {
          site.close();
        } catch {
          // already closed by the test
        }
      }
      await server.close();
      await ledger.db.close();
      await control.drop();
    },
  };
  return handle;
}
