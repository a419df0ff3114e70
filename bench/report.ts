/** The printed report: one table of scenarios, then the targets with PASS/FAIL. */
import type { BenchResults, DialectResults, ResultRow, TargetCheck } from './results.ts';

const HEADERS = ['scenario', 'N', 'RTT', 'batch', 'time (s)', 'worker CPU (s)', 'DB RT', 'RT/1k shifts', 'ledger stmts', 'peak RSS (MB)', 'ratio', 'notes'];
const RIGHT = new Set([1, 2, 3, 4, 5, 6, 7, 8, 9, 10]);

const num = (n: number) => n.toLocaleString('en-US');

function cells(row: ResultRow): string[] {
  const projected = row.scenario === 'old pattern (projected)';
  const approx = projected ? '~' : '';
  return [
    row.scenario,
    num(row.shifts),
    `${row.rttMs} ms`,
    row.batchSize === null ? '' : num(row.batchSize),
    `${approx}${row.seconds < 10 ? row.seconds.toFixed(3) : row.seconds.toFixed(1)}`,
    row.cpuSeconds === null ? '' : row.cpuSeconds.toFixed(3),
    row.roundTrips === null ? '' : `${approx}${num(row.roundTrips)}`,
    row.roundTrips === null ? '' : `${approx}${(row.roundTrips / (row.shifts / 1000)).toFixed(1)}`,
    row.ledgerStatements === null ? '' : num(row.ledgerStatements),
    row.maxRssMb === null ? '' : row.maxRssMb.toFixed(0),
    row.ratio === null ? '' : `${row.ratio < 10 ? row.ratio.toFixed(2) : row.ratio.toFixed(0)}× ${row.ratioLabel}`,
    row.note,
  ];
}

export function formatTable(rows: readonly ResultRow[]): string {
  const body = rows.map(cells);
  const widths = HEADERS.map((h, i) => Math.max(h.length, ...body.map((r) => r[i]!.length)));
  const line = (r: readonly string[]) =>
    r.map((c, i) => (RIGHT.has(i) ? c.padStart(widths[i]!) : c.padEnd(widths[i]!))).join(' | ').trimEnd();
  return [line(HEADERS), widths.map((w) => '-'.repeat(w)).join('-|-'), ...body.map(line)].join('\n');
}

const verdict = (pass: boolean | null) => (pass === null ? 'n/a ' : pass ? 'PASS' : 'FAIL');

export function formatTargets(targets: readonly TargetCheck[]): string {
  const width = Math.max(...targets.map((t) => t.name.length));
  return targets.map((t) => `${verdict(t.pass)}  ${t.name.padEnd(width)}  target ${t.target}; measured ${t.measured}`).join('\n');
}

const DIALECT_HEADER: Record<DialectResults['dialect'], (server: string) => string[]> = {
  mysql: (server) => [
    `MariaDB ${server}: destination through a loopback latency proxy adding the RTT; the ledger on Postgres, direct.`,
    'DB RT = MySQL-protocol command packets (COM_QUERY, COM_STMT_PREPARE, COM_STMT_EXECUTE, …; not COM_STMT_CLOSE),',
    'counted by the proxy. Loading limit: LOAD DATA LOCAL INFILE (one COM_QUERY) into an empty table, same DDL.',
  ],
  sqlite: (server) => [
    `${server}: embedded (a file in a temp directory, WAL), so no RTT and no wire round trips; the ledger on Postgres, direct.`,
    'Loading limit: SQLite has no bulk load; a prepared plain INSERT per row in one transaction, same DDL, empty table.',
  ],
};

function formatDialect(results: DialectResults): string[] {
  return ['', ...DIALECT_HEADER[results.dialect](results.server), '', formatTable(results.rows), '', formatTargets(results.targets)];
}

export function formatReport(results: BenchResults): string {
  const m = results.machine;
  const postgres = results.targets.length > 0; // none when --dialects leaves Postgres out
  return [
    `Tidemark benchmark, ${results.startedAt}: ${m.cpus} × ${m.cpuModel}, Node ${m.node}, ${m.postgres}`,
    ...(postgres
      ? [
          'Destination through a loopback latency proxy adding the RTT; the ledger direct (colocated). "~" = projected, not measured.',
          'DB RT = destination round trips (simple Query + extended-protocol Sync messages, counted by the proxy; connection',
          'startups not included). Ledger stmts = control-plane statements. Worker CPU = CPU time of the measuring process.',
          '',
          formatTable(results.rows),
          '',
          formatTargets(results.targets),
        ]
      : []),
    ...(results.dialects ?? []).flatMap(formatDialect),
    '',
    `Total ${results.seconds.toFixed(0)} s.`,
  ].join('\n');
}
