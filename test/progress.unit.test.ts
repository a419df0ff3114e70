import { test } from 'node:test';
import assert from 'node:assert/strict';
import { ProgressMeter } from '../src/engine/progress-meter.ts';
import { formatDuration, progressText } from '../src/cli/progress-line.ts';

test('progress: percent from units done, ETA from the rate so far', () => {
  let now = 1_000_000;
  const meter = new ProgressMeter(() => now);
  assert.deepEqual(meter.snapshot(), { records: 0, percent: null, etaSeconds: null }, 'unknown before the first page');
  meter.records = 250;
  meter.units(1, 4);
  now += 30_000; // a quarter took 30 s: three quarters left take 90 s
  assert.deepEqual(meter.snapshot(), { records: 250, percent: 25, etaSeconds: 90 });
  meter.units(3, 4);
  now += 30_000;
  assert.deepEqual(meter.snapshot(), { records: 250, percent: 75, etaSeconds: 20 });
  meter.complete();
  assert.deepEqual(meter.snapshot(), { records: 250, percent: 100, etaSeconds: 0 });
});

test('the progress line shows bar, percent, counts and ETA', () => {
  const text = progressText('acme-shifts', {
    runId: '7',
    counts: { fetched: 500, created: 480, updated: 10, unchanged: 9, deleted: 0, dead: 1 },
    progress: { records: 500, percent: 75, etaSeconds: 120 },
  }, 8);
  assert.equal(text, 'acme-shifts ██████░░  75% 500 records (+480 ~10 =9 ✗1) ETA 2m00s');
  assert.equal(formatDuration(3725), '1h02m');
  assert.equal(formatDuration(4.2), '5s');
});
