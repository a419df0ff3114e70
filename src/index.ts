/** The public API of the `tidemark` package. */
export { defineConfig, loadConfig, parseConfig } from './config/load.ts';
export type { Config, ConfigInput } from './config/schema.ts';
export { ConfigError } from './config/config-error.ts';
export { runSync } from './engine/run-sync.ts';
export type { RunSummary, RunSyncOptions, RunProgressEvent } from './engine/run-sync.ts';
export { resolveSync } from './engine/resolve-sync.ts';
export { businessDayRange, businessDateOf, todayIn } from './time/business-day.ts';
export { businessWindow, todayWindow, relativeWindow } from './time/window.ts';
export type { BusinessWindow } from './time/window.ts';
export { openLedger } from './ledger/open-ledger.ts';
export { Ledger, ActiveRunError } from './ledger/ledger.ts';
export { openDestination } from './destinations/open.ts';
export { DatabaseError } from './destinations/database-error.ts';
export { CONNECTORS, findStream, streamNames } from './connectors/registry.ts';
