/**
 * The YClients requests the streams make (paths from upstream-apis.md §2.3), each returning the
 * answer's `data` list. A 404 on a company path almost always means a wrong company id, so the
 * error says which option to check.
 */
import type { UpstreamClient } from '../../upstream/index.ts';
import { UpstreamError, isUpstreamError } from '../../upstream/index.ts';
import { listData } from './answer.ts';

async function getList(client: UpstreamClient, companyId: string, path: string, query: Record<string, string | readonly string[]>, what: string, signal?: AbortSignal): Promise<unknown[]> {
  let body: unknown;
  try {
    body = await client.getJson(path, query, { signal });
  } catch (error) {
    if (isUpstreamError(error, 'not_found')) {
      // Same kind and fields (callers branch on `kind`), with the likely fix added.
      throw new UpstreamError({
        kind: error.kind,
        status: error.status,
        retryable: error.retryable,
        tenantId: error.tenantId,
        connectionId: error.connectionId,
        url: error.url,
        attempts: error.attempts,
        message: `${error.message}. Check the connection's options.companyId (${companyId}): it must be a company (branch) this user token can open`,
        cause: error,
      });
    }
    throw error;
  }
  return listData(body, what);
}

/** Every staff member of the company, fired, hidden and deleted ones included (unpaginated). */
export function fetchStaff(client: UpstreamClient, companyId: string, signal?: AbortSignal): Promise<unknown[]> {
  return getList(client, companyId, `/api/v1/staff/${companyId}`, {}, `the staff list of company ${companyId}`, signal);
}

/** Every service of the company (unpaginated). */
export function fetchServices(client: UpstreamClient, companyId: string, signal?: AbortSignal): Promise<unknown[]> {
  return getList(client, companyId, `/api/v1/services/${companyId}`, {}, `the services of company ${companyId}`, signal);
}

/** Working days of `staffIds` from `startDate` to `endDate` (both `YYYY-MM-DD`, both included). */
export function fetchSchedule(
  client: UpstreamClient,
  companyId: string,
  range: { readonly startDate: string; readonly endDate: string },
  staffIds: readonly string[],
  signal?: AbortSignal,
): Promise<unknown[]> {
  return getList(
    client,
    companyId,
    `/api/v1/company/${companyId}/staff/schedule`,
    { start_date: range.startDate, end_date: range.endDate, 'staff_ids[]': staffIds },
    `the staff schedule of company ${companyId} from ${range.startDate} to ${range.endDate}`,
    signal,
  );
}
