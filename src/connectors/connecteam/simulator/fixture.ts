/**
 * A data set read from a JSON file (`{timeClocks, users, shifts}`, the shapes in types.ts),
 * checked once with errors that name the field, e.g. `shifts[3].start.timestamp: expected number`.
 * Fields outside the documented shapes are dropped.
 */
import { readFileSync } from 'node:fs';
import { IANAZone } from 'luxon';
import { z } from 'zod';
import {
  AUTO_CLOCK_OUT_MODES,
  CUSTOM_FIELD_TYPES,
  PUNCH_SOURCE_TYPES,
  USER_TYPES,
  type ConnecteamDataset,
} from './types.ts';

export class ConnecteamFixtureError extends Error {
  override readonly name = 'ConnecteamFixtureError';
}

const unixSeconds = z.number().int().min(0, 'Unix seconds, a whole number ≥ 0');
const positiveId = z.number().int().min(1, 'a whole number ≥ 1');
const timezone = z.string().refine((zone) => IANAZone.isValidZone(zone), 'an IANA timezone such as "America/Chicago"');
const objectId = z.string().regex(/^[0-9a-f]{24}$/, '24 lowercase hex characters, like "666edfbac1ed5f748fabd3d2"');

const timePoint = z.object({
  timestamp: unixSeconds,
  timezone,
  locationData: z.object({ address: z.string(), longitude: z.number(), latitude: z.number() }).optional(),
  geofenceId: z.string().nullable().optional(),
  source: z
    .object({ id: z.string().optional(), type: z.enum(PUNCH_SOURCE_TYPES), mode: z.enum(AUTO_CLOCK_OUT_MODES).optional(), name: z.string().optional() })
    .optional(),
});

const shift = z.object({
  id: objectId,
  timeClockId: positiveId,
  userId: positiveId,
  start: timePoint,
  end: timePoint.optional(),
  createdAt: unixSeconds,
  modifiedAt: unixSeconds,
  jobId: z.string().optional(),
  subJobId: z.string().optional(),
  schedulerShiftId: z.string().optional(),
  employeeNote: z.string().optional(),
  managerNote: z.string().optional(),
  shiftAttachments: z.array(z.object({ shiftAttachmentId: z.string(), attachment: z.record(z.string(), z.unknown()) })).default([]),
  isAutoClockOut: z.boolean().default(false),
});

const user = z.object({
  userId: positiveId,
  firstName: z.string(),
  lastName: z.string(),
  phoneNumber: z.string(),
  userType: z.enum(USER_TYPES),
  email: z.string().default(''),
  customFields: z
    .array(z.object({ customFieldId: z.number().int(), value: z.unknown(), type: z.enum(CUSTOM_FIELD_TYPES), name: z.string() }))
    .default([]),
  isArchived: z.boolean().default(false),
  kioskCode: z.string().default(''),
  createdAt: unixSeconds,
  modifiedAt: unixSeconds,
  archivedAt: unixSeconds.optional(),
  lastLogin: unixSeconds.default(0),
  smartGroupsIds: z.array(z.number().int()).default([]),
  invitedToBeManager: z.boolean().optional(),
  profilePictureUrl: z.string().nullable().optional(),
});

const timeClock = z.object({ id: positiveId, name: z.string(), isArchived: z.boolean().default(false), timezone });

const datasetSchema = z
  .object({ timeClocks: z.array(timeClock).min(1), users: z.array(user), shifts: z.array(shift) })
  .superRefine((dataset, context) => {
    const clockIds = new Set<number>();
    dataset.timeClocks.forEach((clock, index) => {
      if (clockIds.has(clock.id)) context.addIssue({ code: 'custom', path: ['timeClocks', index, 'id'], message: `time clock ${clock.id} is listed twice` });
      clockIds.add(clock.id);
    });
    const userIds = new Set<number>();
    dataset.users.forEach((entry, index) => {
      if (userIds.has(entry.userId)) context.addIssue({ code: 'custom', path: ['users', index, 'userId'], message: `user ${entry.userId} is listed twice` });
      userIds.add(entry.userId);
    });
    const shiftIds = new Set<string>();
    dataset.shifts.forEach((entry, index) => {
      const at = (field: string) => ['shifts', index, field];
      if (shiftIds.has(entry.id)) context.addIssue({ code: 'custom', path: at('id'), message: `shift id ${entry.id} is used twice` });
      shiftIds.add(entry.id);
      if (!clockIds.has(entry.timeClockId)) context.addIssue({ code: 'custom', path: at('timeClockId'), message: `time clock ${entry.timeClockId} is not in timeClocks` });
      if (!userIds.has(entry.userId)) context.addIssue({ code: 'custom', path: at('userId'), message: `user ${entry.userId} is not in users` });
      if (entry.end !== undefined && entry.end.timestamp < entry.start.timestamp) {
        context.addIssue({ code: 'custom', path: ['shifts', index, 'end', 'timestamp'], message: 'the end is before the start' });
      }
    });
  });

/** `shifts[3].start.timestamp` from zod's `['shifts', 3, 'start', 'timestamp']`. */
function fieldPath(path: readonly PropertyKey[]): string {
  let text = '';
  for (const part of path) text += typeof part === 'number' ? `[${part}]` : `${text === '' ? '' : '.'}${String(part)}`;
  return text || '(the whole file)';
}

const MAX_LISTED_PROBLEMS = 10;

/** Checks a parsed JSON value; `source` names it in the error (a file path, "dataset"). */
export function parseDataset(value: unknown, source = 'dataset'): ConnecteamDataset {
  const parsed = datasetSchema.safeParse(value);
  if (parsed.success) return parsed.data;
  const issues = parsed.error.issues;
  const lines = issues.slice(0, MAX_LISTED_PROBLEMS).map((issue) => `  ${fieldPath(issue.path)}: ${issue.message}`);
  if (issues.length > MAX_LISTED_PROBLEMS) lines.push(`  …and ${issues.length - MAX_LISTED_PROBLEMS} more`);
  throw new ConnecteamFixtureError(`Connecteam fixture ${source} is not a valid data set:\n${lines.join('\n')}`);
}

/** Reads and checks a JSON fixture file. */
export function loadDatasetFile(path: string): ConnecteamDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new ConnecteamFixtureError(`cannot read Connecteam fixture ${path}: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  let value: unknown;
  try {
    value = JSON.parse(text);
  } catch (error) {
    throw new ConnecteamFixtureError(`Connecteam fixture ${path} is not JSON: ${error instanceof Error ? error.message : String(error)}`, { cause: error });
  }
  return parseDataset(value, path);
}
