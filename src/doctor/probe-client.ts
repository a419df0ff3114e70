/**
 * The client doctor probes a connection with: the connector's own (auth, User-Agent, base URL,
 * rate-limit budget) but one attempt and a short timeout, so a dead upstream answers in seconds.
 */
import type { ConnectionConfig } from '../config/schema.ts';
import type { ConnectorDefinition } from '../connectors/connector.ts';
import type { UpstreamClient } from '../upstream/index.ts';

export const PROBE_TIMEOUT_MS = 5_000;

/** Credential name → environment variable, and the ones not set (never their values). */
export function credentialVariables(connector: ConnectorDefinition, connection: ConnectionConfig, env: NodeJS.ProcessEnv) {
  const variables = connector.credentials.map((name) => ({ name, env: connection.credentials[name]?.env }));
  return {
    variables,
    unconfigured: variables.filter((v) => v.env === undefined).map((v) => v.name),
    unset: variables.filter((v) => v.env !== undefined && !env[v.env]).map((v) => v.env!),
  };
}

/** Build the probe client; call only when every credential is configured and set. */
export function probeClient(connector: ConnectorDefinition, connection: ConnectionConfig, env: NodeJS.ProcessEnv): UpstreamClient {
  const credentials: Record<string, string> = {};
  const credentialEnv: Record<string, string> = {};
  for (const name of connector.credentials) {
    const variable = connection.credentials[name]!.env;
    credentials[name] = env[variable] ?? '';
    credentialEnv[name] = variable;
  }
  return connector.createClient({
    tenantId: connection.tenant,
    connectionId: connection.id,
    baseUrl: connection.baseUrl,
    credentials,
    credentialEnv,
    limits: connection.rateLimit,
    maxAttempts: 1,
    timeoutMs: Math.min(connection.timeoutMs, PROBE_TIMEOUT_MS),
    options: connection.options,
  });
}
