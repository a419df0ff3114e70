/** Two processes on one embedded PGlite directory: the second is refused, not silently diverged. */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { openPostgres } from '../src/db/open.ts';
import { runCli, writeConfig } from './helpers/cli.ts';

test('a second process cannot open a PGlite directory in use; it can once the first closes', async () => {
  const dir = join(mkdtempSync(join(tmpdir(), 'tidemark-lock-')), 'control');
  const config = writeConfig({
    controlPlane: { url: `pglite:${dir}` },
    tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
    destinations: [{ id: 'w', url: 'pglite:memory' }],
  });
  const holder = await openPostgres(`pglite:${dir}`);
  try {
    const refused = await runCli(['migrate', '--config', config]);
    assert.equal(refused.code, 1);
    assert.match(refused.stderr, /is in use by another Tidemark process \([^)]+:\d+\)/);
    assert.match(refused.stderr, /DATABASE_URL/);
  } finally {
    await holder.close();
  }
  const allowed = await runCli(['migrate', '--config', config]);
  assert.equal(allowed.code, 0, allowed.stderr);
  assert.match(allowed.stdout, /ledger on pglite:.*version \d+/);
});
