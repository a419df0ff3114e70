/**
 * `cliniko.appointments`: individual appointments (`GET /individual_appointments`), cancelled,
 * archived and deleted ones included, one row per Cliniko id. The patient, practitioner,
 * appointment type and business come as links; their ids are the links' last segments.
 * `business_date` is the start's date in the tenant's zone, so each clinic's days are its own.
 */
import { z } from 'zod';
import type { JsonValue, NormalizeResult, ReadPlan, StreamDefinition } from '../../engine/stream.ts';
import type { TableSpec } from '../../destinations/table-spec.ts';
import type { UpstreamClient } from '../../upstream/index.ts';
import { businessDateOf } from '../../time/business-day.ts';
import { readListPasses } from './list-reader.ts';
import { listPasses, type ListSource } from './list-passes.ts';
import { LOOKBACK_MINUTES } from './lookback.ts';
import { requireLiveTimestamps, TIMESTAMP_COLUMNS, TIMESTAMP_SHAPE, timestampValues } from './timestamps.ts';
import { clinikoId, describeIssues, optionalBoolean, optionalInstant, optionalText, rawIdOf, relatedId } from './values.ts';

export const APPOINTMENTS_TABLE: TableSpec = {
  name: 'cliniko_appointments',
  keyColumn: 'appointment_id',
  windowColumn: 'starts_at',
  columns: [
    { name: 'appointment_id', type: 'text', nullable: false, description: "Cliniko's int64 id, exact, as text" },
    { name: 'patient_id', type: 'text', nullable: true, description: 'from patient.links.self' },
    { name: 'practitioner_id', type: 'text', nullable: true, description: 'from practitioner.links.self' },
    { name: 'appointment_type_id', type: 'text', nullable: true, description: 'from appointment_type.links.self' },
    { name: 'business_id', type: 'text', nullable: true, description: 'from business.links.self' },
    { name: 'starts_at', type: 'instant', nullable: true, description: 'UTC' },
    { name: 'ends_at', type: 'instant', nullable: true, description: 'UTC' },
    { name: 'business_date', type: 'date', nullable: true, description: "the start's date in the tenant's zone" },
    { name: 'patient_name', type: 'text', nullable: true },
    { name: 'notes', type: 'text', nullable: true },
    { name: 'is_cancelled', type: 'boolean', nullable: false },
    { name: 'cancelled_at', type: 'instant', nullable: true },
    { name: 'cancellation_reason', type: 'integer', nullable: true, description: '10 feeling better … 60 work (Cliniko codes)' },
    { name: 'cancellation_reason_description', type: 'text', nullable: true },
    { name: 'cancellation_note', type: 'text', nullable: true },
    { name: 'did_not_arrive', type: 'boolean', nullable: true },
    { name: 'patient_arrived', type: 'boolean', nullable: true },
    { name: 'invoice_status', type: 'integer', nullable: true },
    ...TIMESTAMP_COLUMNS,
    { name: 'raw', type: 'json', nullable: false, audited: false, description: 'the appointment as Cliniko sent it' },
  ],
};

const optionalInteger = z.union([z.number().int(), z.null()]).optional().transform((value) => value ?? null);

const appointmentSchema = z
  .looseObject({
    id: clinikoId,
    patient: relatedId,
    practitioner: relatedId,
    appointment_type: relatedId,
    business: relatedId,
    starts_at: optionalInstant,
    ends_at: optionalInstant,
    patient_name: optionalText,
    notes: optionalText,
    cancelled_at: optionalInstant,
    cancellation_reason: optionalInteger,
    cancellation_reason_description: optionalText,
    cancellation_note: optionalText,
    did_not_arrive: optionalBoolean,
    patient_arrived: optionalBoolean,
    invoice_status: optionalInteger,
    ...TIMESTAMP_SHAPE,
  })
  .superRefine((record, ctx) => {
    requireLiveTimestamps(record, ctx);
    if (record.deleted_at === null && (record.starts_at === null || record.ends_at === null)) {
      ctx.addIssue({ code: 'custom', path: [record.starts_at === null ? 'starts_at' : 'ends_at'], message: 'required on an appointment that is not deleted' });
    }
    if (record.starts_at && record.ends_at && record.ends_at < record.starts_at) {
      ctx.addIssue({ code: 'custom', path: ['ends_at'], message: `ends (${record.ends_at.toISOString()}) before it starts (${record.starts_at.toISOString()})` });
    }
  });

/** `/individual_appointments` leaves out archived, deleted and (like its legacy `/cancelled` list suggests) cancelled ones unless asked. */
export const APPOINTMENT_LIST: ListSource = {
  path: 'individual_appointments',
  collection: 'individual_appointments',
  hiddenUnlessAsked: ['archived_at', 'deleted_at', 'cancelled_at'],
};

function readAppointments(client: UpstreamClient, plan: ReadPlan) {
  return readListPasses(client, listPasses([APPOINTMENT_LIST], plan.mode === 'incremental' ? plan.since : undefined), plan);
}

function normalizeAppointment(raw: unknown, context: { timezone: string }): NormalizeResult {
  const parsed = appointmentSchema.safeParse(raw);
  if (!parsed.success) {
    const key = rawIdOf(raw);
    return { ok: false, reason: `invalid Cliniko individual appointment: ${describeIssues(parsed.error)}`, ...(key !== undefined ? { key } : {}) };
  }
  const appointment = parsed.data;
  return {
    ok: true,
    record: {
      key: appointment.id,
      values: {
        appointment_id: appointment.id,
        patient_id: appointment.patient,
        practitioner_id: appointment.practitioner,
        appointment_type_id: appointment.appointment_type,
        business_id: appointment.business,
        starts_at: appointment.starts_at,
        ends_at: appointment.ends_at,
        business_date: appointment.starts_at ? businessDateOf(appointment.starts_at, context.timezone) : null,
        patient_name: appointment.patient_name,
        notes: appointment.notes,
        is_cancelled: appointment.cancelled_at !== null,
        cancelled_at: appointment.cancelled_at,
        cancellation_reason: appointment.cancellation_reason,
        cancellation_reason_description: appointment.cancellation_reason_description,
        cancellation_note: appointment.cancellation_note,
        did_not_arrive: appointment.did_not_arrive,
        patient_arrived: appointment.patient_arrived,
        invoice_status: appointment.invoice_status,
        ...timestampValues(appointment),
        raw: raw as JsonValue,
      },
    },
  };
}

export const appointmentsStream: StreamDefinition<UpstreamClient> = {
  name: 'cliniko.appointments',
  defaultMode: 'incremental',
  modes: ['incremental', 'snapshot'],
  table: APPOINTMENTS_TABLE,
  read: readAppointments,
  normalize: normalizeAppointment,
  incremental: { defaultLookbackMinutes: LOOKBACK_MINUTES },
};
