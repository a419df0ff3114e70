/**
 * POST /api/v1/replica/push and /pull: the offline sites' protocol (docs/replica.md). A site
 * authenticates with its own replica credential, which names its replica and client id.
 */
import { ApiError, defineRoute, type ApiDeps } from '../route.ts';
import { pullRequestSchema, pullResponseSchema, pushRequestSchema, pushResponseSchema } from '../../replica/protocol.ts';

function service(deps: ApiDeps) {
  if (!deps.replicas) throw new ApiError(404, 'no replica is configured on this server (replicas in the configuration)');
  return deps.replicas;
}

const bodyLimitBytes = (deps: ApiDeps) => Math.max(deps.config.api.bodyLimitBytes, ...deps.config.replicas.map((r) => r.bodyLimitBytes));

export const replicaPush = defineRoute({
  method: 'POST',
  path: '/api/v1/replica/push',
  summary: "Apply a site's mutations in order, each once (409 out_of_order on a gap; rejected mutations are consumed)",
  tags: ['replica'],
  auth: 'replica',
  bodyLimitBytes,
  body: pushRequestSchema,
  response: pushResponseSchema,
  async handle({ body, client }, deps) {
    const answer = await service(deps).push(client!, body);
    return { status: answer.status, body: answer.body, ...(answer.headers ? { headers: answer.headers } : {}) };
  },
});

export const replicaPull = defineRoute({
  method: 'POST',
  path: '/api/v1/replica/pull',
  summary: 'Changes after a cookie in commit order, one page, with the client’s last mutation id from the same snapshot',
  tags: ['replica'],
  auth: 'replica',
  bodyLimitBytes,
  body: pullRequestSchema,
  response: pullResponseSchema,
  async handle({ body, client }, deps) {
    const answer = await service(deps).pull(client!, body);
    return { status: answer.status, body: answer.body };
  },
});
