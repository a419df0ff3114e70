/**
 * The Cliniko API simulator shipped with Tidemark (`tidemark simulate cliniko`): one account's
 * patients, practitioners and individual appointments in the real shapes, a seeded data set or a
 * given one, the per-user rate limit (violations counted) and injected faults.
 */
export { startClinikoSimulator, DEFAULT_API_KEY } from './server.ts';
export type { BeforeAnswer, ClinikoSimulator, ClinikoSimulatorOptions, ClinikoSimulatorStats } from './server.ts';
export { generateDataset, DEFAULT_SEED, DEFAULT_CLINIKO_GENERATE } from './generate.ts';
export type { ClinikoGenerateOptions } from './generate.ts';
export { ClinikoStore } from './store.ts';
export type { AppointmentPatch, PatientPatch, PractitionerPatch } from './store.ts';
export { NO_FAULTS, MALFORMED_ID } from './faults.ts';
export type { FaultOptions } from './faults.ts';
export { CLINIKO_RATE_LIMIT } from './rate-limit.ts';
export type { ClinikoRateLimit } from './rate-limit.ts';
export { clinikoTime } from './types.ts';
export type * from './types.ts';
