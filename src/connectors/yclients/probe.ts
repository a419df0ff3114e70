/**
 * YClients' cheapest authenticated call for a connection: the company's staff list (one
 * unpaginated request). The client sends both tokens, so a wrong partner or user token is refused,
 * and a company the user cannot open answers 404 with the hint to check options.companyId.
 */
import { probeRequest, type ProbeOptions, type ProbeResult } from '../connector.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { companyIdOf } from './client.ts';
import { fetchStaff } from './requests.ts';

export function probeYclients(client: UpstreamClient, options: ProbeOptions): Promise<ProbeResult> {
  let companyId: string;
  try {
    companyId = companyIdOf(client, 'the YClients probe');
  } catch (error) {
    return Promise.resolve({ ok: false, request: 'GET /api/v1/staff/{company_id}', error });
  }
  return probeRequest(`GET /api/v1/staff/${companyId}`, () => fetchStaff(client, companyId, options.signal));
}
