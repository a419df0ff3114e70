/**
 * What the YClients simulator holds, in the real API's shapes (upstream-apis.md §2.4). Numeric
 * fields are `number | string` because YClients sends both (`"weight":"10"`): the data set keeps
 * whichever form a record has, and answers serialize it as stored.
 */

export type NumberLike = number | string;

/** A working interval on a local wall clock, `HH:mm`. */
export interface YclientsSlot {
  from: string;
  to: string;
}

export interface YclientsPosition {
  id: NumberLike;
  title: string;
}

/** A staff member as `GET /api/v1/staff/{company_id}` lists it (the fields of the real dump). */
export interface YclientsStaff {
  id: NumberLike;
  name: string;
  company_id: NumberLike;
  specialization: string;
  information: string;
  api_id: string | null;
  fired: NumberLike;
  is_fired: boolean;
  dismissal_date: string | null;
  dismissal_reason: string | null;
  hidden: NumberLike;
  status: NumberLike;
  is_deleted: boolean;
  is_online: boolean;
  is_bookable: boolean;
  prepaid: string;
  is_online_random_choice_allowed: boolean;
  user_id: NumberLike | null;
  rating: NumberLike;
  is_chain: boolean;
  weight: NumberLike;
  is_rating_shown: boolean;
  seance_step: NumberLike;
  seance_search_step: NumberLike;
  seance_search_start: NumberLike;
  seance_search_finish: NumberLike;
  avatar: string;
  avatar_big: string;
  /** An object, or `[]` / null when there is none (both seen upstream). */
  position: YclientsPosition | [] | null;
  services_links: { service_id: NumberLike; length: NumberLike }[];
  has_schedule: boolean;
  schedule_till: string | null;
  grid_settings: { weekdays_settings: unknown[]; dates_settings: unknown[] };
}

/** A service as `GET /api/v1/services/{company_id}` lists it. */
export interface YclientsService {
  id: NumberLike;
  title: string;
  category_id: NumberLike;
  price_min: NumberLike;
  price_max: NumberLike;
  discount: NumberLike;
  comment: string;
  weight: NumberLike;
  active: NumberLike;
  api_id: string;
  prepaid: string;
  /** Seconds. */
  duration: NumberLike;
  staff: { id: NumberLike; seance_length: NumberLike }[];
}

/**
 * When a staff member works, as the simulator's own rule (YClients stores concrete days; a rule
 * gives every date of any window without storing them): on ISO weekdays, or `on` days out of each
 * `on + off` counted from `anchor` (the 2/2 rota common in salons).
 */
export type WorkPattern =
  | { kind: 'weekly'; weekdays: number[]; slots: YclientsSlot[] }
  | { kind: 'rota'; anchor: string; on: number; off: number; slots: YclientsSlot[] };

export interface YclientsCompany {
  id: number;
  title: string;
  /** The branch's IANA zone: schedule slots are wall-clock times in it. */
  timezone: string;
  staff: YclientsStaff[];
  services: YclientsService[];
  /** Work pattern per staff id (decimal text); staff without one never work. */
  patterns: Record<string, WorkPattern>;
  /** Concrete days that replace the pattern, by `"<staffId>:<YYYY-MM-DD>"`; `[]` is a day off. */
  overrides: Record<string, YclientsSlot[]>;
}

export interface YclientsDataset {
  companies: YclientsCompany[];
}

/** One working day as the schedule endpoint answers it. */
export interface YclientsScheduleDay {
  staff_id: NumberLike;
  date: string;
  slots: YclientsSlot[];
}
