/**
 * A one-line progress bar with ETA on a terminal (stderr), redrawn in place at most 10 times a
 * second. Not a dependency: the engine already computes percent and ETA; this only draws them.
 */
import type { Writable } from 'node:stream';
import type { RunProgressEvent } from '../engine/run-sync.ts';

export function formatDuration(seconds: number): string {
  if (seconds < 60) return `${Math.ceil(seconds)}s`;
  const m = Math.floor(seconds / 60);
  if (m < 60) return `${m}m${String(Math.round(seconds % 60)).padStart(2, '0')}s`;
  return `${Math.floor(m / 60)}h${String(m % 60).padStart(2, '0')}m`;
}

export function progressText(label: string, event: RunProgressEvent, width = 24): string {
  const { percent, etaSeconds } = event.progress;
  const c = event.counts;
  const bar =
    percent === null
      ? '·'.repeat(width)
      : '█'.repeat(Math.round((percent / 100) * width)).padEnd(width, '░');
  const pct = percent === null ? '  ?%' : `${String(Math.floor(percent)).padStart(3)}%`;
  const eta = etaSeconds === null ? '' : ` ETA ${formatDuration(etaSeconds)}`;
  return `${label} ${bar} ${pct} ${c.fetched} records (+${c.created} ~${c.updated} =${c.unchanged} ✗${c.dead})${eta}`;
}

export class ProgressLine {
  private readonly out: Writable;
  private readonly label: string;
  private last = 0;
  private drawn = false;

  constructor(out: Writable, label: string) {
    this.out = out;
    this.label = label;
  }

  update(event: RunProgressEvent): void {
    const now = Date.now();
    if (now - this.last < 100 && event.progress.percent !== 100) return;
    this.last = now;
    this.out.write(`\r\x1b[2K${progressText(this.label, event)}`);
    this.drawn = true;
  }

  done(): void {
    if (this.drawn) this.out.write('\r\x1b[2K');
  }
}
