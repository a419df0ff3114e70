/** Every connector Tidemark ships, and lookup of streams by their full name. */
import type { ConnectorDefinition } from './connector.ts';
import type { StreamDefinition } from '../engine/stream.ts';
import type { UpstreamClient } from '../upstream/index.ts';
import { cliniko } from './cliniko/connector.ts';
import { connecteam } from './connecteam/connector.ts';
import { yclients } from './yclients/connector.ts';

export const CONNECTORS: readonly ConnectorDefinition[] = [connecteam, yclients, cliniko];

export function findConnector(type: string): ConnectorDefinition | undefined {
  return CONNECTORS.find((c) => c.type === type);
}

export function findStream(name: string): StreamDefinition<UpstreamClient> | undefined {
  for (const connector of CONNECTORS) {
    const stream = connector.streams.find((s) => s.name === name);
    if (stream) return stream;
  }
  return undefined;
}

export function streamNames(): string[] {
  return CONNECTORS.flatMap((c) => c.streams.map((s) => s.name));
}
