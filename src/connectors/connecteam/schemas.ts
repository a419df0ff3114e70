/**
 * Connecteam's answers as zod schemas, faithful to shared/reference/upstream-apis.md §1.4: the
 * fields we store are checked, unknown fields pass through (kept in `raw`).
 */
import { z } from 'zod';
import { isTimezone } from '../../time/business-day.ts';

const unixSeconds = z.number({ error: 'expected Unix seconds (an integer)' }).int().positive();
const ianaZone = z.string().refine((zone) => isTimezone(zone), { error: 'expected an IANA timezone' });

export const timePointSchema = z.looseObject({
  timestamp: unixSeconds,
  timezone: ianaZone,
  source: z.looseObject({ type: z.string() }).optional(),
});

export const shiftSchema = z.looseObject({
  id: z.string().min(1),
  userId: z.number().int().positive(),
  timeClockId: z.number().int().positive(),
  start: timePointSchema,
  end: timePointSchema.optional().nullable(),
  createdAt: unixSeconds.optional(),
  modifiedAt: unixSeconds.optional(),
  jobId: z.string().nullish(),
  subJobId: z.string().nullish(),
  schedulerShiftId: z.string().nullish(),
  employeeNote: z.string().nullish(),
  managerNote: z.string().nullish(),
  isAutoClockOut: z.boolean().optional(),
});
export type ConnecteamShift = z.infer<typeof shiftSchema>;

export const userSchema = z.looseObject({
  userId: z.number().int().positive(),
  firstName: z.string(),
  lastName: z.string(),
  phoneNumber: z.string().nullish(),
  email: z.string().nullish(),
  userType: z.string(),
  isArchived: z.boolean().optional(),
  createdAt: z.number().int().nonnegative().nullish(),
  modifiedAt: z.number().int().nonnegative().nullish(),
  archivedAt: z.number().int().nonnegative().nullish(),
});

export const timeClocksAnswer = z.looseObject({
  data: z.looseObject({ timeClocks: z.array(z.looseObject({ id: z.number().int(), name: z.string().optional(), isArchived: z.boolean().optional() })) }),
});

export const timeActivitiesAnswer = z.looseObject({
  data: z.looseObject({
    timeActivitiesByUsers: z.array(z.looseObject({ userId: z.number().int(), shifts: z.array(z.unknown()).default([]) })),
  }),
});

export const usersAnswer = z.looseObject({
  data: z.looseObject({ users: z.array(z.unknown()) }),
  paging: z.looseObject({ offset: z.number().optional(), total: z.number().optional() }).optional(),
});

/** Describe a zod failure in one line for a dead letter or a run error. */
export function describeIssues(error: z.ZodError): string {
  return error.issues
    .slice(0, 3)
    .map((issue) => `${issue.path.join('.') || '(record)'}: ${issue.message}`)
    .join('; ');
}
