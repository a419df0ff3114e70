/**
 * The seeded data set: same seed and options → the same records and ids, byte for byte.
 *
 * What it holds (defaults: one business "Harbour Physio" in Australia/Sydney, 6 practitioners,
 * 240 patients, 600 appointments over 14 days from 2026-11-02):
 * - practitioners: the last third (at least one of two or more) inactive, served by
 *   `/practitioners/inactive` only;
 * - patients: index % 20 = 7 archived, index % 50 = 13 deleted (`deleted_at` set), the rest live;
 * - appointments: round-robin over businesses, 08:00–17:45 local in the business's zone on the
 *   days from `from` on; index % 12 = 5 cancelled (with a reason code), % 40 = 17 archived,
 *   % 45 = 22 deleted, % 9 = 3 did-not-arrive;
 * - every id is an int64 above 2^53; created/updated instants lie in the 400 days before `from`.
 */
import { DateTime } from 'luxon';
import { addDays, assertIsoDate, assertTimezone } from '../../../time/business-day.ts';
import { idSequence, pick, randomInt, seededRandom, type Random } from './random.ts';
import {
  clinikoTime,
  type ClinikoAppointment,
  type ClinikoAppointmentType,
  type ClinikoBusiness,
  type ClinikoDataset,
  type ClinikoPatient,
  type ClinikoPractitioner,
} from './types.ts';

export interface ClinikoGenerateOptions {
  businesses: { name: string; timeZone: string }[];
  practitioners: number;
  patients: number;
  appointments: number;
  /** First appointment date, `YYYY-MM-DD`. */
  from: string;
  days: number;
}

export const DEFAULT_SEED = 1;
export const DEFAULT_CLINIKO_GENERATE: Readonly<ClinikoGenerateOptions> = {
  businesses: [{ name: 'Harbour Physio', timeZone: 'Australia/Sydney' }],
  practitioners: 6,
  patients: 240,
  appointments: 600,
  from: '2026-11-02',
  days: 14,
};

const FIRST = ['Olivia', 'Jack', 'Amelia', 'Noah', 'Isla', 'Oliver', 'Mia', 'William', 'Ava', 'Thomas', 'Grace', 'James', 'Chloe', 'Lucas', 'Zoe', 'Henry'];
const LAST = ['Smith', 'Nguyen', 'Williams', 'Brown', 'Wilson', 'Taylor', 'Anderson', "O'Brien", 'Martin', 'Singh', 'Lee', 'Walker', 'Harris', 'Kelly', 'Ryan', 'Clarke'];
const DESIGNATIONS = ['Physiotherapist', 'Osteopath', 'Massage Therapist', 'Podiatrist', 'Exercise Physiologist'];
const TYPES = [
  { name: 'Initial Consultation', duration_in_minutes: 60 },
  { name: 'Standard Consultation', duration_in_minutes: 30 },
  { name: 'Extended Consultation', duration_in_minutes: 45 },
];
const CANCELLATION_REASONS = [10, 20, 30, 31, 40, 50, 60];
const DAY_MS = 86_400_000;

function wholeNumber(name: string, value: number, min: number, max: number): void {
  if (!Number.isInteger(value) || value < min || value > max) throw new RangeError(`generate.${name} is ${value}; use a whole number from ${min} to ${max}`);
}

export function resolveGenerateOptions(options: Partial<ClinikoGenerateOptions> = {}): ClinikoGenerateOptions {
  const resolved: ClinikoGenerateOptions = { ...DEFAULT_CLINIKO_GENERATE };
  for (const [name, value] of Object.entries(options)) if (value !== undefined) Object.assign(resolved, { [name]: value });
  assertIsoDate(resolved.from, 'generate.from');
  if (resolved.businesses.length === 0) throw new RangeError('generate.businesses is empty; give at least one { name, timeZone }');
  for (const business of resolved.businesses) assertTimezone(business.timeZone);
  wholeNumber('practitioners', resolved.practitioners, 1, 10_000);
  wholeNumber('patients', resolved.patients, 0, 10_000_000);
  wholeNumber('appointments', resolved.appointments, 0, 10_000_000);
  wholeNumber('days', resolved.days, 1, 3660);
  if (resolved.appointments > 0 && resolved.patients === 0) throw new RangeError('generate.appointments needs patients to book; raise generate.patients');
  return resolved;
}

/** A created/updated pair in the 400 days before `anchor` (ms), updated at or after created. */
function history(random: Random, anchor: number): { created: number; updated: number } {
  const created = anchor - randomInt(random, 30, 400) * DAY_MS - randomInt(random, 0, DAY_MS / 1000 - 1) * 1000;
  return { created, updated: created + Math.floor(random() * (anchor - created) / 1000) * 1000 };
}

export function generateDataset(seed = DEFAULT_SEED, options: Partial<ClinikoGenerateOptions> = {}): ClinikoDataset {
  const o = resolveGenerateOptions(options);
  const anchor = Date.parse(`${o.from}T00:00:00Z`) - DAY_MS;
  const random = seededRandom(`cliniko|${seed}`);
  const nextId = (kind: number) => idSequence(seed, kind);
  const businessId = nextId(1);
  const typeId = nextId(2);
  const practitionerId = nextId(3);
  const userId = nextId(4);
  const patientId = nextId(5);
  const appointmentId = nextId(6);

  const at = (ms: number) => clinikoTime(ms);
  const businesses: ClinikoBusiness[] = o.businesses.map((b) => {
    const h = history(random, anchor);
    const label = b.timeZone.split('/').pop()?.replace(/_/g, ' ') ?? b.timeZone;
    return { id: businessId(), business_name: b.name, time_zone: label, time_zone_identifier: b.timeZone, country: '', created_at: at(h.created), updated_at: at(h.updated) };
  });
  const appointmentTypes: ClinikoAppointmentType[] = TYPES.map((t) => {
    const h = history(random, anchor);
    return { id: typeId(), ...t, created_at: at(h.created), updated_at: at(h.updated) };
  });

  const inactiveFrom = o.practitioners >= 2 ? o.practitioners - Math.max(1, Math.floor(o.practitioners / 3)) : o.practitioners;
  const practitioners: ClinikoPractitioner[] = Array.from({ length: o.practitioners }, (_, index) => {
    const h = history(random, anchor);
    return {
      id: practitionerId(),
      user_id: userId(),
      default_appointment_type_id: pick(random, appointmentTypes).id,
      first_name: pick(random, FIRST),
      last_name: pick(random, LAST),
      title: index % 3 === 0 ? 'Dr' : null,
      designation: pick(random, DESIGNATIONS),
      description: null,
      show_in_online_bookings: index % 4 !== 3,
      active: index < inactiveFrom,
      created_at: at(h.created),
      updated_at: at(h.updated),
    };
  });

  const patients: ClinikoPatient[] = Array.from({ length: o.patients }, (_, index) => {
    const h = history(random, anchor);
    const first = pick(random, FIRST);
    const last = pick(random, LAST);
    const later = (ms: number) => at(Math.min(anchor, ms + randomInt(random, 1, 30) * DAY_MS));
    return {
      id: patientId(),
      first_name: first,
      last_name: last,
      preferred_first_name: index % 11 === 4 ? first.slice(0, 3) : null,
      title: null,
      date_of_birth: `${randomInt(random, 1940, 2020)}-${String(randomInt(random, 1, 12)).padStart(2, '0')}-${String(randomInt(random, 1, 28)).padStart(2, '0')}`,
      sex: pick(random, ['Female', 'Male', null]),
      gender_identity: null,
      email: index % 7 === 6 ? null : `${first}.${last}${index}@example.com`.toLowerCase().replace(/'/g, ''),
      patient_phone_numbers: [{ phone_type: 'Mobile', number: `04${String(randomInt(random, 10_000_000, 99_999_999))}` }],
      address_1: `${randomInt(random, 1, 200)} ${pick(random, ['George', 'King', 'Pitt', 'Oxford', 'Baker'])} St`,
      city: null,
      state: null,
      post_code: String(randomInt(random, 2000, 2999)),
      country_code: 'AU',
      time_zone: index % 10 === 0 ? (o.businesses[0]?.timeZone ?? null) : null,
      accepted_privacy_policy: index % 5 === 0 ? null : true,
      notes: null,
      old_reference_id: null,
      created_at: at(h.created),
      updated_at: at(h.updated),
      archived_at: index % 20 === 7 ? later(h.updated) : null,
      deleted_at: index % 50 === 13 ? later(h.updated) : null,
    };
  });

  const appointments: ClinikoAppointment[] = [];
  for (let index = 0; index < o.appointments; index++) {
    const business = businesses[index % businesses.length]!;
    const type = pick(random, appointmentTypes);
    const patient = pick(random, patients);
    const date = addDays(o.from, index % o.days);
    const startLocal = DateTime.fromISO(`${date}T08:00`, { zone: business.time_zone_identifier }).plus({ minutes: 15 * randomInt(random, 0, 39) });
    const start = startLocal.toMillis();
    const h = history(random, anchor);
    const cancelled = index % 12 === 5;
    appointments.push({
      id: appointmentId(),
      patient_id: patient.id,
      practitioner_id: pick(random, practitioners).id,
      appointment_type_id: type.id,
      business_id: business.id,
      starts_at: at(start),
      ends_at: at(start + type.duration_in_minutes * 60_000),
      patient_name: `${patient.first_name} ${patient.last_name}`,
      notes: index % 8 === 1 ? 'Bring previous scans' : null,
      cancelled_at: cancelled ? at(h.updated) : null,
      cancellation_reason: cancelled ? pick(random, CANCELLATION_REASONS) : null,
      cancellation_note: cancelled ? 'Called to cancel' : null,
      did_not_arrive: index % 9 === 3,
      patient_arrived: index % 9 !== 3 && index % 3 === 0,
      invoice_status: null,
      created_at: at(h.created),
      updated_at: at(h.updated),
      archived_at: index % 40 === 17 ? at(h.updated) : null,
      deleted_at: index % 45 === 22 ? at(h.updated) : null,
    });
  }
  return { businesses, appointmentTypes, practitioners, patients, appointments };
}
