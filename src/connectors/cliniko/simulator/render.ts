/**
 * Stored records as Cliniko answers them (upstream-apis.md §3.8): related records as
 * `{links: {self}}` under the API's base URL, nullable fields present as null, ids as strings.
 */
import type { ClinikoAppointment, ClinikoAppointmentType, ClinikoBusiness, ClinikoPatient, ClinikoPractitioner } from './types.ts';

type Json = Record<string, unknown>;

const link = (api: string, path: string): Json => ({ links: { self: `${api}/${path}` } });

export function renderPatient(p: ClinikoPatient, api: string): Json {
  const self = `patients/${p.id}`;
  return {
    id: p.id,
    created_at: p.created_at,
    updated_at: p.updated_at,
    archived_at: p.archived_at,
    deleted_at: p.deleted_at,
    first_name: p.first_name,
    last_name: p.last_name,
    preferred_first_name: p.preferred_first_name,
    title: p.title,
    label: `${p.first_name} ${p.last_name}`,
    date_of_birth: p.date_of_birth,
    sex: p.sex,
    gender_identity: p.gender_identity,
    email: p.email,
    patient_phone_numbers: p.patient_phone_numbers,
    address_1: p.address_1,
    address_2: null,
    address_3: null,
    city: p.city,
    state: p.state,
    post_code: p.post_code,
    country_code: p.country_code,
    time_zone: p.time_zone,
    accepted_privacy_policy: p.accepted_privacy_policy,
    accepted_sms_marketing: null,
    accepted_email_marketing: null,
    notes: p.notes,
    occupation: null,
    old_reference_id: p.old_reference_id,
    medicare: null,
    medicare_reference_number: null,
    custom_fields: null,
    concession_type: null,
    referring_doctor: null,
    appointments: link(api, `${self}/appointments`),
    invoices: link(api, `${self}/invoices`),
    medical_alerts: link(api, `${self}/medical_alerts`),
    links: { self: `${api}/${self}` },
  };
}

/** No `active` field: which list a practitioner comes from says it (legacy practitioners.md). */
export function renderPractitioner(p: ClinikoPractitioner, api: string): Json {
  const self = `practitioners/${p.id}`;
  return {
    id: p.id,
    created_at: p.created_at,
    updated_at: p.updated_at,
    first_name: p.first_name,
    last_name: p.last_name,
    title: p.title,
    label: [p.title, p.first_name, p.last_name].filter(Boolean).join(' '),
    designation: p.designation,
    description: p.description,
    show_in_online_bookings: p.show_in_online_bookings,
    default_appointment_type: p.default_appointment_type_id ? link(api, `appointment_types/${p.default_appointment_type_id}`) : null,
    user: link(api, `users/${p.user_id}`),
    appointments: link(api, `${self}/appointments`),
    invoices: link(api, `${self}/invoices`),
    practitioner_reference_numbers: link(api, `${self}/practitioner_reference_numbers`),
    links: { self: `${api}/${self}` },
  };
}

const REASONS: Readonly<Record<number, string>> = { 10: 'Feeling better', 20: 'Condition worse', 30: 'Sick', 31: 'COVID-19 related', 40: 'Away', 50: 'Other', 60: 'Work' };

export function renderAppointment(a: ClinikoAppointment, api: string): Json {
  const self = `individual_appointments/${a.id}`;
  return {
    id: a.id,
    created_at: a.created_at,
    updated_at: a.updated_at,
    archived_at: a.archived_at,
    deleted_at: a.deleted_at,
    cancelled_at: a.cancelled_at,
    starts_at: a.starts_at,
    ends_at: a.ends_at,
    booking_ip_address: null,
    cancellation_note: a.cancellation_note,
    cancellation_reason: a.cancellation_reason,
    cancellation_reason_description: a.cancellation_reason === null ? null : (REASONS[a.cancellation_reason] ?? 'Other'),
    did_not_arrive: a.did_not_arrive,
    patient_arrived: a.patient_arrived,
    email_reminder_sent: false,
    sms_reminder_sent: false,
    invoice_status: a.invoice_status,
    treatment_note_status: null,
    notes: a.notes,
    online_booking_policy_accepted: null,
    patient_name: a.patient_name,
    telehealth_url: null,
    repeat_rule: {},
    repeats: null,
    conflicts: link(api, `${self}/conflicts`),
    appointment_type: link(api, `appointment_types/${a.appointment_type_id}`),
    business: link(api, `businesses/${a.business_id}`),
    practitioner: link(api, `practitioners/${a.practitioner_id}`),
    patient: link(api, `patients/${a.patient_id}`),
    attendees: link(api, `${self}/attendees`),
    links: { self: `${api}/${self}` },
  };
}

export function renderBusiness(b: ClinikoBusiness, api: string): Json {
  return { ...b, practitioners: link(api, `businesses/${b.id}/practitioners`), links: { self: `${api}/businesses/${b.id}` } };
}

export function renderAppointmentType(t: ClinikoAppointmentType, api: string): Json {
  return { ...t, practitioners: link(api, `appointment_types/${t.id}/practitioners`), links: { self: `${api}/appointment_types/${t.id}` } };
}

/**
 * An answer's JSON with every `"id":"123…"` as a bare number, as older Cliniko answers sent them:
 * past 2^53 a careless client rounds them to another record's id.
 */
export function withNumericIds(text: string): string {
  // Inside a JSON string a quote is escaped, so this only matches real `id` members.
  return text.replace(/"id":"(\d+)"/g, '"id":$1');
}
