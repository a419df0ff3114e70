/**
 * The replica protocol on the wire (docs/replica.md "Protocol"), one zod schema per message so
 * the server checks what it receives and the site checks what it is answered. Version 1.
 */
import { z } from 'zod';

export const PROTOCOL_VERSION = 1;
/** At most this many mutations in one push, and changes in one pull page (each side may ask for fewer). */
export const MAX_BATCH = 1000;

const jsonValue: z.ZodType<unknown> = z.unknown();
const isoDate = z.string().regex(/^\d{4}-\d{2}-\d{2}$/, 'a date YYYY-MM-DD');
const clientId = z.string().regex(/^[A-Za-z0-9][A-Za-z0-9_.-]{0,63}$/, 'a client id: 1–64 letters, digits, _ . -');

export const mutationSchema = z
  .object({
    id: z.number().int().min(1),
    name: z.string().min(1).max(64),
    args: z.record(z.string(), jsonValue),
    /** The site's clock when it wrote (kept for the record; never used for ordering). */
    createdAt: z.iso.datetime({ offset: true }),
    /** The business date the site computed at write time, in the site's zone. */
    businessDate: isoDate,
  })
  .strict();

export const pushRequestSchema = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    schemaVersion: z.number().int().min(1),
    clientId,
    mutations: z.array(mutationSchema).max(MAX_BATCH),
  })
  .strict();

/** Every answer carries the server's clock, the site's zone and today's business date there. */
const serverClock = {
  serverTime: z.string(),
  timezone: z.string(),
  businessDate: isoDate,
};

export const mutationResultSchema = z.object({
  id: z.number().int(),
  status: z.enum(['applied', 'rejected', 'skipped']),
  error: z.string().optional(),
});

export const pushResponseSchema = z.object({
  lastMutationId: z.number().int().min(0),
  results: z.array(mutationResultSchema),
  ...serverClock,
});

/** 409 answers: the site must act before pushing on (docs/replica.md). */
export const conflictSchema = z.object({
  error: z.enum(['out_of_order', 'client_state_mismatch', 'schema_mismatch']),
  message: z.string(),
  lastMutationId: z.number().int().min(0).optional(),
  schemaVersion: z.number().int().optional(),
});

const rowRef = z.object({ table: z.string(), key: z.record(z.string(), jsonValue) });

export const pullRequestSchema = z
  .object({
    protocol: z.literal(PROTOCOL_VERSION),
    schemaVersion: z.number().int().min(1),
    clientId,
    /** Null for everything; otherwise the cookie of the last page applied. */
    cookie: z.string().max(512).nullable(),
    limit: z.number().int().min(1).max(MAX_BATCH).optional(),
    /** Rows to answer as they are now (rows a rejected mutation touched on the site). */
    refetch: z.array(rowRef).max(MAX_BATCH).optional(),
  })
  .strict();

export const changeSchema = z.discriminatedUnion('op', [
  z.object({ op: z.literal('put'), table: z.string(), row: z.record(z.string(), jsonValue) }),
  z.object({ op: z.literal('delete'), table: z.string(), key: z.record(z.string(), jsonValue) }),
]);

export const pullResponseSchema = z.object({
  cookie: z.string().nullable(),
  /** The client's last mutation id, read in the same snapshot as the changes. */
  lastMutationId: z.number().int().min(0),
  /** True: the site must empty its replicated tables and apply this page as the start of everything. */
  reset: z.boolean(),
  hasMore: z.boolean(),
  changes: z.array(changeSchema),
  refetched: z.array(changeSchema),
  ...serverClock,
});

export type Mutation = z.infer<typeof mutationSchema>;
export type PushRequest = z.infer<typeof pushRequestSchema>;
export type PushResponse = z.infer<typeof pushResponseSchema>;
export type MutationResult = z.infer<typeof mutationResultSchema>;
export type Conflict = z.infer<typeof conflictSchema>;
export type PullRequest = z.infer<typeof pullRequestSchema>;
export type PullResponse = z.infer<typeof pullResponseSchema>;
export type Change = z.infer<typeof changeSchema>;
