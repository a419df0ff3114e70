/** The clock part of every replica answer: the server's time, the site's zone and today's business date there. */
import { businessDateOf } from '../../time/business-day.ts';
import type { ReplicaRuntime } from './replica-runtime.ts';

export function clockOf(replica: ReplicaRuntime, now: Date): { serverTime: string; timezone: string; businessDate: string } {
  return { serverTime: now.toISOString(), timezone: replica.timezone, businessDate: businessDateOf(now, replica.timezone) };
}
