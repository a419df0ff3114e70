/** Connecteam: `X-API-KEY` auth, documented per-plan rate limits, users and time-clock shifts. */
import type { ConnectorDefinition } from '../connector.ts';
import { UpstreamClient } from '../../upstream/index.ts';
import { shiftsStream } from './shifts-stream.ts';
import { usersStream } from './users-stream.ts';
import { probeConnecteam } from './probe.ts';

export const connecteam: ConnectorDefinition = {
  type: 'connecteam',
  displayName: 'Connecteam',
  credentials: ['apiKey'],
  defaultBaseUrl: 'https://api.connecteam.com',
  createClient(settings) {
    const apiKey = settings.credentials.apiKey ?? '';
    return new UpstreamClient({
      baseUrl: settings.baseUrl ?? 'https://api.connecteam.com',
      tenantId: settings.tenantId,
      connectionId: settings.connectionId,
      authHeaders: () => ({ 'X-API-KEY': apiKey }),
      authHint: `check the Connecteam API key in environment variable ${settings.credentialEnv.apiKey ?? '(unset)'}`,
      // Enterprise plan: 200/min and 20,000/day per account (reference §1.6); the server's
      // x-ratelimit-* headers tighten this when the account is on a smaller plan.
      limits: settings.limits ?? { perMinute: 200, perDay: 20_000 },
      // Counted per account: every run of this connection in the process spends one budget.
      sharedBudget: `connecteam ${settings.baseUrl ?? 'https://api.connecteam.com'} ${settings.tenantId}/${settings.connectionId}`,
      maxAttempts: settings.maxAttempts,
      timeoutMs: settings.timeoutMs,
    });
  },
  probe: probeConnecteam,
  streams: [usersStream, shiftsStream],
};
