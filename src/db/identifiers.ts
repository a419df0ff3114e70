/** SQL identifiers are validated, never taken raw from input (STYLE habit 2). */
const IDENTIFIER = /^[a-z_][a-z0-9_]{0,62}$/;

export function assertIdentifier(name: string, what = 'identifier'): string {
  if (!IDENTIFIER.test(name)) {
    throw new Error(`${what} "${name}" is not a plain SQL identifier (lowercase letters, digits and "_", at most 63 characters)`);
  }
  return name;
}

/** Double-quoted Postgres identifier, after validation. */
export function quoteIdent(name: string): string {
  return `"${assertIdentifier(name)}"`;
}
