/**
 * A hashed minute in a schedule's cron: `H` (any minute of the hour) or `H(a-b)` (a minute from a
 * to b) in the minute field stands for one fixed minute chosen from the schedule's own key. Many
 * syncs scheduled "hourly" then fire spread over the hour instead of all at :00, so neither the
 * workers nor the upstream APIs take the whole hour's work in one second. `"H * * * *"` stays
 * hourly; the minute is stable for the schedule (same key, same minute) on every machine.
 */
import { createHash } from 'node:crypto';

const HASHED = /^H(?:\((\d{1,2})-(\d{1,2})\))?$/;

/** True when the minute field is `H` or `H(a-b)`. */
export function isHashedCron(cron: string): boolean {
  return HASHED.test(cron.trim().split(/\s+/)[0] ?? '');
}

/**
 * The cron with its hashed minute resolved for `key` (`<sync>/<schedule>`); other expressions are
 * returned normalized (single spaces). Throws on a malformed `H(a-b)`.
 */
export function resolveCron(cron: string, key: string): string {
  const fields = cron.trim().split(/\s+/);
  const match = HASHED.exec(fields[0] ?? '');
  if (!match) return fields.join(' ');
  const from = match[1] === undefined ? 0 : Number(match[1]);
  const to = match[2] === undefined ? 59 : Number(match[2]);
  if (from > to || to > 59) throw new Error(`"${fields[0]}": H(a-b) needs 0 ≤ a ≤ b ≤ 59`);
  const hash = createHash('sha1').update(key, 'utf8').digest().readUInt32BE(0);
  return [String(from + (hash % (to - from + 1))), ...fields.slice(1)].join(' ');
}
