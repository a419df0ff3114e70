/**
 * Cliniko: the shard from the API key's suffix, HTTP Basic with the key as the user and an empty
 * password, the User-Agent Cliniko requires (app and contact email, from the connection's
 * options), 200 requests a minute per user spent at an even pace, and int64 ids kept exact.
 */
import type { ConnectorClientSettings, ConnectorDefinition } from '../connector.ts';
import { UpstreamClient, type UpstreamClientOptions } from '../../upstream/index.ts';
import { appointmentsStream } from './appointments-stream.ts';
import { clinikoOptionsSchema, userAgentOf } from './options.ts';
import { patientsStream } from './patients-stream.ts';
import { practitionersStream } from './practitioners-stream.ts';
import { DEFAULT_SHARD, shardBaseUrl, shardOfKey } from './shard.ts';
import { probeCliniko } from './probe.ts';

/** Cliniko's documented limit: 200 requests per minute per user (upstream-apis.md §3.6). */
export const CLINIKO_PER_MINUTE = 200;

/**
 * Everything the Cliniko client is made of. `createClient` uses it as it is; the rate benchmark
 * uses it too and changes only the length of the minute, the same way its simulator does.
 */
export function clinikoClientOptions(settings: ConnectorClientSettings): UpstreamClientOptions {
  const subject = `Cliniko connection "${settings.connectionId}" of tenant "${settings.tenantId}"`;
  const parsed = clinikoOptionsSchema.safeParse(settings.options);
  if (!parsed.success) {
    const problems = parsed.error.issues.map((issue) => `options.${issue.path.join('.') || '(options)'}: ${issue.message}`);
    throw new RangeError(`${subject}: ${problems.join('; ')}`);
  }
  const apiKey = settings.credentials.apiKey ?? '';
  const keyEnv = settings.credentialEnv.apiKey ?? '(unset)';
  if (apiKey === '') throw new RangeError(`${subject}: the API key in environment variable ${keyEnv} is empty`);
  const basic = Buffer.from(`${apiKey}:`).toString('base64');
  return {
    baseUrl: settings.baseUrl ?? shardBaseUrl(shardOfKey(apiKey)),
    tenantId: settings.tenantId,
    connectionId: settings.connectionId,
    upstreamName: 'Cliniko',
    authHeaders: () => ({ Authorization: `Basic ${basic}` }),
    authHint: `check the Cliniko API key in environment variable ${keyEnv} (its suffix, e.g. -au1, names the shard)`,
    userAgent: userAgentOf(parsed.data),
    // A connection's own rateLimit adds to or lowers the documented minute budget; it never drops it.
    limits: { perMinute: CLINIKO_PER_MINUTE, ...settings.limits },
    // Cliniko counts per user (API key): every run of this connection in the process shares it.
    sharedBudget: `cliniko ${settings.baseUrl ?? shardBaseUrl(shardOfKey(apiKey))} ${settings.tenantId}/${settings.connectionId}`,
    // Cliniko counts a plain "200 per minute": an even pace never bursts past it, whatever
    // window Cliniko's counter uses, and a long read still runs just under the limit.
    pacing: 'even',
    exactIntegers: true,
    maxAttempts: settings.maxAttempts,
    timeoutMs: settings.timeoutMs,
  };
}

export const cliniko: ConnectorDefinition = {
  type: 'cliniko',
  displayName: 'Cliniko',
  credentials: ['apiKey'],
  defaultBaseUrl: shardBaseUrl(DEFAULT_SHARD),
  options: clinikoOptionsSchema,
  createClient: (settings) => new UpstreamClient(clinikoClientOptions(settings)),
  probe: probeCliniko,
  streams: [patientsStream, practitionersStream, appointmentsStream],
};
