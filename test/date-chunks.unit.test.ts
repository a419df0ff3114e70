import { test } from 'node:test';
import assert from 'node:assert/strict';
import { dateChunks } from '../src/connectors/connecteam/date-chunks.ts';
import { daysBetween } from '../src/time/business-day.ts';

test('a long range is split into inclusive chunks of at most 92 days, without gaps or overlaps', () => {
  const chunks = dateChunks('2025-01-01', '2025-12-31', 92);
  assert.deepEqual(chunks, [
    { from: '2025-01-01', to: '2025-04-02' },
    { from: '2025-04-03', to: '2025-07-03' },
    { from: '2025-07-04', to: '2025-10-03' },
    { from: '2025-10-04', to: '2025-12-31' },
  ]);
  for (const chunk of chunks) assert.ok(daysBetween(chunk.from, chunk.to) + 1 <= 92);
  assert.deepEqual(dateChunks('2026-11-10', '2026-11-10', 92), [{ from: '2026-11-10', to: '2026-11-10' }]);
  assert.deepEqual(dateChunks('2026-01-01', '2026-04-02', 92), [{ from: '2026-01-01', to: '2026-04-02' }], 'exactly 92 days is one chunk');
  assert.throws(() => dateChunks('2026-01-01', '2026-01-02', 0), /at least 1/);
});
