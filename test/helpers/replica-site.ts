/** A small audit-task site schema for the replica tests. */
import { SiteReplica } from '../../src/replica/site/site-replica.ts';

export function openAuditSite(path: string, now?: () => Date): SiteReplica {
  return new SiteReplica({
    path,
    clientId: 'site-a',
    timezone: 'America/New_York',
    ...(now ? { now } : {}),
    tables: {
      audit_tasks: 'CREATE TABLE IF NOT EXISTS audit_tasks (id TEXT PRIMARY KEY, note TEXT NOT NULL, done_at TEXT)',
    },
    mutators: {
      completeTask(db, args) {
        db.prepare('INSERT INTO audit_tasks (id, note, done_at) VALUES (?, ?, ?)').run(String(args.taskId), String(args.note ?? ''), new Date().toISOString());
        // Hold the transaction open for a moment, so a kill lands inside it often.
        const until = Date.now() + Number(args.spinMs ?? 0);
        while (Date.now() < until) {
          /* busy */
        }
      },
      failing(db, args) {
        db.prepare('INSERT INTO audit_tasks (id, note) VALUES (?, ?)').run(String(args.taskId), 'never kept');
        throw new Error('the mutator refused');
      },
    },
  });
}
