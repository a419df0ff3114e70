/**
 * The records the Cliniko simulator holds: Cliniko's fields (upstream-apis.md §3.8) with related
 * records as ids, which the answers turn into `{links: {self}}`. Instants are Cliniko's format,
 * `2026-11-10T03:45:00Z`; ids are int64 decimal strings.
 */

export interface ClinikoBusiness {
  id: string;
  business_name: string;
  /** Cliniko's human label, e.g. "Sydney". */
  time_zone: string;
  /** IANA zone. */
  time_zone_identifier: string;
  country: string;
  created_at: string;
  updated_at: string;
}

export interface ClinikoAppointmentType {
  id: string;
  name: string;
  duration_in_minutes: number;
  created_at: string;
  updated_at: string;
}

export interface PhoneNumber {
  phone_type: string;
  number: string;
}

export interface ClinikoPatient {
  id: string;
  first_name: string;
  last_name: string;
  preferred_first_name: string | null;
  title: string | null;
  date_of_birth: string | null;
  sex: string | null;
  gender_identity: string | null;
  email: string | null;
  patient_phone_numbers: PhoneNumber[];
  address_1: string | null;
  city: string | null;
  state: string | null;
  post_code: string | null;
  country_code: string | null;
  time_zone: string | null;
  accepted_privacy_policy: boolean | null;
  notes: string | null;
  old_reference_id: string | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  deleted_at: string | null;
}

export interface ClinikoPractitioner {
  id: string;
  user_id: string;
  default_appointment_type_id: string | null;
  first_name: string;
  last_name: string;
  title: string | null;
  designation: string | null;
  description: string | null;
  show_in_online_bookings: boolean;
  /** Which list serves it: `/practitioners` or `/practitioners/inactive`. Not a field of the answer. */
  active: boolean;
  created_at: string;
  updated_at: string;
}

export interface ClinikoAppointment {
  id: string;
  patient_id: string;
  practitioner_id: string;
  appointment_type_id: string;
  business_id: string;
  starts_at: string;
  ends_at: string;
  patient_name: string;
  notes: string | null;
  cancelled_at: string | null;
  /** 10 Feeling better, 20 Condition worse, 30 Sick, 31 COVID-19, 40 Away, 50 Other, 60 Work. */
  cancellation_reason: number | null;
  cancellation_note: string | null;
  did_not_arrive: boolean;
  patient_arrived: boolean;
  invoice_status: number | null;
  created_at: string;
  updated_at: string;
  archived_at: string | null;
  deleted_at: string | null;
}

export interface ClinikoDataset {
  businesses: ClinikoBusiness[];
  appointmentTypes: ClinikoAppointmentType[];
  practitioners: ClinikoPractitioner[];
  patients: ClinikoPatient[];
  appointments: ClinikoAppointment[];
}

/** Cliniko's instant format: whole seconds, UTC, `Z`. */
export function clinikoTime(at: Date | number): string {
  const ms = typeof at === 'number' ? at : at.getTime();
  return new Date(Math.floor(ms / 1000) * 1000).toISOString().replace('.000Z', 'Z');
}
