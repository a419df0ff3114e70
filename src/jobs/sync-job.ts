/** What a job of the sync queue carries: which sync, why, and which window (by name or dates). */
import { z } from 'zod';
import { addDays, assertIsoDate, todayIn } from '../time/business-day.ts';

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

/** How a trigger names the days to re-read: one of a named window, today, or [from, to). */
export interface WindowChoice {
  readonly window?: string | undefined;
  readonly today?: boolean | undefined;
  readonly from?: string | undefined;
  readonly to?: string | undefined;
}

/**
 * The window part of a triggered job (CLI and API alike). Throws a plain Error saying what is wrong
 * (the caller turns it into a usage error or a 400): more than one choice, a window on a sync that
 * takes none, an unknown named window, half a range, an empty range.
 */
export function windowOfTrigger(
  choice: WindowChoice,
  sync: { readonly id: string; readonly mode: string; readonly timezone: string },
  namedWindow: (name: string) => unknown,
): Pick<SyncJobData, 'window' | 'from' | 'to'> {
  const ranged = choice.from !== undefined || choice.to !== undefined;
  const chosen = [choice.window !== undefined, choice.today === true, ranged].filter(Boolean).length;
  if (chosen > 1) throw new Error('use one of window, today or from/to');
  if (chosen === 0) return {};
  if (sync.mode !== 'window') throw new Error(`sync "${sync.id}" runs in ${sync.mode} mode and takes no window`);
  if (choice.window !== undefined) {
    namedWindow(choice.window); // throws naming the known windows
    return { window: choice.window };
  }
  if (choice.today) {
    const from = todayIn(sync.timezone);
    return { from, to: addDays(from, 1) };
  }
  if (!choice.from || !choice.to) throw new Error('from and to go together, e.g. from 2026-11-02 to 2026-11-09');
  assertIsoDate(choice.from, 'from');
  assertIsoDate(choice.to, 'to');
  if (choice.to <= choice.from) throw new Error(`to ${choice.to} must be after from ${choice.from} ("to" is exclusive)`);
  return { from: choice.from, to: choice.to };
}
