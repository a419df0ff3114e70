/**
 * Cliniko's list answers: `page` (from 1) and `per_page` (1–100, default 50), the records under
 * the list's name, `total_entries`, and `links` with `self`, plus `next` / `previous` only when
 * such a page exists (upstream-apis.md §3.5). Links repeat the request's filters.
 */
import { applyFilters, parseFilters, type SearchableFields } from './filters.ts';
import { renderAppointment, renderAppointmentType, renderBusiness, renderPatient, renderPractitioner } from './render.ts';
import type { ClinikoStore } from './store.ts';

export interface Answer {
  readonly status: number;
  /** JSON text: list answers are assembled from each record's cached text, never re-serialized whole. */
  readonly text: string;
}

/** Cliniko's error body: `{"message": "..."}`. */
export function messageAnswer(status: number, message: string): Answer {
  return { status, text: JSON.stringify({ message }) };
}

export class BadRequest extends Error {
  override readonly name = 'BadRequest';
}

export interface ListResource {
  /** The array's name in the answer. */
  readonly collection: string;
  rows(store: ClinikoStore): readonly object[];
  readonly searchable: SearchableFields;
  /** Columns whose set records the list leaves out unless a filter names them. */
  readonly hidden: readonly string[];
  render(row: object, api: string): Record<string, unknown>;
}

const patientFields: SearchableFields = {
  id: 'numeric', created_at: 'datetime', updated_at: 'datetime', archived_at: 'datetime', deleted_at: 'datetime',
  date_of_birth: 'date', email: 'string', first_name: 'string', last_name: 'string', old_reference_id: 'string',
};
const practitionerFields: SearchableFields = { id: 'numeric', created_at: 'datetime', updated_at: 'datetime', user_id: 'numeric' };
const plainFields: SearchableFields = { id: 'numeric', created_at: 'datetime', updated_at: 'datetime' };
const appointmentFields: SearchableFields = {
  id: 'numeric', appointment_type_id: 'numeric', business_id: 'numeric', patient_id: 'numeric', practitioner_id: 'numeric',
  archived_at: 'datetime', cancelled_at: 'datetime', created_at: 'datetime', deleted_at: 'datetime', ends_at: 'datetime',
  starts_at: 'datetime', updated_at: 'datetime',
};

/** The lists the simulator serves, by path under `/v1`. */
export const LISTS: Readonly<Record<string, ListResource>> = {
  patients: {
    collection: 'patients',
    rows: (store) => store.patients.sorted(),
    searchable: patientFields,
    hidden: ['archived_at', 'deleted_at'],
    render: (row, api) => renderPatient(row as Parameters<typeof renderPatient>[0], api),
  },
  practitioners: {
    collection: 'practitioners',
    rows: (store) => store.practitioners.sorted().filter((p) => p.active),
    searchable: practitionerFields,
    hidden: [],
    render: (row, api) => renderPractitioner(row as Parameters<typeof renderPractitioner>[0], api),
  },
  'practitioners/inactive': {
    collection: 'practitioners',
    rows: (store) => store.practitioners.sorted().filter((p) => !p.active),
    searchable: practitionerFields,
    hidden: [],
    render: (row, api) => renderPractitioner(row as Parameters<typeof renderPractitioner>[0], api),
  },
  individual_appointments: {
    collection: 'individual_appointments',
    rows: (store) => store.appointments.sorted(),
    searchable: appointmentFields,
    hidden: ['archived_at', 'deleted_at', 'cancelled_at'],
    render: (row, api) => renderAppointment(row as Parameters<typeof renderAppointment>[0], api),
  },
  businesses: {
    collection: 'businesses',
    rows: (store) => store.businesses.sorted(),
    searchable: plainFields,
    hidden: [],
    render: (row, api) => renderBusiness(row as Parameters<typeof renderBusiness>[0], api),
  },
  appointment_types: {
    collection: 'appointment_types',
    rows: (store) => store.appointmentTypes.sorted(),
    searchable: plainFields,
    hidden: [],
    render: (row, api) => renderAppointmentType(row as Parameters<typeof renderAppointmentType>[0], api),
  },
};

function whole(query: URLSearchParams, name: string, fallback: number, max: number): number {
  const raw = query.get(name);
  if (raw === null || raw === '') return fallback;
  const value = Number(raw);
  if (!/^\d+$/.test(raw) || value < 1 || value > max) throw new BadRequest(`${name} must be a whole number from 1 to ${max}`);
  return value;
}

// A record's JSON is made once per stored version: the store replaces the object on every change.
const renderedText = new WeakMap<object, string>();

function recordText(resource: ListResource, row: object, api: string): string {
  let text = renderedText.get(row);
  if (text === undefined) {
    text = JSON.stringify(resource.render(row, api));
    renderedText.set(row, text);
  }
  return text;
}

// Filtering 20,000 records for each of 200 pages would dominate a benchmark's answers: the
// filtered list is kept per sorted list (which the store replaces on every change) and query.
const filtered = new WeakMap<readonly object[], Map<string, object[]>>();

function filteredRows(resource: ListResource, store: ClinikoStore, query: URLSearchParams): object[] {
  const rows = resource.rows(store);
  const key = [...query.getAll('q[]'), '|', ...query.getAll('q')].join('\n');
  let byQuery = filtered.get(rows);
  if (!byQuery) filtered.set(rows, (byQuery = new Map()));
  let result = byQuery.get(key);
  if (!result) {
    result = applyFilters(rows, parseFilters(query, resource.searchable), resource.hidden);
    byQuery.set(key, result);
  }
  return result;
}

export interface ListRequest {
  readonly path: string;
  readonly query: URLSearchParams;
  /** e.g. `http://127.0.0.1:4030/v1`. */
  readonly api: string;
  /** Appended to page 1 (faults.malformedRecord). */
  readonly extra?: Record<string, unknown>;
}

export function listAnswer(resource: ListResource, store: ClinikoStore, request: ListRequest): Answer {
  const page = whole(request.query, 'page', 1, Number.MAX_SAFE_INTEGER);
  const perPage = whole(request.query, 'per_page', 50, 100);
  const rows = filteredRows(resource, store, request.query);
  const records = rows.slice((page - 1) * perPage, page * perPage).map((row) => recordText(resource, row, request.api));
  if (request.extra && page === 1) records.push(JSON.stringify(request.extra));
  const pageLink = (n: number): string => {
    const query = new URLSearchParams(request.query);
    query.set('page', String(n));
    query.set('per_page', String(perPage));
    return `${request.api}/${request.path}?${query.toString()}`;
  };
  const links: Record<string, string> = { self: pageLink(page) };
  if (page * perPage < rows.length) links.next = pageLink(page + 1);
  if (page > 1) links.previous = pageLink(page - 1);
  const text = `{${JSON.stringify(resource.collection)}:[${records.join(',')}],"total_entries":${rows.length},"links":${JSON.stringify(links)}}`;
  return { status: 200, text };
}
