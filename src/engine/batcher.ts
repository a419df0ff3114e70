/**
 * Collects normalized records into batches of at most B with unique keys: a key seen twice in one
 * batch closes the batch first, because one upsert statement cannot touch a row twice.
 */
import type { MergeRow } from '../destinations/destination.ts';

export class Batcher {
  private readonly size: number;
  private rows: MergeRow[] = [];
  private keys = new Set<string>();

  constructor(size: number) {
    this.size = size;
  }

  /** Add a row; returns a full batch to merge when one is ready. */
  add(row: MergeRow): MergeRow[] | null {
    let ready: MergeRow[] | null = null;
    if (this.keys.has(row.key)) ready = this.take();
    this.rows.push(row);
    this.keys.add(row.key);
    if (ready === null && this.rows.length >= this.size) ready = this.take();
    return ready;
  }

  take(): MergeRow[] {
    const rows = this.rows;
    this.rows = [];
    this.keys = new Set();
    return rows;
  }

  get pending(): number {
    return this.rows.length;
  }
}
