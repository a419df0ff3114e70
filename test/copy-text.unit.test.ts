import { test } from 'node:test';
import assert from 'node:assert/strict';
import { copyChunks, copyText } from '../src/destinations/postgres/copy-text.ts';
import type { ColumnSpec } from '../src/destinations/table-spec.ts';
import type { MergeRow } from '../src/destinations/destination.ts';

const columns: ColumnSpec[] = [
  { name: 'id', type: 'text', nullable: false },
  { name: 'at', type: 'instant', nullable: true },
  { name: 'open', type: 'boolean', nullable: false },
  { name: 'raw', type: 'json', nullable: false },
];

test('COPY text escapes backslash, tab, newline and CR, writes \\N for NULL, and chunks without losing rows', () => {
  const rows: MergeRow[] = [
    { key: 'a', hash: 'h1', values: { id: 'tab\there\\back\nline\r', at: new Date('2026-11-10T14:00:00Z'), open: false, raw: { note: 'x\ty' } } },
    { key: 'b', hash: 'h2', values: { id: '\\N', at: null, open: true, raw: {} } },
  ];
  assert.equal(
    copyText(columns, rows),
    'h1\ttab\\there\\\\back\\nline\\r\t2026-11-10T14:00:00.000Z\tf\t{"note":"x\\\\ty"}\n' +
      'h2\t\\\\N\t\\N\tt\t{}\n',
  );
  const many = Array.from({ length: 1201 }, (_, i) => ({ key: String(i), hash: `h${i}`, values: { id: String(i), at: null, open: true, raw: {} } }));
  const chunks = [...copyChunks(columns, many, 500)];
  assert.equal(chunks.length, 3);
  assert.equal(chunks.join('').split('\n').length - 1, 1201);
});
