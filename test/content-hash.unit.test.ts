import { test } from 'node:test';
import assert from 'node:assert/strict';
import { contentHash } from '../src/engine/content-hash.ts';

test('equal content gives equal hashes; any changed value changes the hash', () => {
  const base = { shift_id: 'a', start_at: new Date('2026-11-10T14:00:00Z'), end_at: null, raw: { id: 'a', note: 'x' } };
  assert.equal(contentHash(base), contentHash({ ...base, start_at: new Date('2026-11-10T14:00:00.000Z') }));
  assert.notEqual(contentHash(base), contentHash({ ...base, start_at: new Date('2026-11-10T14:00:01Z') }));
  assert.notEqual(contentHash(base), contentHash({ ...base, end_at: new Date('2026-11-10T18:00:00Z') }));
  assert.notEqual(contentHash(base), contentHash({ ...base, raw: { id: 'a', note: 'y' } }));
  assert.match(contentHash(base), /^[0-9a-f]{40}$/);
});
