/** Run the real `tidemark` binary in a child process, as a user would. */
import { spawn, type ChildProcess } from 'node:child_process';
import { fileURLToPath } from 'node:url';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { PG_URL } from './postgres.ts';

export const BIN = fileURLToPath(new URL('../../bin/tidemark.js', import.meta.url));

export interface CliResult {
  readonly code: number | null;
  readonly signal: NodeJS.Signals | null;
  readonly stdout: string;
  readonly stderr: string;
}

/** Start `tidemark ...args` with Node 24 (process.execPath under `npx node --test`). */
export function startCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): { child: ChildProcess; done: Promise<CliResult> } {
  const child = spawn(process.execPath, [BIN, ...args], { env: { ...process.env, ...env }, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout!.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
  child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
  const done = new Promise<CliResult>((resolve) => child.on('close', (code, signal) => resolve({ code, signal, stdout, stderr })));
  return { child, done };
}

export function runCli(args: readonly string[], env: NodeJS.ProcessEnv = {}): Promise<CliResult> {
  return startCli(args, env).done;
}

/** Write a config file to a fresh temporary directory and return its path. */
export function writeConfig(config: unknown): string {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-cli-'));
  const path = join(dir, 'tidemark.config.json');
  writeFileSync(path, JSON.stringify(config, null, 2));
  return path;
}

/**
 * The configuration the CLI tests use: tenant acme (America/Chicago), its Connecteam connection
 * to `baseUrl` (key in ACME_CT_KEY), the ledger and the warehouse on the test Postgres in their
 * own schemas, and the syncs acme-shifts and acme-users.
 */
export function acmeConfig(baseUrl: string, controlSchema: string, destinationSchema: string, batchSize = 1000) {
  return {
    controlPlane: { url: PG_URL, schema: controlSchema },
    tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
    connections: [{ id: 'acme-connecteam', tenant: 'acme', connector: 'connecteam', baseUrl, credentials: { apiKey: { env: 'ACME_CT_KEY' } }, maxAttempts: 2 }],
    destinations: [{ id: 'warehouse', url: PG_URL, schema: destinationSchema }],
    syncs: [
      { id: 'acme-shifts', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.shifts', destination: 'warehouse', batchSize },
      { id: 'acme-users', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.users', destination: 'warehouse' },
    ],
  };
}
