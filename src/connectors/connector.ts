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

export interface ProbeOptions {
  /** Ends the request (doctor's timeout, Ctrl-C). */
  readonly signal?: AbortSignal;
}

/** What a probe asked (`GET /users/v1/users?limit=1`, no secrets) and whether it worked. */
export type ProbeResult =
  | { readonly ok: true; readonly request: string }
  | { readonly ok: false; readonly request: string; readonly error: unknown };

/** Run a probe's one request, turning a failure into a result. */
export async function probeRequest(request: string, call: () => Promise<unknown>): Promise<ProbeResult> {
  try {
    await call();
    return { ok: true, request };
  } catch (error) {
    return { ok: false, request, error };
  }
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
  /**
   * One cheap authenticated request (`tidemark doctor`): proves the base URL answers and the
   * credentials are accepted, without reading a stream. Never throws: a failure is returned.
   */
  probe?(client: UpstreamClient, options: ProbeOptions): Promise<ProbeResult>;
  readonly streams: readonly StreamDefinition<UpstreamClient>[];
}
