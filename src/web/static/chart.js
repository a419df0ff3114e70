// Run history as an inline SVG: one bar per run for its duration (left axis), a line with a dot per
// run for the records it fetched (right axis); oldest on the left. Text goes in as text nodes.
import { formatDuration, formatNumber, s } from './dom.js';

const WIDTH = 720;
const HEIGHT = 232;
const PAD = { top: 28, right: 64, bottom: 34, left: 64 };

/** A "nice" axis maximum at or above `value`: 1, 2, 5 × 10^n. */
function niceMax(value) {
  if (!(value > 0)) return 1;
  const power = 10 ** Math.floor(Math.log10(value));
  for (const step of [1, 2, 5, 10]) if (value <= step * power) return step * power;
  return 10 * power;
}

/** `runs` newest first, as the API lists them. */
export function runChart(runs) {
  const data = [...runs].reverse();
  const innerW = WIDTH - PAD.left - PAD.right;
  const innerH = HEIGHT - PAD.top - PAD.bottom;
  const maxMs = niceMax(Math.max(0, ...data.map((r) => r.durationMs ?? 0)));
  const maxRecords = niceMax(Math.max(0, ...data.map((r) => r.counts?.fetched ?? 0)));
  const slot = innerW / Math.max(1, data.length);
  const barW = Math.max(2, Math.min(36, slot * 0.6));
  const x = (i) => PAD.left + slot * i + slot / 2;
  const yMs = (ms) => PAD.top + innerH - (innerH * ms) / maxMs;
  const yRec = (n) => PAD.top + innerH - (innerH * n) / maxRecords;

  const svg = s('svg', {
    class: 'run-chart',
    viewBox: `0 0 ${WIDTH} ${HEIGHT}`,
    role: 'img',
    'aria-label': `Durations and records of the last ${data.length} runs`,
    dataset: { runs: data.length },
  });
  svg.append(s('title', null, `Durations (bars) and records fetched (line) of the last ${data.length} runs`));

  // Grid lines and both axes' labels at 0, ½ and the maximum.
  for (const f of [0, 0.5, 1]) {
    const y = PAD.top + innerH - innerH * f;
    svg.append(
      s('line', { class: 'grid', x1: PAD.left, x2: WIDTH - PAD.right, y1: y, y2: y }),
      s('text', { class: 'axis axis-duration', x: PAD.left - 6, y: y + 4, 'text-anchor': 'end' }, formatDuration(maxMs * f)),
      s('text', { class: 'axis axis-records', x: WIDTH - PAD.right + 6, y: y + 4, 'text-anchor': 'start' }, formatNumber(Math.round(maxRecords * f))),
    );
  }
  svg.append(
    s('text', { class: 'axis-title axis-duration', x: 4, y: 12 }, 'duration'),
    s('text', { class: 'axis-title axis-records', x: WIDTH - 4, y: 12, 'text-anchor': 'end' }, 'records'),
  );

  data.forEach((run, i) => {
    const ms = run.durationMs ?? 0;
    const top = yMs(ms);
    const bar = s('rect', {
      class: `bar status-${run.status}`,
      x: x(i) - barW / 2,
      y: top,
      width: barW,
      height: Math.max(run.durationMs === null ? 0 : 1, PAD.top + innerH - top),
      dataset: { run: run.id },
    });
    bar.append(s('title', null, `run #${run.id} ${run.status}: ${formatDuration(run.durationMs)}, ${formatNumber(run.counts?.fetched ?? 0)} records`));
    svg.append(bar);
    if (data.length <= 24 || i % Math.ceil(data.length / 24) === 0) {
      svg.append(s('text', { class: 'axis', x: x(i), y: HEIGHT - PAD.bottom + 14, 'text-anchor': 'middle' }, `#${run.id}`));
    }
  });

  const points = data.map((run, i) => `${x(i).toFixed(1)},${yRec(run.counts?.fetched ?? 0).toFixed(1)}`);
  if (points.length > 1) svg.append(s('polyline', { class: 'records-line', points: points.join(' ') }));
  data.forEach((run, i) => {
    const dot = s('circle', { class: 'records-dot', cx: x(i), cy: yRec(run.counts?.fetched ?? 0), r: 3.5 });
    dot.append(s('title', null, `run #${run.id}: ${formatNumber(run.counts?.fetched ?? 0)} records fetched`));
    svg.append(dot);
  });
  svg.append(s('text', { class: 'axis', x: PAD.left + innerW / 2, y: HEIGHT - 4, 'text-anchor': 'middle' }, 'runs, oldest → newest'));
  return svg;
}
