import { test } from 'node:test';
import assert from 'node:assert/strict';
import { startOf } from '../src/connectors/connecteam/shifts-stream.ts';

const chunks = [{ from: '2026-01-01' }, { from: '2026-04-03' }, { from: '2026-07-04' }];

test('a resume position names the time clock by id, so a changed clock list cannot skip a clock', () => {
  const position = { clockId: 7702, chunkFrom: '2026-04-03' };
  assert.deepEqual(startOf(position, [{ id: 7701 }, { id: 7702 }, { id: 7703 }], chunks), { clock: 1, chunk: 1 });
  // Clock 7701 was removed upstream before the resume: 7702 is now first, and is still re-read.
  assert.deepEqual(startOf(position, [{ id: 7702 }, { id: 7703 }], chunks), { clock: 0, chunk: 1 });
  // The clock itself is gone, or the chunks differ: start over (merged keys are skipped, nothing lost).
  assert.deepEqual(startOf(position, [{ id: 7701 }, { id: 7703 }], chunks), { clock: 0, chunk: 0 });
  assert.deepEqual(startOf({ clockId: 7702, chunkFrom: '2026-02-01' }, [{ id: 7702 }], chunks), { clock: 0, chunk: 0 });
  assert.deepEqual(startOf(null, [{ id: 7702 }], chunks), { clock: 0, chunk: 0 });
  assert.deepEqual(startOf({ clock: 1, chunk: 1 }, [{ id: 7702 }], chunks), { clock: 0, chunk: 0 }, 'an old index-based position is not trusted');
});
