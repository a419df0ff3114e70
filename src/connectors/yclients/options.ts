/**
 * A YClients connection's `options`: which company (branch, "location" in Altegio) it reads.
 * Checked when the configuration loads; problems are reported as `connections[i].options.companyId`.
 */
import { z } from 'zod';

export const yclientsOptionsSchema = z.looseObject({
  companyId: z
    .union([z.number().int().positive(), z.string().trim().regex(/^\d{1,19}$/)], {
      error: 'the YClients company (branch) id, a whole number such as 123456 or "123456"',
    })
    .transform((value) => BigInt(value).toString()),
});

export type YclientsOptions = z.output<typeof yclientsOptionsSchema>;
