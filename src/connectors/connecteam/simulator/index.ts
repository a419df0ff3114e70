/**
 * The Connecteam API simulator shipped with Tidemark (`tidemark simulate connecteam`): the real
 * API's shapes, a deterministic seeded data set or a JSON fixture, rate limits and injected faults.
 */
export { startConnecteamSimulator, DEFAULT_API_KEY } from './server.ts';
export type { ConnecteamSimulator, ConnecteamSimulatorOptions, SimulatorStats } from './server.ts';
export { generateDataset, describeScenarios, SCENARIO, DEFAULT_SEED } from './dataset.ts';
export type { ScenarioCases } from './scenarios.ts';
export { DEFAULT_GENERATE_OPTIONS } from './generate-options.ts';
export type { GenerateOptions } from './generate-options.ts';
export { loadDatasetFile, parseDataset, ConnecteamFixtureError } from './fixture.ts';
export { ConnecteamStore } from './store.ts';
export type { NewShift, NewUser, ShiftPatch, UserPatch } from './store.ts';
export { NO_FAULTS } from './faults.ts';
export type { FaultOptions } from './faults.ts';
export { CONNECTEAM_PLAN_LIMITS } from './rate-limit.ts';
export type { RateLimit } from './rate-limit.ts';
export { TIME_CLOCK_IDS, FIRST_USER_ID, REMOTE_PUNCH_ZONE } from './roster.ts';
export type * from './types.ts';
