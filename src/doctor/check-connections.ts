/**
 * One cheap authenticated call per connection (the connector's `probe`), in parallel, each
 * bounded by PROBE_TIMEOUT_MS. A refusal names the tenant, the connection and the environment
 * variable holding the key; the key itself never appears (the client scrubs it from errors, and
 * these messages are written here, not copied from the upstream).
 */
import type { Config, ConnectionConfig } from '../config/schema.ts';
import { findConnector } from '../connectors/registry.ts';
import type { ConnectorDefinition, ProbeResult } from '../connectors/connector.ts';
import { errorMessage } from '../engine/errors.ts';
import { isAbortError, isUpstreamError } from '../upstream/index.ts';
import type { Finding } from './finding.ts';
import { PROBE_TIMEOUT_MS, credentialVariables, probeClient } from './probe-client.ts';
import { formatMs, timed } from './timing.ts';

function keyFix(variables: readonly string[]): string {
  const named = variables.map((v) => `$${v}`);
  return named.length === 1 ? `check the key in ${named[0]}` : `check the keys in ${named.join(' and ')}`;
}

function assess(subject: string, where: string, connector: ConnectorDefinition, variables: readonly string[], result: ProbeResult, ms: number, timedOut: boolean): Finding {
  if (result.ok) return { level: 'ok', subject, message: `${result.request} accepted the credentials in ${formatMs(ms)}` };
  const { error, request } = result;
  if (isUpstreamError(error, 'unauthorized', 'forbidden')) {
    return {
      level: 'error',
      subject,
      message: `${connector.displayName} refused the credentials of ${where} (HTTP ${error.status ?? (error.kind === 'forbidden' ? 403 : 401)} on ${request})`,
      fix: keyFix(variables),
    };
  }
  if (timedOut || isUpstreamError(error, 'timeout') || isAbortError(error)) {
    return { level: 'error', subject, message: `no answer to ${request} within ${PROBE_TIMEOUT_MS / 1000} s`, fix: 'check the connection\'s baseUrl and that this machine can reach it' };
  }
  if (isUpstreamError(error, 'network')) {
    return { level: 'error', subject, message: `cannot reach ${connector.displayName}: ${errorMessage(error)}`, fix: 'check the connection\'s baseUrl and that this machine can reach it' };
  }
  if (isUpstreamError(error, 'rate_limited')) {
    return { level: 'warning', subject, message: `${request} was rate limited (HTTP 429): the credentials were not verified; runs share this budget` };
  }
  if (isUpstreamError(error, 'not_found')) {
    return { level: 'error', subject, message: errorMessage(error), fix: connector.options ? 'check the connection\'s options and baseUrl' : 'check the connection\'s baseUrl' };
  }
  return { level: 'error', subject, message: `${request} failed: ${errorMessage(error)}` };
}

async function checkConnection(connection: ConnectionConfig, env: NodeJS.ProcessEnv, signal: AbortSignal | undefined): Promise<Finding> {
  const connector = findConnector(connection.connector)!;
  const where = `tenant "${connection.tenant}", connection "${connection.id}"`;
  const subject = `connection ${connection.id} (tenant ${connection.tenant}, ${connector.displayName})`;
  const { variables, unconfigured, unset } = credentialVariables(connector, connection, env);
  if (unconfigured.length > 0) {
    return { level: 'error', subject, message: `credential(s) ${unconfigured.join(', ')} not configured`, fix: `add them to the connection: "credentials": { "${unconfigured[0]}": { "env": "VARIABLE_NAME" } }` };
  }
  if (unset.length > 0) {
    return { level: 'error', subject, message: `environment variable(s) ${unset.join(', ')} not set for ${where}`, fix: `export ${unset.join(', ')} before running tidemark` };
  }
  if (!connector.probe) return { level: 'ok', subject, message: `credentials set (${connector.displayName} has no probe: not called)` };
  let client;
  try {
    client = probeClient(connector, connection, env);
  } catch (error) {
    return { level: 'error', subject, message: errorMessage(error) };
  }
  const timeout = AbortSignal.timeout(PROBE_TIMEOUT_MS);
  const { value: result, ms } = await timed(() => connector.probe!(client, { signal: signal ? AbortSignal.any([signal, timeout]) : timeout }));
  return assess(subject, where, connector, variables.map((v) => v.env!), result, ms, timeout.aborted);
}

export function checkConnections(config: Config, env: NodeJS.ProcessEnv, signal?: AbortSignal): Promise<Finding[]> {
  return Promise.all(config.connections.map((connection) => checkConnection(connection, env, signal)));
}
