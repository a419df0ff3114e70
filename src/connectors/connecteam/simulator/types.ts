/**
 * The Connecteam records the simulator holds, in the real API's shapes (upstream-apis.md §1.4):
 * users as `User`, shifts as `ShiftActivityResponse` plus the time clock and user they belong to.
 * Each `as const` list gives both the TypeScript type and the fixture validator's allowed values.
 */

/** `source.type` of a punch. */
export const PUNCH_SOURCE_TYPES = ['autoClockOut', 'nfc', 'mobile', 'pc', 'kiosk', 'api', 'admin'] as const;
export type PunchSourceType = (typeof PUNCH_SOURCE_TYPES)[number];

/** `source.mode`, only present when the type is `autoClockOut`. */
export const AUTO_CLOCK_OUT_MODES = [
  'dailyLimit',
  'hourLimit',
  'schedulerShiftEnded',
  'geofenceExit',
  'disabledGps',
  'disabledGpsPermission',
] as const;
export type AutoClockOutMode = (typeof AUTO_CLOCK_OUT_MODES)[number];

export const USER_TYPES = ['user', 'manager', 'owner'] as const;
export type UserType = (typeof USER_TYPES)[number];

export const CUSTOM_FIELD_TYPES = [
  'email',
  'date',
  'phone',
  'number',
  'str',
  'dropdown',
  'file',
  'directManager',
  'birthday',
  'link',
  'location',
] as const;
export type CustomFieldType = (typeof CUSTOM_FIELD_TYPES)[number];

export interface PunchSource {
  id?: string;
  type: PunchSourceType;
  mode?: AutoClockOutMode;
  name?: string;
}

export interface LocationData {
  address: string;
  longitude: number;
  latitude: number;
}

/** `TimeActivityTimePointResponse`: an instant in Unix seconds plus the punch's own IANA zone. */
export interface TimePoint {
  timestamp: number;
  timezone: string;
  locationData?: LocationData;
  geofenceId?: string | null;
  /** Optional upstream; the generator always sets it. */
  source?: PunchSource;
}

export interface ShiftAttachment {
  shiftAttachmentId: string;
  attachment: Record<string, unknown>;
}

/** `ShiftActivityResponse`. A shift without `end` is open: the user is still clocked in. */
export interface ShiftActivity {
  /** 24 hex characters, ObjectId-like. */
  id: string;
  start: TimePoint;
  end?: TimePoint;
  /** Unix seconds. */
  createdAt: number;
  /** Unix seconds. */
  modifiedAt: number;
  jobId?: string;
  subJobId?: string;
  schedulerShiftId?: string;
  employeeNote?: string;
  managerNote?: string;
  shiftAttachments: ShiftAttachment[];
  isAutoClockOut: boolean;
}

/** A shift as the simulator stores it: the API shape plus where it belongs (not serialized). */
export type DatasetShift = ShiftActivity & { timeClockId: number; userId: number };

export interface CustomField {
  customFieldId: number;
  value: unknown;
  type: CustomFieldType;
  name: string;
}

/** `User`. Times are Unix seconds. */
export interface ConnecteamUser {
  userId: number;
  firstName: string;
  lastName: string;
  phoneNumber: string;
  userType: UserType;
  email: string;
  customFields: CustomField[];
  isArchived: boolean;
  kioskCode: string;
  createdAt: number;
  modifiedAt: number;
  archivedAt?: number;
  lastLogin: number;
  smartGroupsIds: number[];
  invitedToBeManager?: boolean;
  profilePictureUrl?: string | null;
}

/**
 * A time clock. The API lists only `{id, name, isArchived}`; `timezone` is the simulator's own
 * knowledge of which zone defines the clock's business dates (see time-activities-route.ts).
 */
export interface ConnecteamTimeClock {
  id: number;
  name: string;
  isArchived: boolean;
  timezone: string;
}

export interface ConnecteamDataset {
  timeClocks: ConnecteamTimeClock[];
  users: ConnecteamUser[];
  shifts: DatasetShift[];
}
