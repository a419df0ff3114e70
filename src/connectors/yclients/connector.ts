/**
 * YClients (salon booking): partner + user token auth, the documented per-IP limits of 5 requests
 * a second and 200 a minute, one company (branch) per connection, and three streams: staff,
 * services and staff schedules. Facts: upstream-apis.md §2; choices for what is undocumented:
 * docs/connectors/yclients.md.
 */
import type { ConnectorDefinition } from '../connector.ts';
import { YclientsClient } from './client.ts';
import { yclientsOptionsSchema } from './options.ts';
import { sharedBudget } from './shared-budget.ts';
import { schedulesStream } from './schedules-stream.ts';
import { servicesStream } from './services-stream.ts';
import { staffStream } from './staff-stream.ts';
import { probeYclients } from './probe.ts';

export const YCLIENTS_BASE_URL = 'https://api.yclients.com';
/** "200 requests per minute or 5 requests per second per IP address" (upstream-apis.md §2.6). */
export const YCLIENTS_LIMITS = { perSecond: 5, perMinute: 200 } as const;

/** The origin a budget is kept for; a URL that does not parse is refused by the client itself. */
function originOf(baseUrl: string): string {
  try {
    return new URL(baseUrl).origin;
  } catch {
    return baseUrl;
  }
}

export const yclients: ConnectorDefinition = {
  type: 'yclients',
  displayName: 'YClients',
  credentials: ['partnerToken', 'userToken'],
  defaultBaseUrl: YCLIENTS_BASE_URL,
  options: yclientsOptionsSchema,
  createClient(settings) {
    const where = `YClients connection "${settings.connectionId}" of tenant "${settings.tenantId}"`;
    const options = yclientsOptionsSchema.safeParse(settings.options);
    if (!options.success) {
      throw new RangeError(`${where}: options.companyId is missing or wrong; set it to the YClients company (branch) id, e.g. "options": { "companyId": 123456 }`);
    }
    const baseUrl = settings.baseUrl ?? YCLIENTS_BASE_URL;
    // The limits are per IP and always apply: a connection may change them, never drop one.
    const limits = {
      perSecond: settings.limits?.perSecond ?? YCLIENTS_LIMITS.perSecond,
      perMinute: settings.limits?.perMinute ?? YCLIENTS_LIMITS.perMinute,
      ...(settings.limits?.perDay !== undefined ? { perDay: settings.limits.perDay } : {}),
    };
    const partner = settings.credentials.partnerToken ?? '';
    const user = settings.credentials.userToken ?? '';
    const env = settings.credentialEnv;
    return new YclientsClient(
      {
        baseUrl,
        tenantId: settings.tenantId,
        connectionId: settings.connectionId,
        upstreamName: 'YClients',
        // The client has no hook for plain headers: Accept rides with the auth headers. It names
        // the v2 answer format YClients clients send (upstream-apis.md §2.1).
        authHeaders: () => ({ Authorization: `Bearer ${partner}, User ${user}`, Accept: 'application/vnd.yclients.v2+json' }),
        authHint:
          `check the partner token (environment variable ${env.partnerToken ?? '(unset)'}) and the user token ` +
          `(environment variable ${env.userToken ?? '(unset)'}); the user must have access to company ${options.data.companyId}`,
        limits,
        maxAttempts: settings.maxAttempts,
        timeoutMs: settings.timeoutMs,
      },
      options.data.companyId,
      sharedBudget(originOf(baseUrl), limits),
    );
  },
  probe: probeYclients,
  streams: [staffStream, servicesStream, schedulesStream],
};
