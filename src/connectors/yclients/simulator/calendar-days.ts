/**
 * Plain calendar arithmetic on `YYYY-MM-DD` as whole days since 1970-01-01 (UTC, no zone): the
 * schedule answer walks staff × dates, thousands of steps per request, and a zone-aware library
 * call per step would make the simulator the slowest part of every test.
 */
const DAY_MS = 86_400_000;

export function epochDay(date: string): number {
  return Math.round(Date.UTC(Number(date.slice(0, 4)), Number(date.slice(5, 7)) - 1, Number(date.slice(8, 10))) / DAY_MS);
}

export function dateOfEpochDay(day: number): string {
  return new Date(day * DAY_MS).toISOString().slice(0, 10);
}

/** ISO weekday, 1 = Monday … 7 = Sunday (1970-01-01 was a Thursday). */
export function isoWeekdayOfEpochDay(day: number): number {
  return ((((day + 3) % 7) + 7) % 7) + 1;
}
