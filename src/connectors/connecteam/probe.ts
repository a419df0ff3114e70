/** Connecteam's cheapest authenticated call: one user (`limit=1`) from the users list. */
import { probeRequest, type ProbeOptions, type ProbeResult } from '../connector.ts';
import type { UpstreamClient } from '../../upstream/index.ts';

export function probeConnecteam(client: UpstreamClient, options: ProbeOptions): Promise<ProbeResult> {
  return probeRequest('GET /users/v1/users?limit=1', () => client.getJson('/users/v1/users', { limit: 1 }, { signal: options.signal }));
}
