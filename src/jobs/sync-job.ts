/** What a job of the sync queue carries: which sync, why, and which window (by name or dates). */
import { z } from 'zod';

export const syncJobData = z
  .object({
    syncId: z.string().min(1),
    /** "schedule:<name>", "manual", "replay", "resume". */
    trigger: z.string().min(1),
    /** A named window of the sync, evaluated when the job was created, in the tenant's zone. */
    window: z.string().optional(),
    /** Explicit business days [from, to) (manual triggers, and a stopped run's follow-up). */
    from: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
    to: z.string().regex(/^\d{4}-\d{2}-\d{2}$/).optional(),
  })
  .strict();

export type SyncJobData = z.infer<typeof syncJobData>;
