/** The site side of the offline replica (issue 7, point 1): mutate() and its outbox, on real SQLite files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { freshSitePath, openAuditSite } from './helpers/replica-site.ts';

const count = (site: { db: DatabaseSync }, table: string) => (site.db.prepare(`SELECT count(*) AS n FROM ${table}`).get() as { n: number }).n;

test('mutate() writes the row and its outbox entry together, with sequential ids and the site business date', async () => {
  // 02:30 UTC on Nov 26 is still Nov 25 in New York: the business date is the site's.
  const site = openAuditSite(freshSitePath(), { now: () => new Date('2026-11-26T02:30:00Z') });
  try {
    assert.equal(await site.mutate('createTask', { id: 't1', title: 'pump' }), 1);
    assert.equal(await site.mutate('completeTask', { id: 't1' }), 2);
    const outbox = site.pending();
    assert.deepEqual(
      outbox.map((o) => [o.mutationId, o.name, o.args.id, o.businessDate, o.createdAt]),
      [
        [1, 'createTask', 't1', '2026-11-25', '2026-11-26T02:30:00.000Z'],
        [2, 'completeTask', 't1', '2026-11-25', '2026-11-26T02:30:00.000Z'],
      ],
    );
    // The mutator's view: the instant in UTC, the business date of the site, the site as author.
    assert.deepEqual(site.get('audit_tasks', { id: 't1' }), {
      id: 't1', site: null, title: 'pump', due_date: '2026-11-25', note: null, done_at: '2026-11-26T02:30:00.000Z', done_by: 'site-a', done_on: '2026-11-25',
    });
  } finally {
    site.close();
  }
});

test('a write that bypasses mutate() is refused by the database, from any connection', async () => {
  const path = freshSitePath();
  const site = openAuditSite(path);
  try {
    assert.throws(() => site.db.prepare(`INSERT INTO audit_tasks (id, title) VALUES ('sneaky', 'x')`).run(), /outside mutate\(\)/);
    await site.mutate('createTask', { id: 't1', title: 'pump' });
    const other = new DatabaseSync(path);
    try {
      assert.throws(() => other.prepare(`UPDATE audit_tasks SET note = 'edited'`).run(), /outside mutate\(\)/);
      assert.throws(() => other.prepare(`DELETE FROM audit_tasks`).run(), /outside mutate\(\)/);
      assert.throws(() => other.prepare(`INSERT INTO readings (id, task_id) VALUES ('r', 't1')`).run(), /outside mutate\(\)/);
    } finally {
      other.close();
    }
    assert.equal(site.pending().length, 1, 'only the mutation reached the outbox');
  } finally {
    site.close();
  }
});

test('a mutator that throws leaves neither its writes nor an outbox entry, and does not use up an id', async () => {
  const site = openAuditSite(freshSitePath());
  try {
    await assert.rejects(site.mutate('failing', { id: 'bad' }), /the mutator refused/);
    await assert.rejects(site.mutate('nope', {}), /no mutator "nope"/);
    await assert.rejects(site.mutate('createTask', { id: 't1', title: 'x', note: 'no such arg is fine' }).then(() => site.mutate('createTask', { id: 't1', title: 'again' })), /task t1 exists/);
    await assert.rejects(site.mutate('recordReading', { id: 'r1', taskId: 't1', value: 'high' }), /numeric value/);
    assert.equal(count(site, 'audit_tasks'), 1);
    assert.equal(await site.mutate('editNote', { id: 't1', note: 'ok' }), 2, 'ids 1 and 2: the refused mutations used none');
  } finally {
    site.close();
  }
});

test('a value of the wrong type or a naive local time is refused before it reaches the outbox', async () => {
  const site = openAuditSite(freshSitePath());
  try {
    await site.mutate('createTask', { id: 't1', title: 'pump', dueDate: '2026-11-25' });
    await assert.rejects(site.mutate('createTask', { id: 't2', title: 'valve', dueDate: '25/11/2026' }), /audit_tasks\.due_date: expected a date YYYY-MM-DD/);
    assert.equal(site.pending().length, 1);
  } finally {
    site.close();
  }
});

test('SIGKILL of the site process during local writes leaves outbox and data consistent', async () => {
  const path = freshSitePath();
  const writer = fileURLToPath(new URL('./helpers/replica-site-writer.ts', import.meta.url));
  for (let round = 0; round < 3; round++) {
    const child = spawn(process.execPath, [writer, path], { stdio: ['ignore', 'pipe', 'pipe'] });
    let stderr = '';
    child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    const closed = new Promise<number | null>((resolve) => child.once('close', (code) => resolve(code)));
    await new Promise<void>((resolve) => child.stdout!.once('data', () => resolve()));
    await new Promise((r) => setTimeout(r, 150 + round * 100));
    assert.equal(child.exitCode, null, `the writer was still writing when killed: ${stderr}`);
    child.kill('SIGKILL');
    await closed;
  }
  const site = openAuditSite(path);
  try {
    const rows = count(site, 'audit_tasks');
    const outbox = site.pending(1_000_000);
    assert.ok(rows > 0, 'the writers wrote before they were killed');
    assert.equal(outbox.length, rows, 'one outbox entry per row: no write without its mutation, no mutation without its write');
    assert.deepEqual(outbox.map((o) => o.mutationId), Array.from({ length: rows }, (_, i) => i + 1), 'ids are sequential with no gap');
    assert.equal(await site.mutate('createTask', { id: 'after', title: 'after' }), rows + 1, 'the next id follows on');
    assert.throws(() => site.db.prepare(`INSERT INTO audit_tasks (id, title) VALUES ('sneaky', 'x')`).run(), /outside mutate\(\)/, 'the gate is closed after a crash');
  } finally {
    site.close();
  }
});
