/**
 * YClients' envelope, `{success, data, meta}` on every answer (upstream-apis.md §2.4, §2.7):
 * `meta` is sometimes `[]` and sometimes an object; a refusal can come as HTTP 200 with
 * `success: false` (or an `errors` key) and the reason in `meta.message`. Either form of `meta`
 * is accepted; a refusal fails the run with YClients' own words.
 */
import { z } from 'zod';
import { describeIssues } from './schemas.ts';
import { flagValue } from './values.ts';

export class YclientsAnswerError extends Error {
  override readonly name = 'YclientsAnswerError';
}

const envelope = z.looseObject({
  success: flagValue.optional(),
  data: z.unknown(),
  meta: z.union([z.array(z.unknown()), z.record(z.string(), z.unknown()), z.null()]).optional(),
  errors: z.unknown().optional(),
});

function messageOf(answer: z.output<typeof envelope>): string {
  const meta = answer.meta;
  const said = meta && !Array.isArray(meta) && typeof meta.message === 'string' ? meta.message : undefined;
  if (said) return said;
  if (answer.errors !== undefined) return JSON.stringify(answer.errors).slice(0, 300);
  return 'no reason given';
}

function hasErrors(errors: unknown): boolean {
  if (errors === undefined || errors === null || errors === false) return false;
  if (Array.isArray(errors)) return errors.length > 0;
  if (typeof errors === 'object') return Object.keys(errors).length > 0;
  return true;
}

/** The `data` list of a YClients answer; throws with the reason when the answer is a refusal. */
export function listData(body: unknown, what: string): unknown[] {
  const parsed = envelope.safeParse(body);
  if (!parsed.success) {
    throw new YclientsAnswerError(`YClients answered ${what} in an unexpected shape: ${describeIssues(parsed.error)}`);
  }
  const answer = parsed.data;
  if (answer.success === false || hasErrors(answer.errors)) {
    throw new YclientsAnswerError(`YClients refused ${what}: ${messageOf(answer)}`);
  }
  if (!Array.isArray(answer.data)) {
    // Never read a missing list as an empty one: that would look like everything was deleted.
    throw new YclientsAnswerError(`YClients answered ${what} without a list in "data" (got ${answer.data === null ? 'null' : typeof answer.data})`);
  }
  return answer.data;
}
