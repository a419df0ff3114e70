/**
 * The YClients API simulator shipped with Tidemark (`tidemark simulate yclients`): the real API's
 * shapes and quirks, a deterministic seeded data set or a JSON fixture, the documented per-IP rate
 * limit with a count of violations, and injected faults.
 */
export { startYclientsSimulator, DEFAULT_PARTNER_TOKEN, DEFAULT_USER_TOKEN } from './server.ts';
export type { SimulatorStats, YclientsSimulator, YclientsSimulatorOptions } from './server.ts';
export { generateDataset, staffIdOf, DEFAULT_SEED, DEFAULT_COMPANIES, DEFAULT_GENERATE_OPTIONS, COMPANY_STAFF_BASE } from './dataset.ts';
export type { CompanySeed, GenerateOptions } from './dataset.ts';
export { loadDatasetFile, parseDataset } from './fixture.ts';
export { YclientsStore } from './store.ts';
export type { NewService, NewStaff, ServicePatch, StaffPatch } from './store.ts';
export { META_SHAPES, NO_FAULTS } from './faults.ts';
export type { FaultOptions, MetaShape } from './faults.ts';
export { YCLIENTS_RATE_LIMIT } from './rate-limit.ts';
export type { RateLimit, RateLimitViolations } from './rate-limit.ts';
export type * from './types.ts';
