/**
 * Send the queued alerts: claim them (see outbox.ts), POST each to its pending channels, and
 * keep what failed for the next tick. A channel that failed is not tried again for later alerts
 * in the same pass, so a down receiver costs one timeout per tick and gets its alerts in order.
 * An alert still undelivered after `maxAgeHours` is given up (and said so in the log).
 */
import type { Config, TenantConfig } from '../../config/schema.ts';
import { quoteIdent } from '../../db/identifiers.ts';
import { errorMessage } from '../../engine/errors.ts';
import type { Ledger } from '../../ledger/ledger.ts';
import { claimDeliveries, settleDelivery } from './outbox.ts';
import { scrubSecrets } from './redact.ts';
import type { Channel } from './channels/channel.ts';
import { tenantChannels } from './channels/tenant-channels.ts';

export interface DeliverOptions {
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly ledger: Ledger;
  readonly secrets: readonly string[];
  readonly log: (line: string) => void;
  readonly timeoutMs: number;
  readonly now: Date;
  /** How long a claim holds (a process dying mid-delivery releases its alerts after this). */
  readonly leaseSeconds?: number;
  readonly maxAgeHours?: number;
  readonly batch?: number;
}

export interface DeliveryReport {
  /** Channel deliveries that went through. */
  readonly sent: number;
  /** Channel deliveries that failed (kept for the next tick). */
  readonly failed: number;
  /** Alerts dropped: too old, or their tenant or channel is no longer configured. */
  readonly dropped: number;
}

export async function deliverAlerts(options: DeliverOptions): Promise<DeliveryReport> {
  const s = quoteIdent(options.config.controlPlane.schema);
  const claimed = await claimDeliveries(options.ledger.db, s, options.leaseSeconds ?? 300, options.batch ?? 50);
  const tenants = new Map<string, TenantConfig>(options.config.tenants.map((t) => [t.id, t]));
  const channelsOf = new Map<string, Map<string, Channel>>();
  const downThisPass = new Set<string>();
  let sent = 0;
  let failed = 0;
  let dropped = 0;

  for (const delivery of claimed) {
    const { alert, tenant: tenantId } = delivery.detail;
    let channels = channelsOf.get(tenantId);
    if (!channels) {
      const tenant = tenants.get(tenantId);
      channels = new Map((tenant ? tenantChannels(tenant, options.env, options.timeoutMs) : []).map((c) => [c.id, c]));
      channelsOf.set(tenantId, channels);
    }
    const lastErrors: Record<string, string> = { ...delivery.detail.lastErrors };
    const pending: string[] = [];
    let unknown = 0;
    await Promise.all(
      delivery.detail.pending.map(async (id): Promise<void> => {
        const channel = channels.get(id);
        if (!channel) {
          // The channel (or the tenant) left the configuration: nobody to deliver to.
          delete lastErrors[id];
          unknown++;
          return;
        }
        const downKey = `${tenantId}\u0000${id}`;
        if (downThisPass.has(downKey)) {
          pending.push(id);
          return;
        }
        try {
          await channel.send(alert);
          sent++;
          delete lastErrors[id];
          if (delivery.detail.attempts > 0) options.log(`alert ${alert.kind} for sync ${alert.sync} delivered to ${channel.label} after ${delivery.detail.attempts + 1} attempts`);
        } catch (error) {
          failed++;
          downThisPass.add(downKey);
          pending.push(id);
          const message = scrubSecrets(errorMessage(error), options.secrets);
          const reason = message.startsWith(`${channel.label}: `) ? message.slice(channel.label.length + 2) : message;
          // Logged on the first failure and when the reason changes, not every tick.
          if (lastErrors[id] !== reason) options.log(`alert ${alert.kind} for sync ${alert.sync} not delivered to ${channel.label} (retried next tick): ${reason}`);
          lastErrors[id] = reason;
        }
      }),
    );
    const ageHours = (options.now.getTime() - Date.parse(alert.at)) / 3_600_000;
    if (pending.length > 0 && ageHours > (options.maxAgeHours ?? 24)) {
      options.log(`alert ${alert.kind} for sync ${alert.sync} given up after ${Math.round(ageHours)} h undelivered to ${pending.join(', ')}`);
      dropped++;
      pending.length = 0;
    }
    if (unknown > 0 && unknown === delivery.detail.pending.length) dropped++;
    await settleDelivery(options.ledger.db, s, delivery, pending.sort(), lastErrors);
  }
  return { sent, failed, dropped };
}
