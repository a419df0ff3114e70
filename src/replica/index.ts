/**
 * `tidemark/replica`: offline sites on SQLite that sync with a Tidemark server (docs/replica.md).
 * Define the replica once (tables and mutators), open it on the site, and run the sync loop.
 */
export { defineReplica, MutationRejected, COLUMN_TYPES } from './definition.ts';
export type { ColumnType, JsonValue, MutationArgs, Mutator, ReplicaDefinition, ReplicaRow, ReplicaTx, TableDefinition } from './definition.ts';
export { SiteReplica } from './site/site-replica.ts';
export type { OutboxEntry, SiteReplicaOptions } from './site/site-replica.ts';
export { ReplicaSyncClient, ReplicaSyncError } from './site/sync-client.ts';
export type { ReplicaSyncClientOptions, SyncRound } from './site/sync-client.ts';
export { SyncLoop } from './site/sync-loop.ts';
export type { SyncLoopOptions, SyncStatus } from './site/sync-loop.ts';
export { PROTOCOL_VERSION } from './protocol.ts';
