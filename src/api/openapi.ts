/** The OpenAPI 3.1 document, built from the route definitions' zod schemas (one source of truth). */
import { z } from 'zod';
import type { ApiRoute } from './route.ts';

function parameters(schema: z.ZodType | undefined, where: 'path' | 'query'): unknown[] {
  if (!schema) return [];
  const json = z.toJSONSchema(schema, { io: 'input', unrepresentable: 'any' }) as { properties?: Record<string, unknown>; required?: string[] };
  return Object.entries(json.properties ?? {}).map(([name, property]) => ({
    name,
    in: where,
    required: where === 'path' || (json.required ?? []).includes(name),
    schema: property,
  }));
}

export function openApiDocument(routes: readonly ApiRoute[], version: string): unknown {
  const paths: Record<string, Record<string, unknown>> = {};
  for (const route of routes) {
    const operation: Record<string, unknown> = {
      summary: route.summary,
      tags: route.tags ?? [],
      parameters: [...parameters(route.params, 'path'), ...parameters(route.query, 'query')],
      responses: {
        200: {
          description: 'OK',
          ...(route.response ? { content: { 'application/json': { schema: z.toJSONSchema(route.response, { unrepresentable: 'any' }) } } } : {}),
        },
        400: { description: 'invalid parameters or body (the answer names them)' },
        ...(route.auth === 'none' ? {} : { 401: { description: 'missing or invalid token' }, 404: { description: 'no such tenant, or not visible to this token' } }),
        ...(route.auth === 'operate' ? { 403: { description: 'a read token cannot operate' } } : {}),
        ...(route.auth === 'replica' ? { 403: { description: 'the credential belongs to another client' }, 409: { description: 'out_of_order, client_state_mismatch or schema_mismatch' } } : {}),
      },
      ...(route.auth === 'none' ? { security: [] } : {}),
    };
    if (route.body) {
      operation.requestBody = { required: true, content: { 'application/json': { schema: z.toJSONSchema(route.body, { io: 'input', unrepresentable: 'any' }) } } };
    }
    (paths[route.path] ??= {})[route.method.toLowerCase()] = operation;
  }
  return {
    openapi: '3.1.0',
    info: { title: 'Tidemark API', version, description: 'Status, runs, triggers, dead letters and reconcile reports of Tidemark syncs. docs/api.md' },
    components: { securitySchemes: { bearer: { type: 'http', scheme: 'bearer', description: 'a token from `tidemark token create`' } } },
    security: [{ bearer: [] }],
    paths,
  };
}
