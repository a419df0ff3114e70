/** The site side of the offline replica (issue 7, point 1): mutate() and its outbox, on real SQLite files. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawn } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { DatabaseSync } from 'node:sqlite';
import { openAuditSite } from './helpers/replica-site.ts';

const freshPath = () => join(mkdtempSync(join(tmpdir(), 'tidemark-site-')), 'site.db');

test('mutate() writes the row and its outbox entry together, with sequential ids and the site business date', () => {
  // 02:30 UTC on Nov 26 is still Nov 25 in New York: the business date is the site's.
  const site = openAuditSite(freshPath(), () => new Date('2026-11-26T02:30:00Z'));
  try {
    assert.equal(site.mutate('completeTask', { taskId: 't1', note: 'pump checked' }), 1);
    assert.equal(site.mutate('completeTask', { taskId: 't2', note: 'valve checked' }), 2);
    const outbox = site.pending();
    assert.deepEqual(
      outbox.map((o) => [o.mutationId, o.name, o.args.taskId, o.businessDate, o.createdAt]),
      [
        [1, 'completeTask', 't1', '2026-11-25', '2026-11-26T02:30:00.000Z'],
        [2, 'completeTask', 't2', '2026-11-25', '2026-11-26T02:30:00.000Z'],
      ],
    );
    assert.equal((site.db.prepare('SELECT count(*) AS n FROM audit_tasks').get() as { n: number }).n, 2);
  } finally {
    site.close();
  }
});

test('a write that bypasses mutate() is refused by the database, from any connection', () => {
  const path = freshPath();
  const site = openAuditSite(path);
  try {
    assert.throws(() => site.db.prepare(`INSERT INTO audit_tasks (id, note) VALUES ('sneaky', 'x')`).run(), /outside mutate\(\)/);
    site.mutate('completeTask', { taskId: 't1' });
    const other = new DatabaseSync(path);
    try {
      assert.throws(() => other.prepare(`UPDATE audit_tasks SET note = 'edited'`).run(), /outside mutate\(\)/);
      assert.throws(() => other.prepare(`DELETE FROM audit_tasks`).run(), /outside mutate\(\)/);
    } finally {
      other.close();
    }
    assert.equal(site.pending().length, 1, 'only the mutation reached the outbox');
  } finally {
    site.close();
  }
});

test('a mutator that throws leaves neither its writes nor an outbox entry, and does not use up an id', () => {
  const site = openAuditSite(freshPath());
  try {
    assert.throws(() => site.mutate('failing', { taskId: 'bad' }), /the mutator refused/);
    assert.throws(() => site.mutate('nope', {}), /no mutator "nope"/);
    assert.equal((site.db.prepare('SELECT count(*) AS n FROM audit_tasks').get() as { n: number }).n, 0);
    assert.equal(site.mutate('completeTask', { taskId: 'ok' }), 1);
  } finally {
    site.close();
  }
});

test('SIGKILL of the site process during local writes leaves outbox and data consistent', async () => {
  const path = freshPath();
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
    const rows = (site.db.prepare('SELECT count(*) AS n FROM audit_tasks').get() as { n: number }).n;
    const outbox = site.pending(1_000_000);
    assert.ok(rows > 0, 'the writers wrote before they were killed');
    assert.equal(outbox.length, rows, 'one outbox entry per row: no write without its mutation, no mutation without its write');
    assert.deepEqual(outbox.map((o) => o.mutationId), Array.from({ length: rows }, (_, i) => i + 1), 'ids are sequential with no gap');
    assert.equal(site.mutate('completeTask', { taskId: 'after' }), rows + 1, 'the next id follows on');
    assert.throws(() => site.db.prepare(`INSERT INTO audit_tasks (id, note) VALUES ('sneaky', 'x')`).run(), /outside mutate\(\)/, 'the gate is closed after a crash');
  } finally {
    site.close();
  }
});
