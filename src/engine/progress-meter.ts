/**
 * Progress and ETA of a run. Work is measured in the stream's units (e.g. requests) when it
 * reports them; the ETA is the time so far scaled by the fraction left.
 */
import type { RunProgress } from '../ledger/types.ts';

export class ProgressMeter {
  private readonly startedAt: number;
  private readonly now: () => number;
  private fraction: number | null = null;
  records = 0;

  constructor(now: () => number = Date.now) {
    this.now = now;
    this.startedAt = now();
  }

  /** Units done out of total, as reported by the stream after a page. */
  units(done: number, total: number): void {
    if (total > 0) this.fraction = Math.min(1, Math.max(0, done / total));
  }

  complete(): void {
    this.fraction = 1;
  }

  snapshot(): RunProgress {
    const elapsed = (this.now() - this.startedAt) / 1000;
    const fraction = this.fraction;
    const eta = fraction !== null && fraction > 0 ? Math.max(0, (elapsed / fraction) * (1 - fraction)) : null;
    return {
      records: this.records,
      percent: fraction === null ? null : Math.round(fraction * 1000) / 10,
      etaSeconds: eta === null ? null : Math.round(eta * 10) / 10,
    };
  }
}
