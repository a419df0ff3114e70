/** Cliniko's cheapest authenticated call: one practitioner (`per_page=1`) of the active list. */
import { probeRequest, type ProbeOptions, type ProbeResult } from '../connector.ts';
import type { UpstreamClient } from '../../upstream/index.ts';

export function probeCliniko(client: UpstreamClient, options: ProbeOptions): Promise<ProbeResult> {
  return probeRequest('GET /practitioners?per_page=1', () => client.getJson('/practitioners', { per_page: 1 }, { signal: options.signal }));
}
