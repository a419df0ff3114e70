/**
 * The simulator's mutable upstream: what the next answer contains. Tests change it while a sync
 * runs or between runs. Edits stamp `updated_at` with the simulator's clock, as Cliniko does;
 * archiving, deleting and (de)activating a practitioner do NOT, the worst case reported for the
 * real API (cliniko-api issue #148), so a client must look for those changes on their own columns.
 *
 * Reads hand out copies. Lists are kept sorted as Cliniko sorts by default (created_at, then id)
 * and rebuilt on the first read after a change.
 */
import {
  clinikoTime,
  type ClinikoAppointment,
  type ClinikoAppointmentType,
  type ClinikoBusiness,
  type ClinikoDataset,
  type ClinikoPatient,
  type ClinikoPractitioner,
} from './types.ts';

export type PatientPatch = Partial<Omit<ClinikoPatient, 'id' | 'created_at' | 'updated_at'>>;
export type AppointmentPatch = Partial<Omit<ClinikoAppointment, 'id' | 'created_at' | 'updated_at'>>;
export type PractitionerPatch = Partial<Omit<ClinikoPractitioner, 'id' | 'created_at' | 'updated_at' | 'active'>>;

interface Sortable {
  readonly id: string;
  readonly created_at: string;
}

function byCreatedThenId(left: Sortable, right: Sortable): number {
  if (left.created_at !== right.created_at) return left.created_at < right.created_at ? -1 : 1;
  const a = BigInt(left.id);
  const b = BigInt(right.id);
  return a < b ? -1 : a > b ? 1 : 0;
}

/** One kind of record, by id, with its sorted list cached until the next change. */
class Table<T extends Sortable> {
  readonly #what: string;
  #rows = new Map<string, T>();
  #sorted: T[] | undefined;

  constructor(what: string) {
    this.#what = what;
  }

  load(rows: readonly T[]): void {
    this.#rows = new Map(rows.map((row) => [row.id, structuredClone(row)]));
    this.#sorted = undefined;
  }

  get size(): number {
    return this.#rows.size;
  }

  /** Sorted, shared (not copied): for answers only, which serialize and never change it. */
  sorted(): readonly T[] {
    this.#sorted ??= [...this.#rows.values()].sort(byCreatedThenId);
    return this.#sorted;
  }

  get(id: string): T | undefined {
    const row = this.#rows.get(id);
    return row && structuredClone(row);
  }

  require(id: string): T {
    const row = this.#rows.get(id);
    if (!row) throw new RangeError(`no ${this.#what} with id ${id} in the simulator`);
    return row;
  }

  put(row: T): T {
    this.#rows.set(row.id, structuredClone(row));
    this.#sorted = undefined;
    return structuredClone(row);
  }

  remove(id: string): void {
    this.require(id);
    this.#rows.delete(id);
    this.#sorted = undefined;
  }
}

export class ClinikoStore {
  readonly #initial: ClinikoDataset;
  readonly #now: () => Date;
  readonly businesses = new Table<ClinikoBusiness>('business');
  readonly appointmentTypes = new Table<ClinikoAppointmentType>('appointment type');
  readonly practitioners = new Table<ClinikoPractitioner>('practitioner');
  readonly patients = new Table<ClinikoPatient>('patient');
  readonly appointments = new Table<ClinikoAppointment>('individual appointment');
  /** Added records get ids above every generated one. */
  #nextId = 0n;

  /** The store keeps `initial` for `reset()`; pass a data set nobody else will change. */
  constructor(initial: ClinikoDataset, now: () => Date) {
    this.#initial = initial;
    this.#now = now;
    this.reset();
  }

  reset(): void {
    const data = this.#initial;
    this.businesses.load(data.businesses);
    this.appointmentTypes.load(data.appointmentTypes);
    this.practitioners.load(data.practitioners);
    this.patients.load(data.patients);
    this.appointments.load(data.appointments);
    const ids = [...data.businesses, ...data.appointmentTypes, ...data.practitioners, ...data.patients, ...data.appointments].map((r) => BigInt(r.id));
    this.#nextId = ids.reduce((max, id) => (id > max ? id : max), 600_000_000_000_000_000n) + 1n;
  }

  counts(): Record<'businesses' | 'practitioners' | 'patients' | 'appointments', number> {
    return { businesses: this.businesses.size, practitioners: this.practitioners.size, patients: this.patients.size, appointments: this.appointments.size };
  }

  /** Cliniko's format of the simulator's clock. */
  stamp(): string {
    return clinikoTime(this.#now());
  }

  newId(): string {
    return (this.#nextId++).toString();
  }

  addPatient(input: Pick<ClinikoPatient, 'first_name' | 'last_name'> & Partial<ClinikoPatient>): ClinikoPatient {
    const now = this.stamp();
    return this.patients.put({
      id: this.newId(), preferred_first_name: null, title: null, date_of_birth: null, sex: null, gender_identity: null, email: null,
      patient_phone_numbers: [], address_1: null, city: null, state: null, post_code: null, country_code: null, time_zone: null,
      accepted_privacy_policy: null, notes: null, old_reference_id: null, archived_at: null, deleted_at: null,
      created_at: now, ...input, updated_at: now,
    });
  }

  updatePatient(id: string, patch: PatientPatch): ClinikoPatient {
    return this.patients.put({ ...this.patients.require(id), ...structuredClone(patch), id, updated_at: this.stamp() });
  }

  archivePatient(id: string): ClinikoPatient {
    return this.patients.put({ ...this.patients.require(id), archived_at: this.stamp() });
  }

  deletePatient(id: string): ClinikoPatient {
    return this.patients.put({ ...this.patients.require(id), deleted_at: this.stamp() });
  }

  updateAppointment(id: string, patch: AppointmentPatch): ClinikoAppointment {
    return this.appointments.put({ ...this.appointments.require(id), ...structuredClone(patch), id, updated_at: this.stamp() });
  }

  /** `PATCH /individual_appointments/{id}/cancel`: an edit, so `updated_at` moves too. */
  cancelAppointment(id: string, reason = 50, note: string | null = null): ClinikoAppointment {
    const now = this.stamp();
    return this.appointments.put({ ...this.appointments.require(id), cancelled_at: now, cancellation_reason: reason, cancellation_note: note, updated_at: now });
  }

  archiveAppointment(id: string): ClinikoAppointment {
    return this.appointments.put({ ...this.appointments.require(id), archived_at: this.stamp() });
  }

  deleteAppointment(id: string): ClinikoAppointment {
    return this.appointments.put({ ...this.appointments.require(id), deleted_at: this.stamp() });
  }

  updatePractitioner(id: string, patch: PractitionerPatch): ClinikoPractitioner {
    return this.practitioners.put({ ...this.practitioners.require(id), ...structuredClone(patch), id, updated_at: this.stamp() });
  }

  /** Moves a practitioner between `/practitioners` and `/practitioners/inactive`. */
  setPractitionerActive(id: string, active: boolean): ClinikoPractitioner {
    return this.practitioners.put({ ...this.practitioners.require(id), active });
  }

  /** Gone from both lists, as if it never existed. */
  removePractitioner(id: string): void {
    this.practitioners.remove(id);
  }
}
