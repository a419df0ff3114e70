/**
 * A JSON fixture in place of the generated data set (`tidemark simulate yclients --fixture FILE`):
 * `{ "companies": [{ id, title, timezone, staff: [...], services: [...], patterns?, overrides? }] }`
 * with staff and services in YClients' own shapes. Checked here so a bad file is refused with the
 * field named, not served half-broken.
 */
import { readFileSync } from 'node:fs';
import { z } from 'zod';
import { isTimezone } from '../../../time/business-day.ts';
import type { YclientsDataset } from './types.ts';

const numberLike = z.union([z.number(), z.string()]);
const clock = z.string().regex(/^([01]\d|2[0-3]):[0-5]\d$|^24:00$/, 'a local time HH:mm');
const slot = z.object({ from: clock, to: clock }).strict();
const date = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const pattern = z.discriminatedUnion('kind', [
  z.object({ kind: z.literal('weekly'), weekdays: z.array(z.number().int().min(1).max(7)), slots: z.array(slot) }).strict(),
  z.object({ kind: z.literal('rota'), anchor: date, on: z.number().int().min(1), off: z.number().int().min(0), slots: z.array(slot) }).strict(),
]);

const datasetSchema = z
  .object({
    companies: z
      .array(
        z.object({
          id: z.number().int().positive(),
          title: z.string(),
          timezone: z.string().refine(isTimezone, 'an IANA timezone such as "Europe/Moscow"'),
          staff: z.array(z.looseObject({ id: numberLike, name: z.string() })),
          services: z.array(z.looseObject({ id: numberLike, title: z.string() })),
          patterns: z.record(z.string(), pattern).default({}),
          overrides: z.record(z.string().regex(/^\d+:\d{4}-\d{2}-\d{2}$/, '"<staffId>:<YYYY-MM-DD>"'), z.array(slot)).default({}),
        }),
      )
      .min(1),
  })
  .strict();

/** Parse a data set from JSON text; `source` names the file in errors. */
export function parseDataset(text: string, source: string): YclientsDataset {
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch (error) {
    throw new RangeError(`${source} is not JSON: ${error instanceof Error ? error.message : String(error)}`);
  }
  const parsed = datasetSchema.safeParse(json);
  if (!parsed.success) {
    const problems = parsed.error.issues.slice(0, 5).map((issue) => `${issue.path.join('.') || '(file)'}: ${issue.message}`);
    throw new RangeError(`${source} is not a YClients data set: ${problems.join('; ')}`);
  }
  // Staff and services are served as written: the fixture is in YClients' own shapes.
  return parsed.data as unknown as YclientsDataset;
}

export function loadDatasetFile(path: string): YclientsDataset {
  let text: string;
  try {
    text = readFileSync(path, 'utf8');
  } catch (error) {
    throw new RangeError(`cannot read fixture ${path}: ${error instanceof Error ? error.message : String(error)}`);
  }
  return parseDataset(text, path);
}
