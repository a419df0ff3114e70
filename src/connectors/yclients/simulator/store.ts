/**
 * The simulator's mutable upstream: what the next answer will contain. Tests change it between
 * runs (give a staff member a day off, fire someone, remove a service) and the HTTP layer reads
 * it. Reads hand out copies, so a caller cannot change the upstream behind the simulator's back.
 */
import { assertIsoDate } from '../../../time/business-day.ts';
import { dateOfEpochDay, epochDay } from './calendar-days.ts';
import { dayKey, workingSlots } from './schedule-rules.ts';
import type { WorkPattern, YclientsCompany, YclientsDataset, YclientsScheduleDay, YclientsService, YclientsSlot, YclientsStaff } from './types.ts';

/** A staff member to add: id and name; everything else has a default. */
export type NewStaff = Pick<YclientsStaff, 'id' | 'name'> & Partial<YclientsStaff>;
export type StaffPatch = Partial<Omit<YclientsStaff, 'id'>>;
export type NewService = Pick<YclientsService, 'id' | 'title'> & Partial<YclientsService>;
export type ServicePatch = Partial<Omit<YclientsService, 'id'>>;

const HHMM = /^([01]\d|2[0-3]):[0-5]\d$|^24:00$/;

function sameId(left: unknown, right: unknown): boolean {
  return String(left) === String(right);
}

export class YclientsStore {
  readonly #initial: YclientsDataset;
  #companies = new Map<string, YclientsCompany>();

  /** The store keeps `initial` for `reset()`; pass a data set nobody else will change. */
  constructor(initial: YclientsDataset) {
    this.#initial = initial;
    this.reset();
  }

  /** Back to the data set the simulator started with. */
  reset(): void {
    this.#companies = new Map(this.#initial.companies.map((company) => [String(company.id), structuredClone(company)]));
  }

  counts(): { companies: number; staff: number; services: number } {
    let staff = 0;
    let services = 0;
    for (const company of this.#companies.values()) {
      staff += company.staff.length;
      services += company.services.length;
    }
    return { companies: this.#companies.size, staff, services };
  }

  /** Companies without their lists: id, title, timezone. */
  companies(): { id: number; title: string; timezone: string }[] {
    return [...this.#companies.values()].map(({ id, title, timezone }) => ({ id, title, timezone }));
  }

  hasCompany(companyId: number | string): boolean {
    return this.#companies.has(String(companyId));
  }

  listStaff(companyId: number | string): YclientsStaff[] {
    return structuredClone(this.#company(companyId).staff);
  }

  getStaff(companyId: number | string, staffId: number | string): YclientsStaff | undefined {
    const staff = this.#company(companyId).staff.find((member) => sameId(member.id, staffId));
    return staff && structuredClone(staff);
  }

  addStaff(companyId: number | string, input: NewStaff): YclientsStaff {
    const company = this.#company(companyId);
    if (company.staff.some((member) => sameId(member.id, input.id))) throw new RangeError(`staff ${input.id} already exists in company ${companyId}; use updateStaff`);
    const staff: YclientsStaff = {
      company_id: company.id,
      specialization: '',
      information: '',
      api_id: null,
      fired: 0,
      is_fired: false,
      dismissal_date: null,
      dismissal_reason: null,
      hidden: 0,
      status: 0,
      is_deleted: false,
      is_online: true,
      is_bookable: true,
      prepaid: 'forbidden',
      is_online_random_choice_allowed: true,
      user_id: null,
      rating: 0,
      is_chain: false,
      weight: 0,
      is_rating_shown: true,
      seance_step: 0,
      seance_search_step: 900,
      seance_search_start: 0,
      seance_search_finish: 86_400,
      avatar: '',
      avatar_big: '',
      position: null,
      services_links: [],
      has_schedule: true,
      schedule_till: null,
      grid_settings: { weekdays_settings: [], dates_settings: [] },
      ...structuredClone(input),
    };
    company.staff.push(staff);
    return structuredClone(staff);
  }

  updateStaff(companyId: number | string, staffId: number | string, patch: StaffPatch): YclientsStaff {
    const company = this.#company(companyId);
    const index = this.#staffIndex(company, staffId);
    const staff: YclientsStaff = { ...company.staff[index]!, ...structuredClone(patch) };
    company.staff[index] = staff;
    return structuredClone(staff);
  }

  /** Gone from the list altogether (YClients normally keeps deleted staff, flagged `is_deleted`). */
  removeStaff(companyId: number | string, staffId: number | string): void {
    const company = this.#company(companyId);
    company.staff.splice(this.#staffIndex(company, staffId), 1);
  }

  listServices(companyId: number | string): YclientsService[] {
    return structuredClone(this.#company(companyId).services);
  }

  addService(companyId: number | string, input: NewService): YclientsService {
    const company = this.#company(companyId);
    if (company.services.some((service) => sameId(service.id, input.id))) throw new RangeError(`service ${input.id} already exists in company ${companyId}`);
    const service: YclientsService = {
      category_id: 0,
      price_min: 0,
      price_max: 0,
      discount: 0,
      comment: '',
      weight: 0,
      active: 1,
      api_id: '',
      prepaid: 'forbidden',
      duration: 3600,
      staff: [],
      ...structuredClone(input),
    };
    company.services.push(service);
    return structuredClone(service);
  }

  updateService(companyId: number | string, serviceId: number | string, patch: ServicePatch): YclientsService {
    const company = this.#company(companyId);
    const index = this.#serviceIndex(company, serviceId);
    const service: YclientsService = { ...company.services[index]!, ...structuredClone(patch) };
    company.services[index] = service;
    return structuredClone(service);
  }

  removeService(companyId: number | string, serviceId: number | string): void {
    const company = this.#company(companyId);
    company.services.splice(this.#serviceIndex(company, serviceId), 1);
  }

  /** Replace a staff member's work pattern (or remove it: never works unless overridden). */
  setPattern(companyId: number | string, staffId: number | string, pattern: WorkPattern | undefined): void {
    const company = this.#company(companyId);
    this.#staffIndex(company, staffId);
    if (pattern === undefined) delete company.patterns[String(staffId)];
    else company.patterns[String(staffId)] = structuredClone(pattern);
  }

  /** The staff member works exactly `slots` on `date` (local `HH:mm`); `[]` is a day off. */
  setDay(companyId: number | string, staffId: number | string, date: string, slots: readonly YclientsSlot[]): void {
    const company = this.#company(companyId);
    this.#staffIndex(company, staffId);
    assertIsoDate(date);
    for (const slot of slots) {
      if (!HHMM.test(slot.from) || !HHMM.test(slot.to)) throw new RangeError(`slot ${slot.from}–${slot.to}: write local times as HH:mm, e.g. 10:00–14:00`);
    }
    company.overrides[dayKey(String(staffId), date)] = slots.map((slot) => ({ ...slot }));
  }

  /** A day off: the day disappears from the schedule answer, as YClients does. */
  setDayOff(companyId: number | string, staffId: number | string, date: string): void {
    this.setDay(companyId, staffId, date, []);
  }

  /** Back to the work pattern for that day. */
  clearDay(companyId: number | string, staffId: number | string, date: string): void {
    delete this.#company(companyId).overrides[dayKey(String(staffId), date)];
  }

  /**
   * The working days from `startDate` to `endDate` (both included) of the listed staff (all when
   * none are listed), sorted by staff id then date: what the schedule endpoint answers.
   */
  scheduleDays(companyId: number | string, startDate: string, endDate: string, staffIds?: ReadonlySet<string>): YclientsScheduleDay[] {
    const company = this.#company(companyId);
    assertIsoDate(startDate, 'start_date');
    assertIsoDate(endDate, 'end_date');
    const days: YclientsScheduleDay[] = [];
    const staff = [...company.staff]
      .filter((member) => staffIds === undefined || staffIds.has(String(member.id)))
      .sort((left, right) => Number(left.id) - Number(right.id));
    const dates: string[] = [];
    for (let day = epochDay(startDate); day <= epochDay(endDate); day++) dates.push(dateOfEpochDay(day));
    for (const member of staff) {
      for (const date of dates) {
        const slots = workingSlots(company, member, date);
        if (slots.length > 0) days.push({ staff_id: member.id, date, slots: slots.map((slot) => ({ ...slot })) });
      }
    }
    return days;
  }

  #company(companyId: number | string): YclientsCompany {
    const company = this.#companies.get(String(companyId));
    if (company === undefined) throw new RangeError(`no company ${companyId} in the simulator; known: ${[...this.#companies.keys()].join(', ')}`);
    return company;
  }

  #staffIndex(company: YclientsCompany, staffId: number | string): number {
    const index = company.staff.findIndex((member) => sameId(member.id, staffId));
    if (index < 0) throw new RangeError(`no staff ${staffId} in company ${company.id}`);
    return index;
  }

  #serviceIndex(company: YclientsCompany, serviceId: number | string): number {
    const index = company.services.findIndex((service) => sameId(service.id, serviceId));
    if (index < 0) throw new RangeError(`no service ${serviceId} in company ${company.id}`);
    return index;
  }
}
