/**
 * The example offline site of docs/replica.md, complete: the audit replica (./replica.ts) on a
 * local SQLite file, its sync loop with the Tidemark server, and a small web page for the people on
 * site, served by this same process with node:http (no framework, no build step).
 *
 *   /                         the page (public/index.html)
 *   /assets/app.js, style.css the page's script and styles (public/)
 *   /assets/sync-helper.js    the browser sync helper, `tidemark/replica/browser`, and its badge.css
 *   GET  /local/status        { pending, lastSyncAt, error }: what the badge shows
 *   POST /local/sync          { reason, kind } → sync now ('online': connectivity is back), then the status
 *   POST /local/mutate        { name, args } → { mutationId }: a local write, queued for the server
 *   GET  /local/tasks         the audit tasks, the mutations the server refused, the zone and business date
 *
 * The page reaches only this process; this process alone talks to the server. Every answer has a
 * strict Content-Security-Policy (same-origin scripts, styles and requests, Trusted Types).
 *
 * As a script (the token comes from the environment, never the command line, which `ps` shows):
 *
 *   TIDEMARK_SITE_TOKEN=… node examples/audit-site/site.ts \
 *     --db ./site.db --client site-a --server https://ops.example.com [--port 8080] [--host 127.0.0.1] [--timezone UTC]
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFile } from 'node:fs/promises';
import { resolve } from 'node:path';
import { fileURLToPath } from 'node:url';
import { parseArgs } from 'node:util';
import type { AddressInfo } from 'node:net';
import { ReplicaSyncClient, SiteReplica, SyncLoop, type MutationArgs, type ReplicaDefinition, type SyncLoopOptions } from 'tidemark/replica';
import auditReplica from './replica.ts';
import { HttpError, isRecord, readJson, send, sendJson } from './http.ts';

export interface AuditSiteOptions {
  /** The site's SQLite file (created if missing). */
  readonly dbPath: string;
  /** This site's client id, as registered on the server (`tidemark replica client add`). */
  readonly clientId: string;
  /** The Tidemark server, e.g. https://ops.example.com. */
  readonly serverUrl: string;
  /** This site's credential. */
  readonly token: string;
  /** The business timezone until the server has answered once (the server's zone wins). Default 'UTC'. */
  readonly timezone?: string;
  /** The page's port; default 0 (an ephemeral port, see `url`). */
  readonly port?: number;
  /** Default 127.0.0.1: the page and its local API are for this machine only. */
  readonly host?: string;
  /** Default the example's audit replica (./replica.ts); the server must load the same module. */
  readonly definition?: ReplicaDefinition;
  readonly loop?: SyncLoopOptions;
}

export interface AuditSite {
  /** The page's origin, e.g. http://127.0.0.1:41234 (the page is at `${url}/`). */
  readonly url: string;
  readonly site: SiteReplica;
  readonly loop: SyncLoop;
  /** Stop serving, stop the sync loop (a round in flight finishes), close the database. */
  close(): Promise<void>;
}

/** Same-origin everything, no inline code, and Trusted Types: the page writes the DOM with textContent only. */
export const SITE_CSP = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "img-src 'self'",
  "base-uri 'none'",
  "form-action 'self'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const LOOPBACK_HOSTS = new Set(['127.0.0.1', 'localhost', '[::1]']);

interface Asset {
  readonly type: string;
  readonly body: Buffer;
}

/** The page's files, and the browser helper as the package exports it (with its stylesheet beside it). */
async function loadAssets(): Promise<Map<string, Asset>> {
  const publicDir = new URL('./public/', import.meta.url);
  const helper = new URL(import.meta.resolve('tidemark/replica/browser'));
  const files: [string, URL, string][] = [
    ['/', new URL('index.html', publicDir), 'text/html; charset=utf-8'],
    ['/assets/app.js', new URL('app.js', publicDir), 'text/javascript; charset=utf-8'],
    ['/assets/style.css', new URL('style.css', publicDir), 'text/css; charset=utf-8'],
    ['/assets/sync-helper.js', helper, 'text/javascript; charset=utf-8'],
    ['/assets/badge.css', new URL('badge.css', helper), 'text/css; charset=utf-8'],
  ];
  return new Map(await Promise.all(files.map(async ([path, file, type]) => [path, { type, body: await readFile(file) }] as const)));
}






/** Open the site's replica, start syncing with the server, and serve the page. */
export async function startAuditSite(options: AuditSiteOptions): Promise<AuditSite> {
  const files = await loadAssets();
  const host = options.host ?? '127.0.0.1';
  const site = new SiteReplica({ path: options.dbPath, clientId: options.clientId, definition: options.definition ?? auditReplica, timezone: options.timezone ?? 'UTC' });
  const client = new ReplicaSyncClient(site, { url: options.serverUrl, token: options.token });
  const loop = new SyncLoop(site, client, options.loop);

  /** What the badge shows: the outbox, the last success, and the last round's error (null when it succeeded). */
  const status = () => {
    const now = loop.status();
    return { pending: now.pending, lastSyncAt: now.lastSyncAt, error: now.error };
  };

  /**
   * Host names this server answers to: with a loopback address, only loopback names, so a web page
   * elsewhere cannot reach the local API by pointing its own name at 127.0.0.1 (DNS rebinding).
   */
  let port = 0;
  const wildcard = host === '0.0.0.0' || host === '::';
  const allowedHost = (header: string | undefined): boolean => {
    if (wildcard) return true;
    if (header === undefined) return false;
    const names = new Set([...LOOPBACK_HOSTS, host.includes(':') ? `[${host}]` : host]);
    return [...names].some((name) => header === `${name}:${port}`);
  };

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const method = request.method ?? 'GET';
    const path = new URL(request.url ?? '/', 'http://site.invalid').pathname;
    if (!allowedHost(request.headers.host)) throw new HttpError(421, `this site answers to ${host}:${port}, not ${request.headers.host ?? '(no host)'}`);
    if (!path.startsWith('/local/')) {
      const asset = method === 'GET' || method === 'HEAD' ? files.get(path) : undefined;
      if (asset) return send(response, SITE_CSP, 200, asset.type, method === 'HEAD' ? Buffer.alloc(0) : asset.body);
      if (path === '/favicon.ico') return send(response, SITE_CSP, 204, 'image/x-icon', '');
      return send(response, SITE_CSP, 404, 'text/plain; charset=utf-8', 'not found');
    }
    // The local API: this origin's page only.
    const origin = request.headers.origin;
    if (origin !== undefined && origin !== `http://${request.headers.host}`) throw new HttpError(403, `requests from ${origin} are not allowed`);

    if (method === 'GET' && path === '/local/status') return sendJson(response, SITE_CSP, 200, status());
    if (method === 'POST' && path === '/local/sync') {
      const body = await readJson(request);
      if (!isRecord(body) || typeof body.reason !== 'string' || body.reason === '' || (body.kind !== 'push' && body.kind !== 'pull')) {
        throw new HttpError(400, "POST /local/sync takes { reason: string, kind: 'push' | 'pull' }");
      }
      // Every round pushes and pulls; `kind` is the page's hint. A round's failure is in the status, not thrown.
      await (body.reason === 'online' ? loop.online() : loop.requestSync(body.reason));
      return sendJson(response, SITE_CSP, 200, status());
    }
    if (method === 'POST' && path === '/local/mutate') {
      const body = await readJson(request);
      if (!isRecord(body) || typeof body.name !== 'string' || !isRecord(body.args)) throw new HttpError(400, 'POST /local/mutate takes { name: string, args: object }');
      let mutationId: number;
      try {
        mutationId = await site.mutate(body.name, body.args as MutationArgs);
      } catch (cause) {
        // An unknown mutator or one that refused (MutationRejected): nothing was written.
        throw new HttpError(400, cause instanceof Error ? cause.message : String(cause));
      }
      return sendJson(response, SITE_CSP, 200, { mutationId });
    }
    if (method === 'GET' && path === '/local/tasks') {
      const tasks = site.list('audit_tasks').sort((a, b) => String(a.due_date ?? '').localeCompare(String(b.due_date ?? '')) || String(a.title ?? '').localeCompare(String(b.title ?? '')) || String(a.id).localeCompare(String(b.id)));
      return sendJson(response, SITE_CSP, 200, { tasks, rejected: site.rejected(), timezone: site.timezone, businessDate: site.businessDate() });
    }
    throw new HttpError(404, `no local endpoint ${method} ${path}`);
  }

  /** Requests being answered: close() lets them finish before the database closes. */
  const inFlight = new Set<Promise<void>>();
  const server = createServer((request, response) => {
    const work = handle(request, response)
      .catch((cause: unknown) => {
        if (response.headersSent) {
          response.destroy();
          return;
        }
        const code = cause instanceof HttpError ? cause.status : 500;
        sendJson(response, SITE_CSP, code, { error: cause instanceof Error ? cause.message : String(cause) });
      })
      .finally(() => inFlight.delete(work));
    inFlight.add(work);
  });

  try {
    await new Promise<void>((done, fail) => {
      server.once('error', fail);
      server.listen(options.port ?? 0, host, () => {
        server.off('error', fail);
        done();
      });
    });
  } catch (error) {
    site.close();
    throw error;
  }
  port = (server.address() as AddressInfo).port;
  // The first round runs in the background: the page works offline from the start.
  void loop.start();

  let closing: Promise<void> | null = null;
  return {
    url: `http://${host.includes(':') ? `[${host}]` : host}:${port}`,
    site,
    loop,
    close() {
      closing ??= (async () => {
        const closed = new Promise<void>((done) => server.close(() => done()));
        server.closeIdleConnections();
        await loop.stop();
        await Promise.allSettled([...inFlight]);
        server.closeAllConnections();
        await closed;
        site.close();
      })();
      return closing;
    },
  };
}

/** `node examples/audit-site/site.ts --db … --client … --server …` with TIDEMARK_SITE_TOKEN in the environment. */
async function main(): Promise<void> {
  const { values } = parseArgs({
    options: {
      db: { type: 'string' },
      client: { type: 'string' },
      server: { type: 'string' },
      port: { type: 'string', default: '0' },
      host: { type: 'string', default: '127.0.0.1' },
      timezone: { type: 'string', default: 'UTC' },
    },
    strict: true,
  });
  const usage = 'usage: TIDEMARK_SITE_TOKEN=… node examples/audit-site/site.ts --db ./site.db --client site-a --server https://ops.example.com [--port 8080] [--host 127.0.0.1] [--timezone UTC]';
  const missing = (['db', 'client', 'server'] as const).filter((name) => !values[name]);
  if (missing.length) throw new Error(`missing ${missing.map((name) => `--${name}`).join(', ')}\n${usage}`);
  const token = process.env.TIDEMARK_SITE_TOKEN;
  if (!token) throw new Error(`set TIDEMARK_SITE_TOKEN to this site's credential (\`tidemark replica client add\`); it is never read from the command line\n${usage}`);
  const port = Number(values.port);
  if (!Number.isInteger(port) || port < 0 || port > 65_535) throw new Error(`--port must be a port number, not ${values.port}`);

  const app = await startAuditSite({
    dbPath: values.db!,
    clientId: values.client!,
    serverUrl: values.server!,
    token,
    port,
    host: values.host,
    timezone: values.timezone,
    loop: {
      onRound(outcome) {
        if ('error' in outcome) console.error(`sync (${outcome.reason}) failed: ${outcome.error.message}; retrying in ${Math.round(outcome.retryInMs / 1000)} s`);
      },
    },
  });
  console.log(`audit site ${values.client} on ${app.url}/ (syncing with ${values.server})`);

  let stopping = false;
  const stop = (signal: NodeJS.Signals) => {
    if (stopping) return;
    stopping = true;
    console.log(`${signal}: stopping (a sync in flight finishes first)`);
    app.close().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error(error);
        process.exit(1);
      },
    );
  };
  process.once('SIGINT', stop);
  process.once('SIGTERM', stop);
}

const runDirectly = import.meta.main === true || (process.argv[1] !== undefined && resolve(process.argv[1]) === fileURLToPath(import.meta.url));
if (runDirectly) {
  main().catch((error: unknown) => {
    console.error(error instanceof Error ? error.message : error);
    process.exit(1);
  });
}
