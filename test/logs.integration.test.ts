/**
 * Structured logs with secrets configured everywhere they can be: a Connecteam key, a wrong key on
 * a second tenant (its runs fail with 401), and the control plane's and the warehouse's URLs with
 * passwords (the test Postgres trusts local connections, so any password works).
 * - `tidemark worker` in a child process, its stderr captured (a pipe: JSON, one object a line):
 *   every line of every run is searched for each secret, and each run line carries runId, tenant
 *   and sync; a succeeded and a failed run both log start and finish.
 * - The logger itself: secrets inside messages, fields, headers and errors are censored, in JSON
 *   and in the pretty (terminal) form.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { parseConfig } from '../src/config/load.ts';
import { openJobs } from '../src/jobs/open-jobs.ts';
import { createLogger, runLogger } from '../src/log/logger.ts';
import { configuredSecrets } from '../src/log/secrets.ts';
import { freshSchema, PG_URL, pgRows } from './helpers/postgres.ts';
import { startCli, writeConfig } from './helpers/cli.ts';
import { freshControlPlane, waitFor } from './helpers/job-engine.ts';
import { dataset, shift } from './helpers/shifts.ts';

const API_KEY = 'ct-live-7Qm2vX9pLk4sZr8T';
const WRONG_KEY = 'ct-wrong-Hn5bW3yJd6fA1cE0';
const CONTROL_PASSWORD = 'ctl-Pw-4gR7!kQ2';
const WAREHOUSE_PASSWORD = 'wh-Pw-9tY3@mV8';

function withPassword(url: string, password: string): string {
  const parsed = new URL(url);
  parsed.password = password;
  return parsed.toString();
}

function capture(): { stream: Writable; text(): string } {
  let text = '';
  return {
    stream: new Writable({
      write(chunk: Buffer, _encoding, done) {
        text += chunk.toString();
        done();
      },
    }),
    text: () => text,
  };
}

function configFor(baseUrl: string, controlSchema: string, destinationSchema: string) {
  const connection = (tenant: string, env: string) => ({ id: `${tenant}-connecteam`, tenant, connector: 'connecteam', baseUrl, credentials: { apiKey: { env } }, maxAttempts: 1 });
  return {
    controlPlane: { url: { env: 'CONTROL_URL' }, schema: controlSchema },
    jobs: { pollingIntervalSeconds: 0.5, attempts: 1, concurrency: 2 },
    tenants: [
      { id: 'acme', name: 'Acme', timezone: 'America/Chicago', alerts: { webhooks: [{ url: 'https://hooks.example.test/tidemark', secret: { env: 'HOOK_SECRET' } }] } },
      { id: 'beta', name: 'Beta', timezone: 'America/Chicago' },
    ],
    connections: [connection('acme', 'ACME_KEY'), connection('beta', 'BETA_KEY')],
    destinations: [{ id: 'warehouse', url: { env: 'WAREHOUSE_URL' }, schema: destinationSchema }],
    syncs: [
      { id: 'acme-shifts', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.shifts', destination: 'warehouse', batchSize: 2 },
      { id: 'beta-shifts', tenant: 'beta', connection: 'beta-connecteam', stream: 'connecteam.shifts', destination: 'warehouse' },
    ],
  };
}

test('tidemark worker: every run line has runId, tenant and sync, and no configured secret appears anywhere in its output', async () => {
  const shifts = ['2026-11-09', '2026-11-10', '2026-11-11'].flatMap((d) => [shift(101, `${d}T08:00`, `${d}T12:00`), shift(102, `${d}T14:00`, `${d}T18:00`)]);
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false, apiKey: API_KEY });
  const control = await freshControlPlane();
  const dest = await freshSchema('dst');
  const env = {
    ACME_KEY: API_KEY,
    BETA_KEY: WRONG_KEY,
    HOOK_SECRET: 'hook-secret-Zx81Lq',
    CONTROL_URL: withPassword(PG_URL, CONTROL_PASSWORD),
    WAREHOUSE_URL: withPassword(PG_URL, WAREHOUSE_PASSWORD),
    TIDEMARK_LOG_LEVEL: 'debug',
  };
  const configObject = configFor(simulator.url, control.schema, dest.schema);
  const config = parseConfig(configObject);
  const jobs = await openJobs(config, env, { schedule: false, supervise: false });
  const worker = startCli(['worker', '--config', writeConfig(configObject)], env);
  try {
    let stderr = '';
    worker.child.stderr!.on('data', (chunk: Buffer) => (stderr += chunk.toString()));
    await waitFor('the worker to start', () => /working on/.test(stderr), { timeoutMs: 60_000, describe: () => stderr });
    await jobs.engine.trigger({ syncId: 'acme-shifts', trigger: 'api', from: '2026-11-09', to: '2026-11-12' });
    await jobs.engine.trigger({ syncId: 'beta-shifts', trigger: 'api', from: '2026-11-09', to: '2026-11-12' });
    await waitFor(
      'both runs to finish and be logged',
      async () => {
        const runs = await pgRows<{ status: string }>(`SELECT status FROM "${control.schema}".runs WHERE status <> 'running'`);
        return runs.length === 2 && /run succeeded/.test(stderr) && /run failed/.test(stderr);
      },
      { timeoutMs: 60_000, describe: () => stderr },
    );
    worker.child.kill('SIGTERM');
    const result = await worker.done;
    assert.equal(result.code, 0, result.stderr);

    const secrets = [API_KEY, WRONG_KEY, CONTROL_PASSWORD, WAREHOUSE_PASSWORD, encodeURIComponent(CONTROL_PASSWORD), encodeURIComponent(WAREHOUSE_PASSWORD), env.HOOK_SECRET, env.CONTROL_URL, env.WAREHOUSE_URL];
    for (const [name, output] of [['stderr', result.stderr], ['stdout', result.stdout]] as const) {
      for (const secret of secrets) assert.ok(!output.includes(secret), `a secret (${secret.slice(0, 6)}…) appears in ${name}:\n${output}`);
    }

    const lines = result.stderr.split('\n').filter((line) => line.startsWith('{'));
    const logs = lines.map((line) => JSON.parse(line) as Record<string, unknown>);
    const runLines = logs.filter((l) => 'jobId' in l);
    assert.ok(runLines.length >= 4, `run lines:\n${lines.join('\n')}`);
    for (const line of runLines) {
      assert.match(String(line.runId), /^\d+$/, `runId on ${JSON.stringify(line)}`);
      assert.ok(line.tenant === 'acme' || line.tenant === 'beta', `tenant on ${JSON.stringify(line)}`);
      assert.equal(line.sync, `${String(line.tenant)}-shifts`);
      assert.equal(line.command, 'worker');
      assert.equal(typeof line.time, 'string');
    }
    const messages = (sync: string) => runLines.filter((l) => l.sync === sync).map((l) => l.msg);
    assert.deepEqual(messages('acme-shifts').filter((m) => m !== 'run progress'), ['run started', 'run succeeded']);
    assert.ok(messages('acme-shifts').includes('run progress'), 'debug progress lines (batches of 2)');
    assert.deepEqual(messages('beta-shifts').filter((m) => m !== 'run progress'), ['run started', 'run failed']);
    const failed = runLines.find((l) => l.msg === 'run failed')!;
    assert.equal(failed.level, 50);
    assert.match(String(failed.error), /401|refused|unauthori[sz]ed/i);
    const succeeded = runLines.find((l) => l.msg === 'run succeeded')!;
    assert.deepEqual(succeeded.counts, { fetched: 6, created: 6, updated: 0, unchanged: 0, deleted: 0, dead: 0 });
    // The human run lines stay on stdout.
    assert.match(result.stdout, /run #\d+ acme-shifts 2026-11-09\.\.2026-11-12 \[api, attempt 1\] succeeded/);
  } finally {
    if (worker.child.exitCode === null) worker.child.kill('SIGKILL');
    await jobs.close();
    await simulator.close();
    await control.drop();
    await dest.drop();
  }
});

test('the logger censors configured secrets in messages, fields, headers and errors, as JSON and pretty', () => {
  const config = parseConfig({
    tenants: [
      {
        id: 'acme',
        name: 'Acme',
        timezone: 'America/Chicago',
        alerts: {
          webhooks: [{ url: { env: 'HOOK_URL' }, secret: { env: 'HOOK_SECRET' } }],
          slack: { webhookUrl: { env: 'SLACK_URL' } },
          telegram: { botToken: { env: 'TG_TOKEN' }, chatId: '42' },
          sentry: { dsn: { env: 'SENTRY_DSN' } },
        },
      },
    ],
    connections: [{ id: 'c', tenant: 'acme', connector: 'connecteam', credentials: { apiKey: { env: 'KEY' } } }],
    destinations: [{ id: 'w', url: { env: 'DB_URL' } }],
  });
  const env = {
    KEY: 'key-Aa11Bb22Cc33',
    DB_URL: 'postgres://app:s3cr%40t-pw@db.internal:5432/warehouse',
    DATABASE_URL: 'postgres://ctl:ctl-pw-77@control:5432/tidemark',
    HOOK_URL: 'https://hooks.example.test/in/abc123token',
    HOOK_SECRET: 'hmac-secret-991',
    SLACK_URL: 'https://hooks.slack.test/services/T000/B000/XXXXsecretXXXX',
    TG_TOKEN: '123456:telegram-bot-token',
    SENTRY_DSN: 'https://publickey123@o1.ingest.sentry.test/7',
  };
  const secrets = configuredSecrets(config, env);
  for (const value of [env.KEY, env.DB_URL, 's3cr@t-pw', 's3cr%40t-pw', 'ctl-pw-77', env.HOOK_SECRET, env.SLACK_URL, '/services/T000/B000/XXXXsecretXXXX', env.TG_TOKEN, 'publickey123']) {
    assert.ok(secrets.includes(value), `collected: ${value}`);
  }

  for (const pretty of [false, true]) {
    const out = capture();
    const logger = createLogger({ destination: out.stream, pretty, secrets });
    const run = runLogger(logger, { runId: '7', tenant: 'acme', sync: 'acme-shifts' });
    run.info({ headers: { authorization: 'Bearer tm_abcdefabcdefabcdefabcdefabcdefab', 'x-api-key': 'anything-at-all' } }, 'request');
    run.warn({ url: env.DB_URL, nested: { note: `token ${env.TG_TOKEN}` } }, `connecting with ${env.KEY} to s3cr@t-pw`);
    run.error({ err: new Error(`upstream said ${env.HOOK_SECRET} and ${env.SENTRY_DSN}`) }, 'failed');
    logger.info(`password ctl-pw-77 and ${env.SLACK_URL}`);
    const text = out.text();
    for (const secret of ['tm_abcdef', 'anything-at-all', env.KEY, 's3cr', 'ctl-pw-77', env.TG_TOKEN, env.HOOK_SECRET, 'publickey123', 'XXXXsecretXXXX']) {
      assert.ok(!text.includes(secret), `${pretty ? 'pretty' : 'JSON'} output leaks ${secret}:\n${text}`);
    }
    assert.match(text, /\[redacted\]/);
    if (!pretty) {
      const lines = text.trim().split('\n').map((l) => JSON.parse(l) as Record<string, unknown>);
      assert.equal(lines.length, 4);
      for (const line of lines.slice(0, 3)) assert.deepEqual([line.runId, line.tenant, line.sync], ['7', 'acme', 'acme-shifts']);
      assert.equal(lines[1]!.url, '[redacted]', 'the whole URL is a secret');
    } else {
      assert.doesNotMatch(text.split('\n')[0]!, /^\{/);
    }
  }
});
