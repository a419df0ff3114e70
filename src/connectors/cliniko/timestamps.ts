/**
 * The lifecycle instants every Cliniko record carries, and their columns. Cliniko's own
 * `deleted_at` is stored as `upstream_deleted_at`: `deleted_at` is Tidemark's bookkeeping column
 * (set when a snapshot no longer sees the record at all).
 *
 * A live record must have `created_at` and `updated_at`. A deleted one may come back reduced to
 * `{id, deleted_at, links}` (as the legacy `/deleted` lists did): it is kept, with what it has.
 */
import type { z } from 'zod';
import type { ColumnSpec } from '../../destinations/table-spec.ts';
import { optionalInstant } from './values.ts';

export const TIMESTAMP_COLUMNS: readonly ColumnSpec[] = [
  { name: 'is_archived', type: 'boolean', nullable: false },
  { name: 'archived_at', type: 'instant', nullable: true },
  { name: 'is_deleted', type: 'boolean', nullable: false, description: 'deleted in Cliniko' },
  { name: 'upstream_deleted_at', type: 'instant', nullable: true, description: "Cliniko's deleted_at" },
  { name: 'upstream_created_at', type: 'instant', nullable: true },
  { name: 'upstream_updated_at', type: 'instant', nullable: true, description: 'the incremental cursor' },
];

/** Spread into a record's schema shape. */
export const TIMESTAMP_SHAPE = {
  created_at: optionalInstant,
  updated_at: optionalInstant,
  archived_at: optionalInstant,
  deleted_at: optionalInstant,
};

export interface RecordTimestamps {
  readonly created_at: Date | null;
  readonly updated_at: Date | null;
  readonly archived_at: Date | null;
  readonly deleted_at: Date | null;
}

/** For `.superRefine`: a record that is not deleted must say when it was created and updated. */
export function requireLiveTimestamps(record: RecordTimestamps, ctx: z.RefinementCtx): void {
  if (record.deleted_at !== null) return;
  for (const name of ['created_at', 'updated_at'] as const) {
    if (record[name] === null) ctx.addIssue({ code: 'custom', path: [name], message: 'required on a record that is not deleted' });
  }
}

export function timestampValues(record: RecordTimestamps) {
  return {
    is_archived: record.archived_at !== null,
    archived_at: record.archived_at,
    is_deleted: record.deleted_at !== null,
    upstream_deleted_at: record.deleted_at,
    upstream_created_at: record.created_at,
    upstream_updated_at: record.updated_at,
  };
}
