/**
 * YClients records as zod schemas, faithful to upstream-apis.md §2.4: the fields we store are
 * checked (tolerating numbers sent as strings), unknown fields pass through and are kept in `raw`.
 */
import { z } from 'zod';
import { clockValue, decimalValue, flagValue, idValue, intValue, isoDate, optionalDate, optionalObject, textValue } from './values.ts';

const position = z.looseObject({ id: idValue.optional(), title: z.string().nullish() });

/** A staff member from `GET /api/v1/staff/{company_id}`. */
export const staffSchema = z.looseObject({
  id: idValue,
  name: z.string(),
  company_id: idValue.nullish(),
  specialization: z.string().nullish(),
  // `fired` is 0/1, `is_fired` a boolean; either one says the person was dismissed.
  fired: flagValue.nullish(),
  is_fired: flagValue.nullish(),
  is_deleted: flagValue.nullish(),
  hidden: flagValue.nullish(),
  status: intValue.nullish(),
  is_bookable: flagValue.nullish(),
  rating: decimalValue.nullish(),
  weight: intValue.nullish(),
  user_id: idValue.nullish(),
  dismissal_date: optionalDate,
  schedule_till: optionalDate,
  avatar: z.string().nullish(),
  position: optionalObject(position),
});
export type YclientsStaffRecord = z.output<typeof staffSchema>;

const serviceStaff = z.looseObject({ id: idValue, seance_length: intValue.nullish() });

/** A service from `GET /api/v1/services/{company_id}`. */
export const serviceSchema = z.looseObject({
  id: idValue,
  title: z.string(),
  category_id: idValue.nullish(),
  price_min: decimalValue.nullish(),
  price_max: decimalValue.nullish(),
  discount: decimalValue.nullish(),
  comment: z.string().nullish(),
  weight: intValue.nullish(),
  active: flagValue.nullish(),
  api_id: textValue.nullish(),
  prepaid: z.string().nullish(),
  // Seconds; the create payload calls it `duration`, older answers `seance_length`/`session_length`.
  duration: intValue.nullish(),
  seance_length: intValue.nullish(),
  session_length: intValue.nullish(),
  staff: z.array(serviceStaff).nullish(),
});
export type YclientsServiceRecord = z.output<typeof serviceSchema>;

export const slotSchema = z.looseObject({ from: clockValue, to: clockValue });

/** One working day of one staff member from `GET /api/v1/company/{id}/staff/schedule`. */
export const scheduleDaySchema = z.looseObject({
  staff_id: idValue,
  date: isoDate,
  slots: z.array(slotSchema),
});
export type YclientsScheduleDay = z.output<typeof scheduleDaySchema>;

/** Describe a zod failure in one line for a dead letter or a run error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
    .join('; ');
}
