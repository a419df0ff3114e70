/**
 * The hand-written sync Tidemark replaces, kept faithful to the story: fetch the shifts, then for
 * each shift one SELECT of the employee's rows on that local day, then one INSERT or one UPDATE.
 * Two round trips per shift, each an autocommitted statement on one connection: 500 shifts cost
 * 1,000 queries. It is measured as written (correct ids, correct zone), only its shape is on trial.
 */
import type pg from 'pg';
import { quoteIdent } from '../src/db/identifiers.ts';

export interface OldShift {
  readonly id: string;
  readonly userId: number;
  readonly start: { readonly timestamp: number };
  readonly end?: { readonly timestamp: number } | null;
  readonly jobId?: string;
  readonly employeeNote?: string;
}

export interface OldSyncCounts {
  fetched: number;
  selects: number;
  inserted: number;
  updated: number;
}

/** Its own table, as the old code had it: a serial id, the employee, and the day computed from clock_in. */
export function clockTimesDdl(schema: string): string[] {
  const table = `${quoteIdent(schema)}.clock_times`;
  return [
    `CREATE TABLE ${table} (
  id serial PRIMARY KEY,
  connecteam_shift_id text,
  employee_id bigint NOT NULL,
  clock_in timestamptz NOT NULL,
  clock_out timestamptz,
  duration_minutes numeric,
  job_id text,
  note text,
  updated_at timestamptz NOT NULL DEFAULT now()
)`,
    // Generous to the old code: without this index each SELECT scans the whole table.
    `CREATE INDEX ON ${table} (employee_id)`,
  ];
}

const dayFormat = new Intl.DateTimeFormat('en-CA', { timeZone: 'America/Chicago', year: 'numeric', month: '2-digit', day: '2-digit' });

function addDay(date: string, days: number): string {
  return new Date(Date.parse(`${date}T00:00:00Z`) + days * 86_400_000).toISOString().slice(0, 10);
}

/** GET the shifts with plain fetch: the time clocks, then time activities per clock per ≤92-day chunk. */
export async function fetchShifts(baseUrl: string, apiKey: string, from: string, to: string): Promise<OldShift[]> {
  const get = async (path: string): Promise<unknown> => {
    const response = await fetch(`${baseUrl}${path}`, { headers: { 'X-API-KEY': apiKey } });
    if (!response.ok) throw new Error(`GET ${path}: ${response.status}`);
    return response.json();
  };
  const clocks = (await get('/time-clock/v1/time-clocks')) as { data: { timeClocks: { id: number }[] } };
  const shifts: OldShift[] = [];
  const last = addDay(to, -1);
  for (const clock of clocks.data.timeClocks) {
    for (let start = from; start <= last; start = addDay(start, 92)) {
      const end = addDay(start, 91) < last ? addDay(start, 91) : last;
      const answer = (await get(`/time-clock/v1/time-clocks/${clock.id}/time-activities?startDate=${start}&endDate=${end}`)) as {
        data: { timeActivitiesByUsers: { userId: number; shifts: Omit<OldShift, 'userId'>[] }[] };
      };
      for (const group of answer.data.timeActivitiesByUsers) {
        for (const shift of group.shifts) shifts.push({ ...shift, userId: group.userId });
      }
    }
  }
  return shifts;
}

/** SELECT per shift, then INSERT or UPDATE. */
export async function saveShifts(client: pg.Client, schema: string, shifts: readonly OldShift[], counts: OldSyncCounts): Promise<void> {
  const table = `${quoteIdent(schema)}.clock_times`;
  for (const shift of shifts) {
    const clockIn = new Date(shift.start.timestamp * 1000);
    const clockOut = shift.end ? new Date(shift.end.timestamp * 1000) : null;
    const minutes = clockOut ? ((clockOut.getTime() - clockIn.getTime()) / 60_000).toFixed(2) : null;
    const day = dayFormat.format(clockIn);
    const existing = await client.query<{ id: number; connecteam_shift_id: string | null }>(
      `SELECT id, connecteam_shift_id FROM ${table}
       WHERE employee_id = $1 AND (clock_in AT TIME ZONE 'America/Chicago')::date = $2`,
      [shift.userId, day],
    );
    counts.selects++;
    const match = existing.rows.find((row) => row.connecteam_shift_id === shift.id);
    if (match) {
      await client.query(
        `UPDATE ${table} SET clock_in = $2, clock_out = $3, duration_minutes = $4, job_id = $5, note = $6, updated_at = now() WHERE id = $1`,
        [match.id, clockIn, clockOut, minutes, shift.jobId ?? null, shift.employeeNote ?? null],
      );
      counts.updated++;
    } else {
      await client.query(
        `INSERT INTO ${table} (connecteam_shift_id, employee_id, clock_in, clock_out, duration_minutes, job_id, note)
         VALUES ($1, $2, $3, $4, $5, $6, $7)`,
        [shift.id, shift.userId, clockIn, clockOut, minutes, shift.jobId ?? null, shift.employeeNote ?? null],
      );
      counts.inserted++;
    }
  }
}
