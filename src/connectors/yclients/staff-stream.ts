/**
 * `yclients.staff`: every staff member of the company, one row per YClients staff id. Snapshot
 * mode: the list is read whole; fired, hidden and deleted staff stay in the list upstream and are
 * kept as rows with `fired` / `is_deleted` / `hidden`; one absent from a complete read is marked
 * deleted (`deleted_at`).
 */
import type { JsonValue, NormalizeResult, RawPage, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { companyIdOf } from './client.ts';
import { fetchStaff } from './requests.ts';
import { looseKey, safely } from './safely.ts';
import { describeIssues, staffSchema } from './schemas.ts';
import { orNull } from './values.ts';

export const STAFF_TABLE: TableSpec = {
  name: 'yclients_staff',
  keyColumn: 'staff_id',
  columns: [
    { name: 'staff_id', type: 'bigint', nullable: false, description: 'YClients staff id' },
    { name: 'company_id', type: 'bigint', nullable: true, description: 'the company (branch) the staff member belongs to' },
    { name: 'name', type: 'text', nullable: false },
    { name: 'specialization', type: 'text', nullable: true },
    { name: 'position_id', type: 'bigint', nullable: true },
    { name: 'position_title', type: 'text', nullable: true },
    { name: 'fired', type: 'boolean', nullable: false, description: 'dismissed (`fired` 1 or `is_fired` true)' },
    { name: 'is_deleted', type: 'boolean', nullable: false },
    { name: 'hidden', type: 'boolean', nullable: false, description: 'hidden from online booking' },
    { name: 'status', type: 'integer', nullable: true },
    { name: 'is_bookable', type: 'boolean', nullable: true },
    { name: 'rating', type: 'numeric', nullable: true },
    { name: 'weight', type: 'integer', nullable: true, description: 'sort order in YClients' },
    { name: 'user_id', type: 'bigint', nullable: true, description: 'the YClients user account, if any' },
    { name: 'dismissal_date', type: 'date', nullable: true },
    { name: 'schedule_till', type: 'date', nullable: true, description: 'last date the schedule is filled in for' },
    { name: 'avatar', type: 'text', nullable: true },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the staff member as YClients sent it' },
  ],
};

async function* readStaff(client: UpstreamClient, plan: ReadPlan): AsyncIterable<RawPage> {
  const companyId = companyIdOf(client, 'yclients.staff');
  const records = await fetchStaff(client, companyId, plan.signal);
  yield { records, position: null, progress: { done: 1, total: 1 } };
}

function normalizeStaff(raw: unknown): NormalizeResult {
  const parsed = staffSchema.safeParse(raw);
  if (!parsed.success) {
    const key = looseKey(raw, 'id');
    const reason = `invalid YClients staff member: ${describeIssues(parsed.error)}`;
    return key === undefined ? { ok: false, reason } : { ok: false, reason, key };
  }
  const staff = parsed.data;
  return {
    ok: true,
    record: {
      key: staff.id,
      values: {
        staff_id: staff.id,
        company_id: orNull(staff.company_id),
        name: staff.name,
        specialization: orNull(staff.specialization),
        position_id: orNull(staff.position?.id),
        position_title: orNull(staff.position?.title),
        fired: (staff.fired ?? false) || (staff.is_fired ?? false),
        is_deleted: staff.is_deleted ?? false,
        hidden: staff.hidden ?? false,
        status: orNull(staff.status),
        is_bookable: orNull(staff.is_bookable),
        rating: orNull(staff.rating),
        weight: orNull(staff.weight),
        user_id: orNull(staff.user_id),
        dismissal_date: staff.dismissal_date,
        schedule_till: staff.schedule_till,
        avatar: orNull(staff.avatar),
        raw: raw as JsonValue, // it came from JSON.parse
      },
    },
  };
}

export const staffStream: StreamDefinition<UpstreamClient> = {
  name: 'yclients.staff',
  defaultMode: 'snapshot',
  modes: ['snapshot'],
  table: STAFF_TABLE,
  read: readStaff,
  normalize: (raw) => safely('staff member', () => normalizeStaff(raw), () => looseKey(raw, 'id')),
};
