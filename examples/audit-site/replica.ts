/**
 * The example application of docs/replica.md: maintenance audits at offline sites. Both the site
 * (SQLite) and the server (Postgres) import this one module, so a mutation means the same on both.
 */
import { defineReplica, MutationRejected } from 'tidemark/replica';

export default defineReplica({
  schemaVersion: 1,
  tables: {
    audit_tasks: {
      columns: { id: 'text', site: 'text', title: 'text', due_date: 'date', note: 'text', done_at: 'instant', done_by: 'text', done_on: 'date' },
      key: ['id'],
    },
    readings: {
      columns: { id: 'text', task_id: 'text', value: 'real', unit: 'text', taken_at: 'instant', business_date: 'date' },
      key: ['id'],
    },
  },
  mutators: {
    /** A new task; ids are made on the site (UUIDs), so two sites never collide. */
    async createTask(tx, args) {
      if (typeof args.id !== 'string' || typeof args.title !== 'string') throw new MutationRejected('createTask needs id and title');
      if (await tx.get('audit_tasks', { id: args.id })) throw new MutationRejected(`task ${args.id} exists`);
      await tx.put('audit_tasks', { id: args.id, site: args.site ?? null, title: args.title, due_date: args.dueDate ?? tx.businessDate, note: null, done_at: null, done_by: null, done_on: null });
    },
    /** Last writer in the server's order wins: a plain edit. */
    async editNote(tx, args) {
      const task = await tx.get('audit_tasks', { id: String(args.id) });
      if (!task) throw new MutationRejected(`no task ${String(args.id)}`);
      await tx.put('audit_tasks', { ...task, note: typeof args.note === 'string' ? args.note : null });
    },
    /** Closing a task: refused when it is gone or already closed (the first close in server order wins). */
    async completeTask(tx, args) {
      const task = await tx.get('audit_tasks', { id: String(args.id) });
      if (!task) throw new MutationRejected(`no task ${String(args.id)} (deleted?)`);
      if (task.done_at !== null) throw new MutationRejected(`task ${String(args.id)} was already completed by ${String(task.done_by)}`);
      // The business date travels with the mutation: fixed where and when the work was done.
      await tx.put('audit_tasks', { ...task, done_at: tx.createdAt, done_by: tx.clientId, done_on: tx.businessDate });
    },
    async deleteTask(tx, args) {
      await tx.delete('audit_tasks', { id: String(args.id) });
      for (const reading of await tx.list('readings', { task_id: String(args.id) })) await tx.delete('readings', reading);
    },
    async recordReading(tx, args) {
      if (typeof args.value !== 'number') throw new MutationRejected('recordReading needs a numeric value');
      await tx.put('readings', { id: String(args.id), task_id: String(args.taskId), value: args.value, unit: args.unit ?? null, taken_at: tx.createdAt, business_date: tx.businessDate });
    },
  },
});
