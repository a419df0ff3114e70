/**
 * The HTTP server (Fastify): every route of src/api/routes behind bearer-token auth, parameters and
 * bodies checked by their zod schemas, oversized bodies refused, errors answered without detail
 * that could leak (401 says only that a token is needed). The dashboard's static files are served
 * at `/` by src/web.
 */
import Fastify, { LogController, type FastifyBaseLogger, type FastifyInstance, type FastifyReply, type FastifyRequest } from 'fastify';
import type { z } from 'zod';
import type { ApiAnswer, ApiDeps, ApiRoute, ApiStream } from './route.ts';
import { ApiError } from './route.ts';
import type { Grant } from './tokens.ts';
import type { ReplicaClientIdentity } from '../replica/server/clients.ts';
import { openApiDocument } from './openapi.ts';
import { API_ROUTES } from './routes/index.ts';

export interface ServerOptions {
  readonly bodyLimitBytes: number;
  /** Extra routes (the dashboard's static files) registered on the same instance. */
  readonly extend?: (app: FastifyInstance) => void | Promise<void>;
  /** A pino-compatible logger, or false for none. */
  readonly logger?: boolean | Record<string, unknown>;
  /** A pino logger instance to log with (server errors); takes precedence over `logger`. */
  readonly loggerInstance?: FastifyBaseLogger;
}

function bearer(request: FastifyRequest): string | null {
  const header = request.headers.authorization;
  if (typeof header !== 'string') return null;
  const match = /^Bearer\s+(\S+)$/i.exec(header);
  return match ? match[1]! : null;
}

function parse<T>(schema: z.ZodType<T> | undefined, value: unknown, where: string): T {
  if (!schema) return undefined as T;
  const result = schema.safeParse(value ?? {});
  if (!result.success) {
    const problems = result.error.issues.map((i) => `${where}${i.path.length ? `.${i.path.join('.')}` : ''}: ${i.message}`);
    throw new ApiError(400, problems.join('; '));
  }
  return result.data;
}

const isStream = (answer: ApiAnswer | ApiStream): answer is ApiStream => 'stream' in answer;

async function streamEvents(request: FastifyRequest, reply: FastifyReply, answer: ApiStream, streams: Set<AbortController>): Promise<void> {
  reply.hijack();
  const res = reply.raw;
  // `connection: close`: when the stream ends (the server closing) the socket goes with it.
  res.writeHead(200, { 'content-type': 'text/event-stream', 'cache-control': 'no-cache', connection: 'close', 'x-accel-buffering': 'no' });
  const abort = new AbortController();
  streams.add(abort);
  request.raw.on('close', () => abort.abort());
  const send = (event: string, data: unknown) => {
    if (!res.writableEnded) res.write(`event: ${event}\ndata: ${JSON.stringify(data)}\n\n`);
  };
  try {
    await answer.stream(send, abort.signal);
  } finally {
    streams.delete(abort);
    if (!res.writableEnded) res.end();
  }
}

export async function buildServer(deps: ApiDeps, options: ServerOptions): Promise<FastifyInstance> {
  const app = Fastify({
    bodyLimit: options.bodyLimitBytes,
    ...(options.loggerInstance ? { loggerInstance: options.loggerInstance, logController: new LogController({ disableRequestLogging: true }) } : { logger: options.logger ?? false }),
  });
  // Open event streams end when the server closes (else close() would wait for every client to leave).
  const streams = new Set<AbortController>();
  app.addHook('preClose', (done) => {
    for (const stream of streams) stream.abort();
    done();
  });
  const routes: readonly ApiRoute[] = API_ROUTES;
  const document = openApiDocument(routes, '1');

  app.setErrorHandler((error: Error & { statusCode?: number; code?: string }, request, reply) => {
    if (error instanceof ApiError) return reply.status(error.status).send({ error: error.message });
    if (error.code === 'FST_ERR_CTP_BODY_TOO_LARGE') return reply.status(413).send({ error: `request body larger than ${request.routeOptions.bodyLimit ?? options.bodyLimitBytes} bytes` });
    if (error.statusCode && error.statusCode >= 400 && error.statusCode < 500) return reply.status(error.statusCode).send({ error: error.message });
    reply.log.error(error);
    return reply.status(500).send({ error: 'internal error; the server log has the details' });
  });
  app.setNotFoundHandler((_request, reply) => reply.status(404).send({ error: 'no such endpoint; see /api/openapi.json' }));

  const authenticate = async (request: FastifyRequest, auth: ApiRoute['auth']): Promise<Grant | null> => {
    if (auth === 'none' || auth === 'replica') return null;
    const token = bearer(request);
    const grant = token ? await deps.tokens.verify(token) : null;
    if (!grant) throw new ApiError(401, 'a valid bearer token is required');
    return grant;
  };

  const authenticateClient = async (request: FastifyRequest): Promise<ReplicaClientIdentity> => {
    if (!deps.replicas) throw new ApiError(404, 'no replica is configured on this server (replicas in the configuration)');
    const token = bearer(request);
    const client = token ? await deps.replicas.clients.verify(token) : null;
    if (!client) throw new ApiError(401, 'a valid replica client credential is required (tidemark replica client add)');
    return client;
  };

  app.get('/api/openapi.json', async (request) => {
    await authenticate(request, 'read');
    return document;
  });

  for (const route of routes) {
    const bodyLimit = route.bodyLimitBytes?.(deps);
    app.route({
      method: route.method,
      ...(bodyLimit !== undefined ? { bodyLimit } : {}),
      url: route.path.replace(/\{(\w+)\}/g, ':$1'),
      handler: async (request, reply) => {
        const grant = await authenticate(request, route.auth);
        const client = route.auth === 'replica' ? await authenticateClient(request) : null;
        const params = parse(route.params, request.params, 'path');
        const query = parse(route.query, request.query, 'query');
        const body = parse(route.body, request.body, 'body');
        const abort = new AbortController();
        request.raw.on('close', () => abort.abort());
        const answer = await route.handle({ params, query, body, grant, client, signal: abort.signal }, deps);
        if (isStream(answer)) return streamEvents(request, reply, answer, streams);
        reply.status(answer.status ?? 200);
        if (answer.contentType) reply.type(answer.contentType);
        if (answer.headers) reply.headers(answer.headers);
        return answer.body;
      },
    });
  }
  await options.extend?.(app);
  return app;
}
