/**
 * Take over the previous run's work in one statement: when the sync's run before `$1` is
 * resumable, it stops being so; when its plan (mode and window) equals the new run's, the new run
 * gets its checkpoint, counts, cursor and seen keys. Parameters: $1 new run id, $2 sync id,
 * $3 mode, $4 window_from, $5 window_to.
 */
export function resumeRunSql(schema: string, runColumns: string): string {
  const returning = runColumns
    .split(',')
    .map((column) => `r.${column.trim()}`)
    .join(', ');
  return `WITH prev AS (
  SELECT id FROM ${schema}.runs WHERE sync_id = $2 AND id < $1 ORDER BY id DESC LIMIT 1
), old AS (
  UPDATE ${schema}.runs o SET resumable = false FROM prev WHERE o.id = prev.id AND o.resumable RETURNING o.*
), usable AS (
  SELECT * FROM old WHERE mode = $3 AND window_from IS NOT DISTINCT FROM $4::date AND window_to IS NOT DISTINCT FROM $5::date
), moved AS (
  UPDATE ${schema}.run_seen_keys k SET run_id = $1 FROM usable WHERE k.run_id = usable.id
)
UPDATE ${schema}.runs r SET checkpoint = u.checkpoint, fetched = u.fetched, created = u.created, updated = u.updated,
  unchanged = u.unchanged, deleted = u.deleted, dead = u.dead, since = u.since,
  read_started_at = COALESCE(u.read_started_at, u.started_at), resumed_from = u.id, resumed_count = u.resumed_count + 1
FROM usable u WHERE r.id = $1
RETURNING ${returning}`;
}
