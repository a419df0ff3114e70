/**
 * The YClients paths the simulator serves (upstream-apis.md §2.3), each matched by a pattern and
 * answered from the store. `needsUser` marks the company/admin paths that require the user token.
 */
import { addDays, daysBetween, todayIn } from '../../../time/business-day.ts';
import { errorAnswer, itemAnswer, listAnswer, QueryError, type Answer } from './answers.ts';
import type { FaultOptions } from './faults.ts';
import type { YclientsStore } from './store.ts';

export interface RouteContext {
  readonly store: YclientsStore;
  readonly faults: FaultOptions;
  readonly maxScheduleDays: number;
  readonly now: () => Date;
}

export interface MatchedRoute {
  /** The path as documented, for stats: `/api/v1/company/{company_id}/staff/schedule`. */
  readonly template: string;
  readonly needsUser: boolean;
  answer(query: URLSearchParams): Answer;
}

const DATE = /^\d{4}-\d{2}-\d{2}$/;

/** An id for the one malformed record of a list: never a real id, stable per company. */
function malformedId(companyId: string): number {
  return 9_990_000 + (Number(companyId) % 10_000);
}

function dateParam(query: URLSearchParams, name: string): string {
  const value = query.get(name);
  if (value === null || !DATE.test(value)) throw new QueryError(`${name} is required as YYYY-MM-DD (got ${value === null ? 'nothing' : `"${value}"`})`);
  return value;
}

function idListParam(query: URLSearchParams, name: string): Set<string> | undefined {
  const raw = [...query.getAll(name), ...query.getAll(`${name}[]`)].flatMap((value) => value.split(','));
  if (raw.length === 0) return undefined;
  for (const value of raw) if (!/^\d+$/.test(value)) throw new QueryError(`${name}[] must be whole numbers (got "${value}")`);
  return new Set(raw.map((value) => String(Number(value))));
}

function staffList(context: RouteContext, companyId: string): Answer {
  const staff: unknown[] = context.store.listStaff(companyId);
  if (context.faults.malformedRecord) staff.push({ ...context.store.listStaff(companyId)[0], id: malformedId(companyId), name: 'Broken Record', fired: 'maybe' });
  return listAnswer(staff, 'total_count', context.faults);
}

function servicesList(context: RouteContext, companyId: string, query: URLSearchParams): Answer {
  const staffId = query.get('staff_id');
  const categoryId = query.get('category_id');
  const services: unknown[] = context.store
    .listServices(companyId)
    .filter((service) => (staffId === null || service.staff.some((link) => String(link.id) === staffId)) && (categoryId === null || String(service.category_id) === categoryId));
  if (context.faults.malformedRecord) services.push({ id: malformedId(companyId), title: null, price_min: 100 });
  return listAnswer(services, 'empty', context.faults);
}

function schedule(context: RouteContext, companyId: string, query: URLSearchParams): Answer {
  const startDate = dateParam(query, 'start_date');
  const endDate = dateParam(query, 'end_date');
  const span = daysBetween(startDate, endDate) + 1;
  if (span < 1) throw new QueryError(`end_date ${endDate} is before start_date ${startDate}`);
  if (span > context.maxScheduleDays) throw new QueryError(`the date range is ${span} days; ask for at most ${context.maxScheduleDays} at once`);
  const days: unknown[] = context.store.scheduleDays(companyId, startDate, endDate, idListParam(query, 'staff_ids'));
  const include = new Set([...query.getAll('include[]'), ...query.getAll('include')]);
  if (include.has('busy_intervals')) for (const day of days) Object.assign(day as object, { busy_intervals: [] });
  if (context.faults.malformedRecord) days.push({ staff_id: malformedId(companyId), date: startDate, slots: [{ from: '25:99', to: '26:00' }] });
  return listAnswer(days, 'count', context.faults);
}

/** Dates with working slots in the month of `date` (public booking endpoint; dates as YYYY-MM-DD). */
function bookDates(context: RouteContext, companyId: string, query: URLSearchParams): Answer {
  const company = context.store.companies().find((c) => String(c.id) === companyId)!;
  const date = query.get('date') ?? todayIn(company.timezone, context.now());
  if (!DATE.test(date)) throw new QueryError(`date must be YYYY-MM-DD (got "${date}")`);
  const staffId = query.get('staff_id');
  const first = `${date.slice(0, 7)}-01`;
  const last = addDays(addDays(first, 31).slice(0, 7) + '-01', -1);
  const staffIds = staffId === null || staffId === '0' ? undefined : new Set([String(Number(staffId))]);
  const dates = [...new Set(context.store.scheduleDays(companyId, first, last, staffIds).map((day) => day.date))].sort();
  const byMonth: Record<string, string[]> = {};
  for (const day of dates) (byMonth[String(Number(day.slice(5, 7)))] ??= []).push(String(Number(day.slice(8, 10))));
  return itemAnswer({ working_days: byMonth, working_dates: dates, booking_days: byMonth, booking_dates: dates }, context.faults);
}

function item(found: unknown, what: string, context: RouteContext): Answer {
  return found === undefined ? errorAnswer(404, `${what} not found`) : itemAnswer(found, context.faults);
}

/** The route for `path`, or undefined when the simulator does not serve it. */
export function matchRoute(path: string, context: RouteContext): MatchedRoute | undefined {
  const clean = path.replace(/\/+$/, '');
  let match = /^\/api\/v1\/company\/(\d+)\/staff\/schedule$/.exec(clean);
  if (match) {
    const companyId = match[1]!;
    return withCompany(context, companyId, { template: '/api/v1/company/{company_id}/staff/schedule', needsUser: true, answer: (query) => schedule(context, companyId, query) });
  }
  match = /^\/api\/v1\/company\/(\d+)\/staff\/(\d+)$/.exec(clean);
  if (match) {
    const [, companyId = '', staffId = ''] = match;
    return withCompany(context, companyId, { template: '/api/v1/company/{company_id}/staff/{staff_id}', needsUser: true, answer: () => item(context.store.getStaff(companyId, staffId), 'Staff member', context) });
  }
  match = /^\/api\/v1\/staff\/(\d+)(?:\/(\d+))?$/.exec(clean);
  if (match) {
    const [, companyId = '', staffId] = match;
    if (staffId !== undefined) {
      return withCompany(context, companyId, { template: '/api/v1/staff/{company_id}/{staff_id}', needsUser: false, answer: () => item(context.store.getStaff(companyId, staffId), 'Staff member', context) });
    }
    return withCompany(context, companyId, { template: '/api/v1/staff/{company_id}', needsUser: false, answer: () => staffList(context, companyId) });
  }
  match = /^\/api\/v1\/services\/(\d+)(?:\/(\d+))?$/.exec(clean);
  if (match) {
    const [, companyId = '', serviceId] = match;
    if (serviceId !== undefined) {
      const find = () => context.store.listServices(companyId).find((service) => String(service.id) === serviceId);
      return withCompany(context, companyId, { template: '/api/v1/services/{company_id}/{service_id}', needsUser: false, answer: () => item(find(), 'Service', context) });
    }
    return withCompany(context, companyId, { template: '/api/v1/services/{company_id}', needsUser: false, answer: (query) => servicesList(context, companyId, query) });
  }
  match = /^\/api\/v1\/book_dates\/(\d+)$/.exec(clean);
  if (match) {
    const companyId = match[1]!;
    return withCompany(context, companyId, { template: '/api/v1/book_dates/{company_id}', needsUser: false, answer: (query) => bookDates(context, companyId, query) });
  }
  return undefined;
}

/** A route on an unknown company answers 404 (after auth, like the real API would). */
function withCompany(context: RouteContext, companyId: string, route: MatchedRoute): MatchedRoute {
  if (context.store.hasCompany(companyId)) return route;
  return { ...route, answer: () => errorAnswer(404, `Company ${companyId} not found`) };
}
