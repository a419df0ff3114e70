/** One result of a doctor check: what was looked at, what is wrong, and the fix to run. */
export interface Finding {
  /** `warning`: works, but a person must know (e.g. a zone-less column holding UTC); not a failure. */
  readonly level: 'ok' | 'warning' | 'error';
  /** e.g. `sync acme-shifts: table connecteam_shifts`. */
  readonly subject: string;
  readonly message: string;
  /** A command or SQL statement that fixes it. */
  readonly fix?: string;
}
