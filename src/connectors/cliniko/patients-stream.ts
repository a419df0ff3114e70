/**
 * `cliniko.patients`: every patient, archived and deleted ones included, one row per Cliniko id.
 * Incremental by default (what changed since the previous complete read's start, minus the
 * lookback); snapshot re-reads the whole list and marks rows absent from it deleted.
 */
import { z } from 'zod';
import type { JsonValue, NormalizeResult, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { readListPasses } from './list-reader.ts';
import { listPasses, type ListSource } from './list-passes.ts';
import { LOOKBACK_MINUTES } from './lookback.ts';
import { requireLiveTimestamps, TIMESTAMP_COLUMNS, TIMESTAMP_SHAPE, timestampValues } from './timestamps.ts';
import { clinikoId, describeIssues, optionalBoolean, optionalDate, optionalText, rawIdOf } from './values.ts';

export const PATIENTS_TABLE: TableSpec = {
  name: 'cliniko_patients',
  keyColumn: 'patient_id',
  columns: [
    { name: 'patient_id', type: 'text', nullable: false, description: "Cliniko's int64 id, exact, as text" },
    { name: 'first_name', type: 'text', nullable: true },
    { name: 'last_name', type: 'text', nullable: true },
    { name: 'preferred_first_name', type: 'text', nullable: true },
    { name: 'title', type: 'text', nullable: true },
    { name: 'date_of_birth', type: 'date', nullable: true },
    { name: 'sex', type: 'text', nullable: true },
    { name: 'gender_identity', type: 'text', nullable: true },
    { name: 'email', type: 'text', nullable: true },
    { name: 'phone_numbers', type: 'json', nullable: false, description: '[{phone_type, number}] as sent' },
    { name: 'address_1', type: 'text', nullable: true },
    { name: 'city', type: 'text', nullable: true },
    { name: 'state', type: 'text', nullable: true },
    { name: 'post_code', type: 'text', nullable: true },
    { name: 'country_code', type: 'text', nullable: true },
    { name: 'time_zone', type: 'text', nullable: true, description: "the patient's IANA zone, when set" },
    { name: 'accepted_privacy_policy', type: 'boolean', nullable: true },
    { name: 'old_reference_id', type: 'text', nullable: true },
    ...TIMESTAMP_COLUMNS,
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the patient as Cliniko sent it' },
  ],
};

const patientSchema = z
  .looseObject({
    id: clinikoId,
    first_name: optionalText,
    last_name: optionalText,
    preferred_first_name: optionalText,
    title: optionalText,
    date_of_birth: optionalDate,
    sex: optionalText,
    gender_identity: optionalText,
    email: optionalText,
    patient_phone_numbers: z.array(z.looseObject({ phone_type: optionalText, number: optionalText })).nullish(),
    address_1: optionalText,
    city: optionalText,
    state: optionalText,
    post_code: optionalText,
    country_code: optionalText,
    time_zone: optionalText,
    accepted_privacy_policy: optionalBoolean,
    old_reference_id: optionalText,
    ...TIMESTAMP_SHAPE,
  })
  .superRefine(requireLiveTimestamps);

export const PATIENT_LIST: ListSource = { path: 'patients', collection: 'patients', hiddenUnlessAsked: ['archived_at', 'deleted_at'] };

function readPatients(client: UpstreamClient, plan: ReadPlan) {
  return readListPasses(client, listPasses([PATIENT_LIST], plan.mode === 'incremental' ? plan.since : undefined), plan);
}

function normalizePatient(raw: unknown): NormalizeResult {
  const parsed = patientSchema.safeParse(raw);
  if (!parsed.success) {
    const key = rawIdOf(raw);
    return { ok: false, reason: `invalid Cliniko patient: ${describeIssues(parsed.error)}`, ...(key !== undefined ? { key } : {}) };
  }
  const patient = parsed.data;
  return {
    ok: true,
    record: {
      key: patient.id,
      values: {
        patient_id: patient.id,
        first_name: patient.first_name,
        last_name: patient.last_name,
        preferred_first_name: patient.preferred_first_name,
        title: patient.title,
        date_of_birth: patient.date_of_birth,
        sex: patient.sex,
        gender_identity: patient.gender_identity,
        email: patient.email,
        phone_numbers: (patient.patient_phone_numbers ?? []) as JsonValue,
        address_1: patient.address_1,
        city: patient.city,
        state: patient.state,
        post_code: patient.post_code,
        country_code: patient.country_code,
        time_zone: patient.time_zone,
        accepted_privacy_policy: patient.accepted_privacy_policy,
        old_reference_id: patient.old_reference_id,
        ...timestampValues(patient),
        raw: raw as JsonValue, // it came from JSON.parse
      },
    },
  };
}

export const patientsStream: StreamDefinition<UpstreamClient> = {
  name: 'cliniko.patients',
  defaultMode: 'incremental',
  modes: ['incremental', 'snapshot'],
  table: PATIENTS_TABLE,
  read: readPatients,
  normalize: normalizePatient,
  incremental: { defaultLookbackMinutes: LOOKBACK_MINUTES },
};
