/**
 * `cliniko.practitioners`: active practitioners (`GET /practitioners`, which lists only those)
 * and inactive ones (`GET /practitioners/inactive`), one row per Cliniko id with `active` saying
 * which list it came from.
 *
 * Snapshot by default: whether making a practitioner inactive changes its `updated_at` is not
 * documented, a clinic has tens of practitioners (one or two requests), and only a full read
 * notices one that disappears. Incremental mode is offered for very large accounts.
 */
import { z } from 'zod';
import type { JsonValue, NormalizeResult, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { readListPasses } from './list-reader.ts';
import { listPasses, type ListSource } from './list-passes.ts';
import { LOOKBACK_MINUTES } from './lookback.ts';
import { clinikoId, describeIssues, instant, optionalBoolean, optionalText, rawIdOf, relatedId } from './values.ts';

export const PRACTITIONERS_TABLE: TableSpec = {
  name: 'cliniko_practitioners',
  keyColumn: 'practitioner_id',
  columns: [
    { name: 'practitioner_id', type: 'text', nullable: false, description: "Cliniko's int64 id, exact, as text" },
    { name: 'user_id', type: 'text', nullable: true, description: 'from user.links.self' },
    { name: 'default_appointment_type_id', type: 'text', nullable: true, description: 'from default_appointment_type.links.self' },
    { name: 'first_name', type: 'text', nullable: true },
    { name: 'last_name', type: 'text', nullable: true },
    { name: 'title', type: 'text', nullable: true },
    { name: 'label', type: 'text', nullable: true, description: 'display name' },
    { name: 'designation', type: 'text', nullable: true },
    { name: 'show_in_online_bookings', type: 'boolean', nullable: true },
    { name: 'active', type: 'boolean', nullable: false, description: 'listed by /practitioners (true) or /practitioners/inactive (false)' },
    { name: 'upstream_created_at', type: 'instant', nullable: false },
    { name: 'upstream_updated_at', type: 'instant', nullable: false, description: 'the incremental cursor' },
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the practitioner as Cliniko sent it (plus `active` when Cliniko did not send one)' },
  ],
};

const practitionerSchema = z.looseObject({
  id: clinikoId,
  user: relatedId,
  default_appointment_type: relatedId,
  first_name: optionalText,
  last_name: optionalText,
  title: optionalText,
  label: optionalText,
  designation: optionalText,
  show_in_online_bookings: optionalBoolean,
  active: z.boolean({ error: 'expected true or false' }),
  created_at: instant,
  updated_at: instant,
});

export const PRACTITIONER_LISTS: readonly ListSource[] = [
  { path: 'practitioners', collection: 'practitioners', hiddenUnlessAsked: [], tag: { active: true } },
  { path: 'practitioners/inactive', collection: 'practitioners', hiddenUnlessAsked: [], tag: { active: false } },
];

function readPractitioners(client: UpstreamClient, plan: ReadPlan) {
  return readListPasses(client, listPasses(PRACTITIONER_LISTS, plan.mode === 'incremental' ? plan.since : undefined), plan);
}

function normalizePractitioner(raw: unknown): NormalizeResult {
  const parsed = practitionerSchema.safeParse(raw);
  if (!parsed.success) {
    const key = rawIdOf(raw);
    return { ok: false, reason: `invalid Cliniko practitioner: ${describeIssues(parsed.error)}`, ...(key !== undefined ? { key } : {}) };
  }
  const practitioner = parsed.data;
  return {
    ok: true,
    record: {
      key: practitioner.id,
      values: {
        practitioner_id: practitioner.id,
        user_id: practitioner.user,
        default_appointment_type_id: practitioner.default_appointment_type,
        first_name: practitioner.first_name,
        last_name: practitioner.last_name,
        title: practitioner.title,
        label: practitioner.label,
        designation: practitioner.designation,
        show_in_online_bookings: practitioner.show_in_online_bookings,
        active: practitioner.active,
        upstream_created_at: practitioner.created_at,
        upstream_updated_at: practitioner.updated_at,
        raw: raw as JsonValue,
      },
    },
  };
}

export const practitionersStream: StreamDefinition<UpstreamClient> = {
  name: 'cliniko.practitioners',
  defaultMode: 'snapshot',
  modes: ['snapshot', 'incremental'],
  table: PRACTITIONERS_TABLE,
  read: readPractitioners,
  normalize: normalizePractitioner,
  incremental: { defaultLookbackMinutes: LOOKBACK_MINUTES },
};
