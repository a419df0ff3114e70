/**
 * Find, read and validate the configuration: `--config FILE`, else `TIDEMARK_CONFIG`, else
 * `./tidemark.config.json`. JSON files are read as data; `.ts`/`.js` files are imported and may
 * export `defineConfig({...})` as default.
 */
import { existsSync, readFileSync } from 'node:fs';
import { dirname, resolve } from 'node:path';
import { pathToFileURL } from 'node:url';
import type { z } from 'zod';
import { configSchema, type Config, type ConfigInput } from './schema.ts';
import { ConfigError, settingPath, type ConfigProblem } from './config-error.ts';
import { checkReferences } from './references.ts';
import { redactUrl } from '../db/redact.ts';

export const DEFAULT_CONFIG_FILE = 'tidemark.config.json';

/** Identity helper that gives a TypeScript config file completion and type checks. */
export function defineConfig(config: ConfigInput): ConfigInput {
  return config;
}

export function locateConfig(explicit: string | undefined, env: NodeJS.ProcessEnv, cwd = process.cwd()): string {
  const chosen = explicit ?? env.TIDEMARK_CONFIG ?? DEFAULT_CONFIG_FILE;
  const path = resolve(cwd, chosen);
  if (!existsSync(path)) {
    const how = explicit ? '--config' : env.TIDEMARK_CONFIG ? 'TIDEMARK_CONFIG' : 'the default location';
    throw new ConfigError(chosen, [
      {
        setting: '(file)',
        message: `no configuration file at ${path} (from ${how}); pass --config FILE, set TIDEMARK_CONFIG, or create ./${DEFAULT_CONFIG_FILE} (see docs/configuration.md)`,
      },
    ]);
  }
  return path;
}

async function readRaw(path: string): Promise<unknown> {
  if (/\.(m?[jt]s)$/.test(path)) {
    const module = (await import(pathToFileURL(path).href)) as { default?: unknown };
    return module.default;
  }
  const text = readFileSync(path, 'utf8');
  try {
    return JSON.parse(text) as unknown;
  } catch (error) {
    throw new ConfigError(path, [{ setting: '(file)', message: `not valid JSON: ${(error as Error).message}` }]);
  }
}

function describeReceived(value: unknown): string {
  if (value === undefined) return 'nothing';
  const text = JSON.stringify(value);
  return text.length > 80 ? `${text.slice(0, 77)}...` : text;
}

/** Values of these settings may be secrets: never echoed back (URLs are shown redacted). */
function receivedText(path: readonly PropertyKey[], input: unknown): string {
  if (path.includes('credentials')) return '; received a literal value (not shown)';
  if (path.includes('url') && typeof input === 'string') return `; received ${JSON.stringify(redactUrl(input))}`;
  return `; received ${describeReceived(input)}`;
}

function toProblems(error: z.ZodError): ConfigProblem[] {
  return error.issues.map((issue) => {
    const received = 'input' in issue ? receivedText(issue.path, issue.input) : '';
    let message = issue.message;
    if (issue.code === 'unrecognized_keys') message = `unknown setting(s) ${issue.keys.map((k) => `"${k}"`).join(', ')}`;
    else if (issue.code === 'invalid_value') message = `expected one of ${issue.values.map((v) => JSON.stringify(v)).join(', ')}`;
    else if (issue.code === 'custom' || issue.code === 'invalid_format') message = `expected ${issue.message}`;
    return { setting: settingPath(issue.path), message: `${message}${issue.code === 'unrecognized_keys' ? '' : received}` };
  });
}

/** Validate already-parsed configuration data (from a file or a test). */
export function parseConfig(data: unknown, source = 'configuration'): Config {
  const result = configSchema.safeParse(data, { reportInput: true });
  if (!result.success) throw new ConfigError(source, toProblems(result.error));
  const problems = checkReferences(result.data);
  if (problems.length > 0) throw new ConfigError(source, problems);
  return result.data;
}

export async function loadConfig(explicit: string | undefined, env: NodeJS.ProcessEnv): Promise<{ config: Config; path: string }> {
  const path = locateConfig(explicit, env);
  const config = parseConfig(await readRaw(path), path);
  // A replica's module is written relative to the config file.
  const here = dirname(resolve(path));
  return { config: { ...config, replicas: config.replicas.map((r) => ({ ...r, module: resolve(here, r.module) })) }, path };
}
