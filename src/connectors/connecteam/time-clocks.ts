/** The time clocks whose shifts a sync reads. */
import type { UpstreamClient } from '../../upstream/index.ts';
import { timeClocksAnswer } from './schemas.ts';
import { parseAnswer } from './parse-answer.ts';

export interface TimeClock {
  readonly id: number;
  readonly name: string;
}

export async function listTimeClocks(client: UpstreamClient, signal?: AbortSignal): Promise<TimeClock[]> {
  const answer = parseAnswer(timeClocksAnswer, await client.getJson('/time-clock/v1/time-clocks', undefined, { signal }), 'the time clock list');
  // Archived clocks still hold past shifts, so they are read too; order by id for a stable resume position.
  return answer.data.timeClocks.map((c) => ({ id: c.id, name: c.name ?? String(c.id) })).sort((a, b) => a.id - b.id);
}
