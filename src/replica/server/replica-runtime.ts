/** A configured replica as the server runs it: its settings, its zone and its loaded definition. */
import type { ReplicaDefinition } from '../definition.ts';

export interface ReplicaSettings {
  readonly pushMaxMutations: number;
  readonly pullPageSize: number;
  readonly tombstoneRetentionDays: number;
  readonly mutationsRetentionDays: number;
}

export interface ReplicaRuntime {
  readonly id: string;
  /** The site's business timezone, configured once here and answered to every site. */
  readonly timezone: string;
  readonly definition: ReplicaDefinition;
  readonly settings: ReplicaSettings;
}

/** What a replica endpoint answers: an HTTP status, a JSON body, and headers such as Retry-After. */
export interface ReplicaAnswer {
  readonly status: number;
  readonly body: unknown;
  readonly headers?: Readonly<Record<string, string>>;
}

/** A database error that retrying can fix (connection, serialization, resources, shutdown). */
export function isTransient(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code !== 'string') return false;
  return /^(08|40|53|57|58)/.test(code) || ['ECONNRESET', 'ECONNREFUSED', 'ETIMEDOUT', 'EPIPE'].includes(code);
}
