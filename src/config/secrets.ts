/** Resolve `{ "env": "NAME" }` references at the moment a value is needed, never earlier. */
import type { SecretRef } from './schema.ts';
import { ConfigError } from './config-error.ts';

export function resolveSecret(ref: SecretRef, setting: string, env: NodeJS.ProcessEnv): string {
  const value = env[ref.env];
  if (value === undefined || value === '') {
    throw new ConfigError('environment', [
      { setting, message: `environment variable ${ref.env} is not set; export it before running (the value is a secret and never read from the config file)` },
    ]);
  }
  return value;
}

/** A URL setting that may be a literal (no password) or an environment reference. */
export function resolveUrl(value: string | SecretRef, setting: string, env: NodeJS.ProcessEnv): string {
  return typeof value === 'string' ? value : resolveSecret(value, setting, env);
}
