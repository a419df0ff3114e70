/** One result of a doctor check: what was looked at, what is wrong, and the fix to run. */
export interface Finding {
  readonly level: 'ok' | 'error';
  /** e.g. `sync acme-shifts: table connecteam_shifts`. */
  readonly subject: string;
  readonly message: string;
  /** A command or SQL statement that fixes it. */
  readonly fix?: string;
}
