/**
 * The dashboard: static HTML, CSS and JavaScript modules from src/web/static/, served at `/` and
 * `/assets/<file>` by the API's own Fastify instance (no build step, nothing from a CDN). The page
 * holds no data: it shows a login form, keeps the token in sessionStorage and reads everything from
 * the API with the bearer header. Every answer carries a strict Content-Security-Policy (scripts,
 * styles and requests to this origin only, no inline code, Trusted Types so no string reaches
 * innerHTML) and is never framed.
 */
import { createHash } from 'node:crypto';
import { readdirSync, readFileSync } from 'node:fs';
import { extname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';

export const STATIC_DIR = fileURLToPath(new URL('./static/', import.meta.url));

const CONTENT_TYPES: Readonly<Record<string, string>> = {
  '.html': 'text/html; charset=utf-8',
  '.css': 'text/css; charset=utf-8',
  '.js': 'text/javascript; charset=utf-8',
  '.svg': 'image/svg+xml',
  '.png': 'image/png',
  '.ico': 'image/x-icon',
  '.json': 'application/json; charset=utf-8',
  '.txt': 'text/plain; charset=utf-8',
};

export const CONTENT_SECURITY_POLICY = [
  "default-src 'none'",
  "script-src 'self'",
  "style-src 'self'",
  "img-src 'self'",
  "connect-src 'self'",
  "base-uri 'none'",
  "form-action 'none'",
  "frame-ancestors 'none'",
  "require-trusted-types-for 'script'",
  "trusted-types 'none'",
].join('; ');

const SECURITY_HEADERS: Readonly<Record<string, string>> = {
  'content-security-policy': CONTENT_SECURITY_POLICY,
  'x-content-type-options': 'nosniff',
  'x-frame-options': 'DENY',
  'referrer-policy': 'no-referrer',
  'cross-origin-opener-policy': 'same-origin',
  'cross-origin-resource-policy': 'same-origin',
  'permissions-policy': 'camera=(), microphone=(), geolocation=()',
  'cache-control': 'no-cache',
};

interface Asset {
  readonly body: Buffer;
  readonly type: string;
  readonly etag: string;
}

/** Every file of the static directory with a known type, read once (a few kilobytes). */
function loadAssets(dir: string): Map<string, Asset> {
  const assets = new Map<string, Asset>();
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    if (!entry.isFile()) continue;
    const type = CONTENT_TYPES[extname(entry.name).toLowerCase()];
    if (!type) continue;
    const body = readFileSync(join(dir, entry.name));
    assets.set(entry.name, { body, type, etag: `"${createHash('sha256').update(body).digest('base64url').slice(0, 22)}"` });
  }
  return assets;
}

function send(request: FastifyRequest, reply: FastifyReply, asset: Asset): FastifyReply {
  reply.headers(SECURITY_HEADERS).header('etag', asset.etag);
  if (request.headers['if-none-match'] === asset.etag) return reply.status(304).send();
  return reply.type(asset.type).send(asset.body);
}

/** Register `/` (the page) and `/assets/:file` (its scripts, styles and icon) on the API server. */
export function registerDashboard(app: FastifyInstance, dir: string = STATIC_DIR): void {
  const assets = loadAssets(dir);
  const index = assets.get('index.html');
  if (!index) throw new Error(`the dashboard's index.html is missing from ${dir}`);
  app.get('/', (request, reply) => send(request, reply, index));
  app.get('/index.html', (_request, reply) => reply.redirect('/', 301));
  app.get<{ Params: { file: string } }>('/assets/:file', (request, reply) => {
    // Only names read from the directory at start: no path reaches the file system.
    const asset = assets.get(request.params.file);
    if (!asset || request.params.file === 'index.html') return reply.headers(SECURITY_HEADERS).status(404).send({ error: 'no such file' });
    return send(request, reply, asset);
  });
}
