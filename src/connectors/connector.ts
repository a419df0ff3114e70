/** A connector: how to reach one upstream and the streams it offers. */
import type { StreamDefinition } from '../engine/stream.ts';
import type { ZodType } from 'zod';
import type { UpstreamClient } from '../upstream/index.ts';

export interface ConnectorClientSettings {
  readonly tenantId: string;
  readonly connectionId: string;
  readonly baseUrl: string | undefined;
  /** Resolved secrets by credential name (e.g. `apiKey`). */
  readonly credentials: Readonly<Record<string, string>>;
  /** Environment variable names by credential name, for error messages only. */
  readonly credentialEnv: Readonly<Record<string, string>>;
  readonly limits: { perSecond?: number; perMinute?: number; perDay?: number } | undefined;
  readonly maxAttempts: number;
  readonly timeoutMs: number;
  readonly options: Readonly<Record<string, unknown>>;
}

export interface ConnectorDefinition {
  readonly type: string;
  readonly displayName: string;
  /** Credential names the connection must provide. */
  readonly credentials: readonly string[];
  readonly defaultBaseUrl: string;
  /**
   * Schema of the connection's `options` (e.g. a YClients company id, a Cliniko contact email):
   * checked when the configuration loads, problems reported as `connections[i].options.<name>`.
   */
  readonly options?: ZodType;
  createClient(settings: ConnectorClientSettings): UpstreamClient;
  readonly streams: readonly StreamDefinition<UpstreamClient>[];
}
