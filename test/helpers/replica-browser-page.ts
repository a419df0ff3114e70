/**
 * An example offline-site page for the browser tests of the replica's sync helper: a plain
 * node:http server with `/` (a list, a form that adds an item, the sync badge), `/assets/*` (the
 * helper and its stylesheet read from src/replica/browser/, and the page's small app.js) and the
 * local process's endpoints under `/local/`, delegated to a LocalSite. Every answer carries a
 * strict Content-Security-Policy (same-origin scripts, styles and requests only, Trusted Types),
 * so the test also proves the helper needs no inline code or innerHTML.
 * The LocalSite behind it is the test's `CountingSite`, a stand-in for the local process used to
 * test the helper's trigger logic precisely (test/replica-browser.browser.test.ts). The real example
 * site (examples/audit-site/site.ts, its own page and local API) is tested end to end with a real
 * Tidemark server in test/replica-site-app.browser.test.ts.
 */
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { readFileSync } from 'node:fs';
import type { AddressInfo } from 'node:net';
import type { SyncRequest, SyncStatus } from '../../src/replica/browser/sync-helper.js';
import { HttpError, isRecord, readJson, send, sendJson } from '../../examples/audit-site/http.ts';

const BROWSER_DIR = new URL('../../src/replica/browser/', import.meta.url);

/** What the page's `/local/*` endpoints do: the site's local replica process. */
export interface LocalSite {
  status(): Promise<SyncStatus>;
  sync(request: SyncRequest): Promise<SyncStatus>;
  /** Apply a named local write (and queue it in the outbox); answers its mutation id. */
  mutate(name: string, args: Record<string, unknown>): Promise<number>;
}

/** One POST /local/sync as it arrived. */
export interface SyncCall {
  readonly reason: string;
  readonly kind: 'push' | 'pull';
  /** When it arrived (ISO-8601 UTC). */
  readonly at: string;
}

export interface SitePage {
  /** The page's origin, e.g. http://127.0.0.1:41234 (the page is at `${url}/`). */
  readonly url: string;
  /** Every POST /local/sync, in arrival order. */
  readonly calls: readonly SyncCall[];
  close(): Promise<void>;
}

export const SITE_PAGE_CSP = [
  "script-src 'self'",
  "style-src 'self'",
  "connect-src 'self'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const PAGE_HTML = `<!doctype html>
<html lang="en">
<head>
  <meta charset="utf-8">
  <title>Site items</title>
  <link rel="stylesheet" href="/assets/badge.css">
  <script type="module" src="/assets/app.js"></script>
</head>
<body>
  <header>
    <h1>Site items</h1>
    <span id="sync-badge" class="tidemark-sync-badge"></span>
  </header>
  <main>
    <form id="add-form">
      <label for="item">New item</label>
      <input id="item" name="item" required autocomplete="off">
      <button type="submit">Add</button>
    </form>
    <p id="form-error" hidden></p>
    <ul id="items"></ul>
  </main>
</body>
</html>
`;

/**
 * The page's own script: starts the helper with the badge (cooldown from `?cooldown=ms`, else the
 * helper's default), and on submit writes through the local process, then asks for a push.
 */
const APP_JS = `import { startReplicaSync } from './sync-helper.js';

const cooldown = new URLSearchParams(location.search).get('cooldown');
const replica = startReplicaSync({ badge: '#sync-badge', ...(cooldown !== null ? { cooldownMs: Number(cooldown) } : {}) });
// For the console and the tests.
window.tidemarkReplica = replica;

const form = document.getElementById('add-form');
const input = document.getElementById('item');
const list = document.getElementById('items');
const formError = document.getElementById('form-error');

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const text = input.value.trim();
  if (text === '') return;
  try {
    const response = await fetch('/local/mutate', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ name: 'addItem', args: { text } }),
    });
    if (!response.ok) throw new Error('the local process answered ' + response.status);
    const { mutationId } = await response.json();
    const item = document.createElement('li');
    item.textContent = text;
    item.dataset.mutationId = String(mutationId);
    list.append(item);
    input.value = '';
    formError.hidden = true;
    replica.requestSync('write', 'push');
  } catch (cause) {
    formError.textContent = 'Not saved: ' + (cause instanceof Error ? cause.message : String(cause));
    formError.hidden = false;
  }
});
`;

interface Asset {
  readonly type: string;
  readonly body: string | Buffer;
}

function assets(): Map<string, Asset> {
  return new Map<string, Asset>([
    ['/', { type: 'text/html; charset=utf-8', body: PAGE_HTML }],
    ['/assets/app.js', { type: 'text/javascript; charset=utf-8', body: APP_JS }],
    // Read on each start, so a test always serves the helper as it is on disk.
    ['/assets/sync-helper.js', { type: 'text/javascript; charset=utf-8', body: readFileSync(new URL('sync-helper.js', BROWSER_DIR)) }],
    ['/assets/badge.css', { type: 'text/css; charset=utf-8', body: readFileSync(new URL('badge.css', BROWSER_DIR)) }],
  ]);
}







/** Serve the example page for `site` on 127.0.0.1 (an ephemeral port unless `port` is given). */
export async function startSitePage(site: LocalSite, options: { port?: number } = {}): Promise<SitePage> {
  const files = assets();
  const calls: SyncCall[] = [];

  async function handle(request: IncomingMessage, response: ServerResponse): Promise<void> {
    const path = new URL(request.url ?? '/', 'http://localhost').pathname;
    const method = request.method ?? 'GET';
    if (path.startsWith('/local/')) {
      if (method === 'GET' && path === '/local/status') return sendJson(response, SITE_PAGE_CSP, 200, await site.status());
      if (method === 'POST' && path === '/local/sync') {
        const body = await readJson(request);
        if (!isRecord(body) || typeof body.reason !== 'string' || (body.kind !== 'push' && body.kind !== 'pull')) {
          throw new HttpError(400, "POST /local/sync takes { reason: string, kind: 'push' | 'pull' }");
        }
        const syncRequest: SyncRequest = { reason: body.reason, kind: body.kind };
        calls.push({ ...syncRequest, at: new Date().toISOString() });
        return sendJson(response, SITE_PAGE_CSP, 200, await site.sync(syncRequest));
      }
      if (method === 'POST' && path === '/local/mutate') {
        const body = await readJson(request);
        if (!isRecord(body) || typeof body.name !== 'string' || !isRecord(body.args)) {
          throw new HttpError(400, 'POST /local/mutate takes { name: string, args: object }');
        }
        return sendJson(response, SITE_PAGE_CSP, 200, { mutationId: await site.mutate(body.name, body.args) });
      }
      throw new HttpError(404, `no local endpoint ${method} ${path}`);
    }
    const asset = method === 'GET' || method === 'HEAD' ? files.get(path) : undefined;
    if (asset) return send(response, SITE_PAGE_CSP, 200, asset.type, asset.body);
    if (path === '/favicon.ico') return send(response, SITE_PAGE_CSP, 204, 'image/x-icon', '');
    send(response, SITE_PAGE_CSP, 404, 'text/plain; charset=utf-8', 'not found');
  }

  const server = createServer((request, response) => {
    handle(request, response).catch((cause: unknown) => {
      if (response.headersSent) {
        response.destroy();
        return;
      }
      // A LocalSite that throws is the local process failing: 500 with its message, which the badge shows.
      const status = cause instanceof HttpError ? cause.status : 500;
      sendJson(response, SITE_PAGE_CSP, status, { error: cause instanceof Error ? cause.message : String(cause) });
    });
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(options.port ?? 0, '127.0.0.1', () => {
      server.off('error', reject);
      resolve();
    });
  });
  const { port } = server.address() as AddressInfo;
  return {
    url: `http://127.0.0.1:${port}`,
    calls,
    close: () =>
      new Promise<void>((resolve, reject) => {
        server.close((error) => (error ? reject(error) : resolve()));
        // The browser keeps connections alive; a held sync must not keep the server open either.
        server.closeAllConnections();
      }),
  };
}
