/**
 * `yclients.services`: every service of the company, one row per YClients service id. Snapshot
 * mode: the list is read whole and a service absent from a complete read is marked deleted.
 */
import type { JsonValue, NormalizeResult, RawPage, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { companyIdOf } from './client.ts';
import { fetchServices } from './requests.ts';
import { looseKey, safely } from './safely.ts';
import { describeIssues, serviceSchema } from './schemas.ts';
import { orNull } from './values.ts';

export const SERVICES_TABLE: TableSpec = {
  name: 'yclients_services',
  keyColumn: 'service_id',
  columns: [
    { name: 'service_id', type: 'bigint', nullable: false, description: 'YClients service id' },
    { name: 'title', type: 'text', nullable: false },
    { name: 'category_id', type: 'bigint', nullable: true },
    { name: 'price_min', type: 'numeric', nullable: true },
    { name: 'price_max', type: 'numeric', nullable: true },
    { name: 'discount', type: 'numeric', nullable: true },
    { name: 'duration_seconds', type: 'integer', nullable: true, description: '`duration`, else `seance_length` / `session_length`' },
    { name: 'active', type: 'boolean', nullable: true },
    { name: 'weight', type: 'integer', nullable: true },
    { name: 'prepaid', type: 'text', nullable: true },
    { name: 'comment', type: 'text', nullable: true },
    { name: 'api_id', type: 'text', nullable: true },
    { name: 'staff', type: 'json', nullable: false, description: '[{staff_id, seance_length}]: who performs it and for how long (seconds)' },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the service as YClients sent it' },
  ],
};

async function* readServices(client: UpstreamClient, plan: ReadPlan): AsyncIterable<RawPage> {
  const companyId = companyIdOf(client, 'yclients.services');
  const records = await fetchServices(client, companyId, plan.signal);
  yield { records, position: null, progress: { done: 1, total: 1 } };
}

function normalizeService(raw: unknown): NormalizeResult {
  const parsed = serviceSchema.safeParse(raw);
  if (!parsed.success) {
    const key = looseKey(raw, 'id');
    const reason = `invalid YClients service: ${describeIssues(parsed.error)}`;
    return key === undefined ? { ok: false, reason } : { ok: false, reason, key };
  }
  const service = parsed.data;
  return {
    ok: true,
    record: {
      key: service.id,
      values: {
        service_id: service.id,
        title: service.title,
        category_id: orNull(service.category_id),
        price_min: orNull(service.price_min),
        price_max: orNull(service.price_max),
        discount: orNull(service.discount),
        duration_seconds: service.duration ?? service.seance_length ?? service.session_length ?? null,
        active: orNull(service.active),
        weight: orNull(service.weight),
        prepaid: orNull(service.prepaid),
        comment: orNull(service.comment),
        api_id: orNull(service.api_id),
        staff: (service.staff ?? []).map((link) => ({ staff_id: link.id, seance_length: link.seance_length ?? null })),
        raw: raw as JsonValue, // it came from JSON.parse
      },
    },
  };
}

export const servicesStream: StreamDefinition<UpstreamClient> = {
  name: 'yclients.services',
  defaultMode: 'snapshot',
  modes: ['snapshot'],
  table: SERVICES_TABLE,
  read: readServices,
  normalize: (raw) => safely('service', () => normalizeService(raw), () => looseKey(raw, 'id')),
};
