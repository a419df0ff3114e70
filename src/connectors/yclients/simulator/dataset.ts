/**
 * The seeded data set: same seed and options → the same companies, staff, services and work
 * patterns, byte for byte. Ids do not depend on the seed; names, ratings, prices and which
 * records carry numbers as strings do.
 *
 * Default layout: company 501101 "Tverskaya" (Europe/Moscow) and 501102 "Vainera"
 * (Asia/Yekaterinburg), 8 staff and 6 services each. Staff ids are 2717701… for the first company
 * and 2717801… for the second (COMPANY_STAFF_BASE + 100·company + index + 1); by index:
 *   0  Mon–Fri, a split day 10:00–14:00 and 15:00–19:00
 *   1  2-on/2-off rota from 2026-01-01, 09:00–21:00
 *   2  Tue–Sat 11:00–20:00; its id is sent as a string ("2717703")
 *   3  hidden from online booking ("hidden": 1), every day 12:00–18:00, `position: []`
 *   4  fired ("fired": 1, "is_fired": true, dismissed 2026-06-30): never works
 *   5  deleted ("is_deleted": true): never works
 *   6  3-on/3-off rota from 2026-01-03, 08:00–16:00
 *   7+ five random weekdays, a random 8-hour day
 * About a third of the other records send `weight`, `hidden`, `fired`, `status`, `rating` and
 * prices as strings, as the documented examples do.
 */
import { assertTimezone } from '../../../time/business-day.ts';
import { pick, randomInt, seededRandom, type Random } from '../../connecteam/simulator/ids.ts';
import type { NumberLike, WorkPattern, YclientsCompany, YclientsDataset, YclientsService, YclientsStaff } from './types.ts';

export const DEFAULT_SEED = 1;
export const COMPANY_STAFF_BASE = 2_717_700;
export const COMPANY_SERVICE_BASE = 1_896_200;

export interface CompanySeed {
  id: number;
  title: string;
  timezone: string;
}

export interface GenerateOptions {
  companies: CompanySeed[];
  staffPerCompany: number;
  servicesPerCompany: number;
}

export const DEFAULT_COMPANIES: readonly CompanySeed[] = [
  { id: 501101, title: 'Barbershop on Tverskaya', timezone: 'Europe/Moscow' },
  { id: 501102, title: 'Barbershop on Vainera', timezone: 'Asia/Yekaterinburg' },
];

export const DEFAULT_GENERATE_OPTIONS: Readonly<GenerateOptions> = {
  companies: [...DEFAULT_COMPANIES],
  staffPerCompany: 8,
  servicesPerCompany: 6,
};

/** Staff roles 0–6 above need this many staff per company. */
const ROLE_COUNT = 7;

const FIRST_NAMES = ['Anna', 'Maria', 'Olga', 'Elena', 'Irina', 'Daria', 'Ivan', 'Pavel', 'Sergei', 'Artem', 'Nikita', 'Timur'];
const LAST_NAMES = ['Smirnova', 'Ivanova', 'Kuznetsova', 'Popova', 'Sokolova', 'Lebedeva', 'Petrov', 'Volkov', 'Morozov', 'Orlov', 'Zaitsev', 'Galiev'];
const SPECIALIZATIONS = ['Barber', 'Hair stylist', 'Colourist', 'Nail artist', 'Brow artist'];
const SERVICE_TITLES = ["Men's haircut", 'Beard trim', "Women's haircut", 'Colouring', 'Manicure', 'Pedicure', 'Styling', "Kids' haircut"];

export function staffIdOf(companyIndex: number, staffIndex: number): number {
  return COMPANY_STAFF_BASE + 100 * companyIndex + staffIndex + 1;
}

function serviceIdOf(companyIndex: number, serviceIndex: number): number {
  return COMPANY_SERVICE_BASE + 100 * companyIndex + serviceIndex + 1;
}

function maybeString(value: number, asString: boolean): NumberLike {
  return asString ? String(value) : value;
}

function clock(hour: number, minute = 0): string {
  return `${String(hour).padStart(2, '0')}:${String(minute).padStart(2, '0')}`;
}

function patternFor(index: number, random: Random): WorkPattern | undefined {
  switch (index) {
    case 0:
      return { kind: 'weekly', weekdays: [1, 2, 3, 4, 5], slots: [{ from: '10:00', to: '14:00' }, { from: '15:00', to: '19:00' }] };
    case 1:
      return { kind: 'rota', anchor: '2026-01-01', on: 2, off: 2, slots: [{ from: '09:00', to: '21:00' }] };
    case 2:
      return { kind: 'weekly', weekdays: [2, 3, 4, 5, 6], slots: [{ from: '11:00', to: '20:00' }] };
    case 3:
      return { kind: 'weekly', weekdays: [1, 2, 3, 4, 5, 6, 7], slots: [{ from: '12:00', to: '18:00' }] };
    case 4:
    case 5:
      return undefined;
    case 6:
      return { kind: 'rota', anchor: '2026-01-03', on: 3, off: 3, slots: [{ from: '08:00', to: '16:00' }] };
    default: {
      const days = [1, 2, 3, 4, 5, 6, 7];
      const off = [pick(random, days)];
      off.push(pick(random, days.filter((day) => !off.includes(day))));
      const start = randomInt(random, 8, 12);
      return { kind: 'weekly', weekdays: days.filter((day) => !off.includes(day)), slots: [{ from: clock(start), to: clock(start + 8) }] };
    }
  }
}

function buildStaff(seed: number, company: CompanySeed, companyIndex: number, index: number, serviceIds: readonly number[]): YclientsStaff {
  const random = seededRandom(`${seed}|staff|${company.id}|${index}`);
  const id = staffIdOf(companyIndex, index);
  const strings = index === 2 || (index >= ROLE_COUNT && random() < 0.34);
  const fired = index === 4;
  const deleted = index === 5;
  const hidden = index === 3;
  const name = `${pick(random, FIRST_NAMES)} ${pick(random, LAST_NAMES)}`;
  return {
    id: index === 2 ? String(id) : id,
    name,
    company_id: company.id,
    specialization: pick(random, SPECIALIZATIONS),
    information: '',
    api_id: null,
    fired: maybeString(fired ? 1 : 0, strings),
    is_fired: fired,
    dismissal_date: fired ? '2026-06-30' : null,
    dismissal_reason: fired ? 'Moved to another city' : null,
    hidden: maybeString(hidden ? 1 : 0, strings),
    status: maybeString(0, strings),
    is_deleted: deleted,
    is_online: !hidden && !fired && !deleted,
    is_bookable: !hidden && !fired && !deleted,
    prepaid: 'forbidden',
    is_online_random_choice_allowed: true,
    user_id: index === 0 ? 9_100_000 + companyIndex : null,
    rating: strings ? (4 + random()).toFixed(2) : Math.round((4 + random()) * 100) / 100,
    is_chain: false,
    weight: maybeString(10 - Math.min(index, 9), strings),
    is_rating_shown: true,
    seance_step: 0,
    seance_search_step: 900,
    seance_search_start: 0,
    seance_search_finish: 86_400,
    avatar: `https://assets.yclients.com/masters/sm/${id}.jpg`,
    avatar_big: `https://assets.yclients.com/masters/origin/${id}.jpg`,
    position: index === 3 ? [] : index === 0 ? { id: 1, title: 'Top stylist' } : { id: 2, title: 'Stylist' },
    services_links: serviceIds.filter((_, serviceIndex) => (serviceIndex + index) % 2 === 0).map((serviceId) => ({ service_id: serviceId, length: 3600 })),
    has_schedule: !fired && !deleted,
    schedule_till: null,
    grid_settings: { weekdays_settings: [], dates_settings: [] },
  };
}

function buildService(seed: number, company: CompanySeed, companyIndex: number, index: number, staffIds: readonly number[]): YclientsService {
  const random = seededRandom(`${seed}|service|${company.id}|${index}`);
  const strings = random() < 0.34;
  const price = randomInt(random, 8, 40) * 100;
  const duration = randomInt(random, 2, 8) * 900;
  return {
    id: serviceIdOf(companyIndex, index),
    title: SERVICE_TITLES[index % SERVICE_TITLES.length]! + (index >= SERVICE_TITLES.length ? ` ${Math.floor(index / SERVICE_TITLES.length) + 1}` : ''),
    category_id: 83_167 + 10 * companyIndex + (index % 2),
    price_min: maybeString(price, strings),
    price_max: maybeString(price + (index % 3 === 0 ? 500 : 0), strings),
    discount: 0,
    comment: '',
    weight: maybeString(index + 1, strings),
    active: index === 5 ? 0 : 1,
    api_id: String(40 + index).padStart(11, '0'),
    prepaid: 'forbidden',
    duration,
    staff: staffIds.filter((_, staffIndex) => (staffIndex + index) % 2 === 0).map((staffId) => ({ id: staffId, seance_length: duration })),
  };
}

function buildCompany(seed: number, company: CompanySeed, companyIndex: number, options: GenerateOptions): YclientsCompany {
  assertTimezone(company.timezone);
  const staffIds = Array.from({ length: options.staffPerCompany }, (_, index) => staffIdOf(companyIndex, index));
  const serviceIds = Array.from({ length: options.servicesPerCompany }, (_, index) => serviceIdOf(companyIndex, index));
  const patterns: Record<string, WorkPattern> = {};
  staffIds.forEach((staffId, index) => {
    const pattern = patternFor(index, seededRandom(`${seed}|pattern|${company.id}|${index}`));
    if (pattern) patterns[String(staffId)] = pattern;
  });
  return {
    id: company.id,
    title: company.title,
    timezone: company.timezone,
    staff: staffIds.map((_, index) => buildStaff(seed, company, companyIndex, index, serviceIds)),
    services: serviceIds.map((_, index) => buildService(seed, company, companyIndex, index, staffIds)),
    patterns,
    overrides: {},
  };
}

function resolve(options: Partial<GenerateOptions>): GenerateOptions {
  const resolved: GenerateOptions = {
    companies: options.companies ?? [...DEFAULT_COMPANIES],
    staffPerCompany: options.staffPerCompany ?? DEFAULT_GENERATE_OPTIONS.staffPerCompany,
    servicesPerCompany: options.servicesPerCompany ?? DEFAULT_GENERATE_OPTIONS.servicesPerCompany,
  };
  if (resolved.companies.length === 0 || resolved.companies.length > 99) throw new RangeError(`generate.companies has ${resolved.companies.length} companies; give 1 to 99`);
  if (!Number.isInteger(resolved.staffPerCompany) || resolved.staffPerCompany < ROLE_COUNT || resolved.staffPerCompany > 99) {
    throw new RangeError(`generate.staffPerCompany is ${resolved.staffPerCompany}; use a whole number from ${ROLE_COUNT} (one per staff role) to 99`);
  }
  if (!Number.isInteger(resolved.servicesPerCompany) || resolved.servicesPerCompany < 1 || resolved.servicesPerCompany > 99) {
    throw new RangeError(`generate.servicesPerCompany is ${resolved.servicesPerCompany}; use a whole number from 1 to 99`);
  }
  const ids = resolved.companies.map((company) => company.id);
  if (new Set(ids).size !== ids.length) throw new RangeError(`generate.companies repeats a company id: ${ids.join(', ')}`);
  return resolved;
}

export function generateDataset(seed: number = DEFAULT_SEED, options: Partial<GenerateOptions> = {}): YclientsDataset {
  if (!Number.isSafeInteger(seed)) throw new RangeError(`seed is ${seed}; use a whole number`);
  const resolved = resolve(options);
  return { companies: resolved.companies.map((company, index) => buildCompany(seed, company, index, resolved)) };
}
