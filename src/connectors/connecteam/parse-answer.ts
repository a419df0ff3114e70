/** Check an upstream answer's envelope; a wrong shape fails the run with what was expected. */
import type { z } from 'zod';
import { describeIssues } from './schemas.ts';

export class UnexpectedAnswerError extends Error {
  override readonly name = 'UnexpectedAnswerError';
}

export function parseAnswer<T extends z.ZodType>(schema: T, body: unknown, what: string): z.infer<T> {
  const result = schema.safeParse(body);
  if (!result.success) {
    throw new UnexpectedAnswerError(`Connecteam answered ${what} in an unexpected shape: ${describeIssues(result.error)}`);
  }
  return result.data;
}
