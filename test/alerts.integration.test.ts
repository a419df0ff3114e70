/**
 * Alerts end to end: a real ledger on the test Postgres, the alert loop, and local HTTP receivers
 * standing in for a webhook, Slack, Telegram and Sentry. Conditions are judged on a clock the test
 * moves; ticks are driven by the test (or, for the two-process case, by the loops' own timers).
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import { createHmac, timingSafeEqual } from 'node:crypto';
import { setTimeout as sleep } from 'node:timers/promises';
import { configSchema, type Config } from '../src/config/schema.ts';
import { openPostgres } from '../src/db/open.ts';
import type { SqlClient } from '../src/db/sql-client.ts';
import { Ledger } from '../src/ledger/ledger.ts';
import { migrateLedger } from '../src/ledger/migrate.ts';
import { ZERO_COUNTS } from '../src/ledger/types.ts';
import { startAlertLoop, type AlertLoop, type AlertLoopOptions } from '../src/monitor/alerts/loop.ts';
import type { Alert } from '../src/monitor/alerts/alert.ts';
import { PG_URL, freshSchema } from './helpers/postgres.ts';

type ChannelName = 'webhook' | 'slack' | 'telegram' | 'sentry';

interface Received {
  readonly channel: ChannelName;
  readonly path: string;
  readonly headers: http.IncomingHttpHeaders;
  readonly body: string;
  readonly status: number;
}

interface Receiver {
  readonly base: string;
  readonly received: Received[];
  /** Answer the next `times` requests whose path starts with `prefix` with 500 (echoing the path, as careless servers do). */
  failNext(prefix: string, times: number): void;
  close(): Promise<void>;
}

function channelOf(path: string): ChannelName {
  if (path.startsWith('/hook')) return 'webhook';
  if (path.startsWith('/slack/')) return 'slack';
  if (path.startsWith('/bot')) return 'telegram';
  return 'sentry';
}

async function startReceiver(): Promise<Receiver> {
  const received: Received[] = [];
  const failures = new Map<string, number>();
  const server = http.createServer((req, res) => {
    const chunks: Buffer[] = [];
    req.on('data', (chunk: Buffer) => chunks.push(chunk));
    req.on('end', () => {
      const path = req.url ?? '/';
      const prefix = [...failures.keys()].find((p) => path.startsWith(p) && (failures.get(p) ?? 0) > 0);
      const status = prefix ? 500 : 200;
      if (prefix) failures.set(prefix, (failures.get(prefix) ?? 1) - 1);
      received.push({ channel: channelOf(path), path, headers: req.headers, body: Buffer.concat(chunks).toString('utf8'), status });
      res.writeHead(status, { 'content-type': 'application/json' });
      if (status === 500) res.end(JSON.stringify({ error: `cannot handle ${path}` }));
      else res.end(path.endsWith('/sendMessage') ? '{"ok":true,"result":{"message_id":1}}' : '{"ok":true}');
    });
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return {
    base: `http://127.0.0.1:${port}`,
    received,
    failNext(prefix, times) {
      failures.set(prefix, times);
    },
    async close() {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

const KIND_MARK: Record<string, Alert['kind']> = { 'Run failed': 'run_failed', 'Stale data': 'stale', 'Slow run': 'slow_run', Recovered: 'recovered' };

/** What a received request says, whatever the channel: its alert kind, and its alert id where the channel carries one. */
function decode(r: Received): { kind: string; id: string | null; text: string } {
  if (r.channel === 'webhook') {
    const alert = JSON.parse(r.body) as Alert;
    return { kind: alert.kind, id: alert.id, text: alert.message };
  }
  if (r.channel === 'sentry') {
    const event = JSON.parse(r.body.split('\n')[2]!) as { tags: { alert_kind: string }; extra: { alertId: string }; message: { formatted: string } };
    return { kind: event.tags.alert_kind, id: event.extra.alertId, text: event.message.formatted };
  }
  const text = (JSON.parse(r.body) as { text: string }).text;
  const mark = Object.keys(KIND_MARK).find((m) => text.includes(m));
  return { kind: mark ? KIND_MARK[mark]! : 'unknown', id: null, text };
}

/** Accepted deliveries per channel of `kind`. */
function delivered(receiver: Receiver, kind: string): Record<ChannelName, number> {
  const counts: Record<ChannelName, number> = { webhook: 0, slack: 0, telegram: 0, sentry: 0 };
  for (const r of receiver.received) if (r.status === 200 && decode(r).kind === kind) counts[r.channel]++;
  return counts;
}

const ONCE_EACH: Record<ChannelName, number> = { webhook: 1, slack: 1, telegram: 1, sentry: 1 };
const NONE: Record<ChannelName, number> = { webhook: 0, slack: 0, telegram: 0, sentry: 0 };

interface Harness {
  readonly receiver: Receiver;
  readonly schema: string;
  readonly db: SqlClient;
  readonly ledger: Ledger;
  readonly config: Config;
  readonly env: NodeJS.ProcessEnv;
  readonly logs: string[];
  /** Every secret of the environment: none may appear in a payload or a log line. */
  readonly secrets: readonly string[];
  clock: Date;
  /** Start the loop and wait for its first (immediate) tick, so the test's ticks are the only others. */
  start(options?: Partial<AlertLoopOptions>): Promise<AlertLoop>;
  ticks(n: number): Promise<void>;
  run(syncId: string, status: 'succeeded' | 'failed' | 'running', options?: { error?: string; startedAt?: Date; finishedAt?: Date }): Promise<string>;
  cleanup(): Promise<void>;
}

const OWNER = 'test:1:alerts';
const progress = { records: 0, percent: null, etaSeconds: null };

async function harness(options: { freshness?: boolean; backend?: 'postgres' | 'pglite' } = {}): Promise<Harness> {
  const receiver = await startReceiver();
  const pglite = options.backend === 'pglite';
  const { schema, drop } = pglite ? { schema: 'tidemark', drop: async () => {} } : await freshSchema('alerts');
  const env: NodeJS.ProcessEnv = {
    HOOK_SECRET: 'whsec-hook-signing-secret-1234',
    SLACK_URL: `${receiver.base}/slack/T0SECRET1/B0SECRET2/slacksecretpathtoken99`,
    TG_TOKEN: '987654321:AAtelegram-bot-secret-token',
    SENTRY_DSN: `${receiver.base.replace('//', '//sentrypublickey0123abcd@')}/42`,
    ACME_KEY: 'sk_live_upstream_api_key_777',
  };
  const config = configSchema.parse({
    controlPlane: { url: pglite ? 'pglite:memory' : PG_URL, schema },
    tenants: [
      {
        id: 'acme',
        name: 'Acme',
        timezone: 'America/Chicago',
        businessHours: { start: '08:00', end: '23:00' },
        alerts: {
          webhooks: [{ url: `${receiver.base}/hook`, secret: { env: 'HOOK_SECRET' } }],
          slack: { webhookUrl: { env: 'SLACK_URL' } },
          telegram: { botToken: { env: 'TG_TOKEN' }, chatId: '-100777', apiUrl: receiver.base },
          sentry: { dsn: { env: 'SENTRY_DSN' } },
          slowRunMinutes: 5,
        },
      },
    ],
    connections: [{ id: 'acme-ct', tenant: 'acme', connector: 'connecteam', credentials: { apiKey: { env: 'ACME_KEY' } } }],
    destinations: [{ id: 'warehouse', url: PG_URL }],
    syncs: [
      {
        id: 'acme-shifts',
        tenant: 'acme',
        connection: 'acme-ct',
        stream: 'connecteam.shifts',
        destination: 'warehouse',
        ...(options.freshness ? { freshness: { staleAfterMinutes: 120 } } : {}),
      },
    ],
  });
  const db = await openPostgres(pglite ? 'pglite:memory' : PG_URL, { max: 2 });
  await migrateLedger(db, schema);
  const ledger = new Ledger(db, schema);
  const logs: string[] = [];
  const loops: AlertLoop[] = [];
  const h: Harness = {
    receiver,
    schema,
    db,
    ledger,
    config,
    env,
    logs,
    secrets: [
      ...Object.values(env).map(String),
      'T0SECRET1',
      'slacksecretpathtoken99',
      'AAtelegram-bot-secret-token',
      'sentrypublickey0123abcd',
    ],
    clock: new Date(),
    async start(overrides = {}) {
      // A long interval: the test drives the ticks after the first, immediate one.
      let first: () => void = () => {};
      const ticked = new Promise<void>((resolve) => (first = resolve));
      const loop = startAlertLoop({ config, env, ledger, intervalMs: 3_600_000, minGapMs: 0, now: () => h.clock, log: (line) => logs.push(line), onTick: () => first(), ...overrides });
      loops.push(loop);
      await ticked;
      return loop;
    },
    async ticks(n) {
      for (let i = 0; i < n; i++) {
        const report = await loops[0]!.tick();
        assert.equal(report.error, null, `tick failed: ${report.error}`);
      }
    },
    async run(syncId, status, runOptions = {}) {
      const run = await ledger.startRun({ syncId, tenantId: 'acme', stream: 'connecteam.shifts', mode: 'window', windowFrom: null, windowTo: null, trigger: 'test', owner: OWNER });
      if (status !== 'running') {
        await ledger.finishRun(run.id, OWNER, { status, counts: { ...ZERO_COUNTS }, warnings: [], error: runOptions.error ?? null, upstream: {}, progress });
      }
      if (runOptions.startedAt || runOptions.finishedAt) {
        await db.query(`UPDATE "${schema}".runs SET started_at = COALESCE($2, started_at), finished_at = COALESCE($3, finished_at) WHERE id = $1`, [
          run.id,
          runOptions.startedAt ?? null,
          runOptions.finishedAt ?? null,
        ]);
      }
      return run.id;
    },
    async cleanup() {
      for (const loop of loops) await loop.stop();
      await db.close();
      await drop();
      await receiver.close();
    },
  };
  return h;
}

function assertNoSecrets(h: Harness): void {
  for (const r of h.receiver.received) {
    for (const secret of h.secrets) assert.ok(!r.body.includes(secret), `a ${r.channel} payload carries a secret: ${r.body}`);
  }
  for (const line of h.logs) {
    for (const secret of h.secrets) assert.ok(!line.includes(secret), `a log line carries a secret: ${line}`);
  }
}

test('a failed run: one signed alert per channel however many ticks, no secret in it; one recovery when a run succeeds', async () => {
  const h = await harness();
  try {
    await h.start();
    await h.ticks(1);
    assert.equal(h.receiver.received.length, 0, 'nothing to say before any run');

    const runId = await h.run('acme-shifts', 'failed', { error: `upstream answered 401: invalid key ${h.env.ACME_KEY}` });
    await h.ticks(4);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);

    // The webhook: the alert as JSON, HMAC-SHA256 of the raw body with the webhook's secret.
    const hook = h.receiver.received.find((r) => r.channel === 'webhook')!;
    assert.equal(hook.headers['content-type'], 'application/json');
    assert.equal(hook.headers['x-tidemark-event'], 'run_failed');
    const expected = `sha256=${createHmac('sha256', h.env.HOOK_SECRET!).update(hook.body).digest('hex')}`;
    const got = String(hook.headers['x-tidemark-signature']);
    assert.ok(got.length === expected.length && timingSafeEqual(Buffer.from(got), Buffer.from(expected)), 'the signature verifies with the secret');
    const wrong = `sha256=${createHmac('sha256', 'another-secret').update(hook.body).digest('hex')}`;
    assert.notEqual(got, wrong);
    assert.ok(hook.body.startsWith('{"id":'), 'fields in the documented order');
    const alert = JSON.parse(hook.body) as Alert;
    assert.equal(alert.kind, 'run_failed');
    assert.equal(alert.tenant, 'acme');
    assert.equal(alert.sync, 'acme-shifts');
    assert.equal(alert.runId, runId);
    assert.equal(hook.headers['x-tidemark-delivery'], alert.id);
    assert.match(alert.message, new RegExp(`run #${runId} failed: upstream answered 401: invalid key \\*\\*\\*`));
    assert.ok(!Number.isNaN(Date.parse(alert.at)));
    assert.equal(typeof alert.details, 'object');

    // Slack: {text}; Telegram: sendMessage with the chat id, token only in the path.
    const slack = h.receiver.received.find((r) => r.channel === 'slack')!;
    assert.equal(slack.path, '/slack/T0SECRET1/B0SECRET2/slacksecretpathtoken99');
    assert.match((JSON.parse(slack.body) as { text: string }).text, /Run failed \[acme\] Sync acme-shifts \(Acme\): run #\d+ failed/);
    const telegram = h.receiver.received.find((r) => r.channel === 'telegram')!;
    assert.equal(telegram.path, `/bot${h.env.TG_TOKEN}/sendMessage`);
    const message = JSON.parse(telegram.body) as { chat_id: string; text: string };
    assert.equal(message.chat_id, '-100777');
    assert.match(message.text, /Run failed/);

    // Sentry: an envelope to /api/<project>/envelope/, the key in X-Sentry-Auth only.
    const sentry = h.receiver.received.find((r) => r.channel === 'sentry')!;
    assert.equal(sentry.path, '/api/42/envelope/');
    assert.equal(sentry.headers['content-type'], 'application/x-sentry-envelope');
    assert.match(String(sentry.headers['x-sentry-auth']), /^Sentry sentry_version=7, sentry_client=[^,]+, sentry_key=sentrypublickey0123abcd$/);
    const [envelopeHeader, itemHeader, eventLine] = sentry.body.split('\n');
    const item = JSON.parse(itemHeader!) as { type: string; length: number };
    assert.equal(item.type, 'event');
    assert.equal(item.length, Buffer.byteLength(eventLine!, 'utf8'));
    const event = JSON.parse(eventLine!) as { event_id: string; level: string; tags: Record<string, string> };
    assert.equal(event.event_id, alert.id.replaceAll('-', ''));
    assert.equal((JSON.parse(envelopeHeader!) as { event_id: string }).event_id, event.event_id);
    assert.equal(event.level, 'error');
    assert.equal(event.tags.sync, 'acme-shifts');

    // Another failure while the condition is open (the job's next attempt): no repeat.
    await h.run('acme-shifts', 'failed', { error: 'still failing' });
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);
    assert.deepEqual(delivered(h.receiver, 'recovered'), NONE);

    // A later success: one recovery per channel, not one per tick.
    const ok = await h.run('acme-shifts', 'succeeded');
    await h.ticks(4);
    assert.deepEqual(delivered(h.receiver, 'recovered'), ONCE_EACH);
    const recovered = h.receiver.received.filter((r) => r.channel === 'webhook').map((r) => JSON.parse(r.body) as Alert).find((a) => a.kind === 'recovered')!;
    assert.equal(recovered.runId, ok);
    assert.match(recovered.message, new RegExp(`recovered: run #${ok} succeeded`));
    assert.deepEqual(recovered.details.cleared, ['run_failed']);
    const sentryRecovered = h.receiver.received.filter((r) => r.channel === 'sentry').at(-1)!;
    assert.equal((JSON.parse(sentryRecovered.body.split('\n')[2]!) as { level: string }).level, 'info');

    assert.equal(h.receiver.received.length, 8, 'two alerts, four channels, nothing else');
    const left = await h.db.query<{ kind: string }>(`SELECT kind FROM "${h.schema}".alert_state WHERE sync_id <> '*'`);
    assert.deepEqual(left.rows, [], 'nothing open, nothing left to deliver');
    assertNoSecrets(h);
  } finally {
    await h.cleanup();
  }
});

test('on the embedded control plane (PGlite) too: one alert per channel, one recovery', async () => {
  const h = await harness({ backend: 'pglite' });
  try {
    await h.start();
    await h.run('acme-shifts', 'failed', { error: 'boom' });
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);
    await h.run('acme-shifts', 'succeeded');
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'recovered'), ONCE_EACH);
    assert.equal(h.receiver.received.length, 8);
  } finally {
    await h.cleanup();
  }
});

test('a job dead-lettered before any run started alerts once, and its event is marked delivered', async () => {
  const h = await harness();
  try {
    await h.start();
    await h.ledger.recordEvent({
      kind: 'run_dead_lettered',
      tenantId: 'acme',
      syncId: 'acme-shifts',
      runId: null,
      message: 'sync acme-shifts: job j-1 moved to the dead-letter queue after attempt 1: destination "warehouse" refused the connection',
      data: {},
    });
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);
    const alert = JSON.parse(h.receiver.received.find((r) => r.channel === 'webhook')!.body) as Alert;
    assert.match(alert.message, /moved to the dead-letter queue after attempt 1/);
    assert.equal(alert.runId, undefined);
    const events = await h.db.query<{ delivered_at: Date | null }>(`SELECT delivered_at FROM "${h.schema}".events`);
    assert.ok(events.rows.every((e) => e.delivered_at !== null), 'the event is delivered');
    // An old success does not clear it; a success after the failure does.
    await h.ticks(2);
    assert.deepEqual(delivered(h.receiver, 'recovered'), NONE);
    await h.run('acme-shifts', 'succeeded');
    await h.ticks(2);
    assert.deepEqual(delivered(h.receiver, 'recovered'), ONCE_EACH);
    assertNoSecrets(h);
  } finally {
    await h.cleanup();
  }
});

test('stale data alerts inside business hours, never at night, once; the night does not clear it, fresh data does', async () => {
  const h = await harness({ freshness: true });
  try {
    // Chicago is UTC-5 (CDT) in March 2026. The last success ended Tuesday 12:00 local.
    await h.run('acme-shifts', 'succeeded', { startedAt: new Date('2026-03-10T16:55:00Z'), finishedAt: new Date('2026-03-10T17:00:00Z') });
    h.clock = new Date('2026-03-11T07:00:00Z'); // Wednesday 02:00 local: 11 business hours old, but night
    await h.start();
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'stale'), NONE, 'no staleness alert at night');

    h.clock = new Date('2026-03-11T13:30:00Z'); // 08:30 local: business hours
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'stale'), ONCE_EACH);
    const alert = JSON.parse(h.receiver.received.find((r) => r.channel === 'webhook')!.body) as Alert;
    assert.equal(alert.kind, 'stale');
    assert.equal(alert.at, '2026-03-11T13:30:00.000Z', 'judged on the loop clock');
    assert.equal(alert.details.staleAfterMinutes, 120);
    assert.match(alert.message, /data is stale: the last successful run ended \d+ h ago \(expected at least every 2 h within business hours\)/);

    h.clock = new Date('2026-03-12T04:30:00Z'); // 23:30 local: night again, still no fresh data
    await h.ticks(2);
    assert.deepEqual(delivered(h.receiver, 'recovered'), NONE, 'nightfall is no recovery');
    assert.deepEqual(delivered(h.receiver, 'stale'), ONCE_EACH);

    await h.run('acme-shifts', 'succeeded', { startedAt: new Date('2026-03-12T04:35:00Z'), finishedAt: new Date('2026-03-12T04:40:00Z') });
    h.clock = new Date('2026-03-12T04:45:00Z');
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'recovered'), ONCE_EACH);
    const recovered = h.receiver.received.filter((r) => r.channel === 'webhook').map((r) => JSON.parse(r.body) as Alert).at(-1)!;
    assert.match(recovered.message, /recovered: data is fresh again/);
    assertNoSecrets(h);
  } finally {
    await h.cleanup();
  }
});

test('a run over the tenant slowRunMinutes alerts once, and recovers when it ends', async () => {
  const h = await harness();
  try {
    const runId = await h.run('acme-shifts', 'running');
    await h.db.query(`UPDATE "${h.schema}".runs SET started_at = now() - interval '3 minutes' WHERE id = $1`, [runId]);
    h.clock = new Date();
    await h.start({ now: () => new Date() });
    await h.ticks(2);
    assert.deepEqual(delivered(h.receiver, 'slow_run'), NONE, '3 minutes is within the 5-minute limit');

    await h.db.query(`UPDATE "${h.schema}".runs SET started_at = now() - interval '7 minutes' WHERE id = $1`, [runId]);
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'slow_run'), ONCE_EACH);
    const alert = JSON.parse(h.receiver.received.find((r) => r.channel === 'webhook')!.body) as Alert;
    assert.equal(alert.runId, runId);
    assert.match(alert.message, new RegExp(`run #${runId} has been running for \\d+ min \\(limit 5 min\\)`));
    assert.equal(alert.details.limitMinutes, 5);

    await h.ledger.finishRun(runId, OWNER, { status: 'succeeded', counts: { ...ZERO_COUNTS }, warnings: [], error: null, upstream: {}, progress });
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'recovered'), ONCE_EACH);
    const recovered = h.receiver.received.filter((r) => r.channel === 'webhook').map((r) => JSON.parse(r.body) as Alert).at(-1)!;
    assert.match(recovered.message, new RegExp(`slow run #${runId} succeeded`));
    assertNoSecrets(h);
  } finally {
    await h.cleanup();
  }
});

test('a receiver answering 500 gets the alert on a later tick; the errors logged carry no secret', async () => {
  const h = await harness();
  try {
    h.receiver.failNext('/hook', 1);
    h.receiver.failNext('/slack/', 2);
    await h.start();
    await h.run('acme-shifts', 'failed', { error: 'boom' });
    await h.ticks(1);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), { webhook: 0, slack: 0, telegram: 1, sentry: 1 });
    await h.ticks(1);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), { webhook: 1, slack: 0, telegram: 1, sentry: 1 });
    await h.ticks(3);
    assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);

    const hooks = h.receiver.received.filter((r) => r.channel === 'webhook');
    assert.deepEqual(hooks.map((r) => r.status), [500, 200]);
    assert.equal(hooks[0]!.headers['x-tidemark-delivery'], hooks[1]!.headers['x-tidemark-delivery'], 'a retry is the same alert');
    assert.equal(hooks[0]!.body, hooks[1]!.body);
    assert.equal(h.receiver.received.filter((r) => r.channel === 'slack').length, 3);

    assert.ok(h.logs.some((l) => /not delivered to webhook #1 \(127\.0\.0\.1:\d+\).*HTTP 500/.test(l)), h.logs.join('\n'));
    assert.ok(h.logs.some((l) => /not delivered to slack \(retried next tick\): HTTP 500: \{"error":"cannot handle \/slack\/\*\*\*/.test(l)), h.logs.join('\n'));
    assert.ok(h.logs.some((l) => /delivered to slack after 3 attempts/.test(l)), h.logs.join('\n'));
    assert.equal(h.logs.filter((l) => /not delivered to slack/.test(l)).length, 1, 'the same failure is logged once, not every tick');
    assertNoSecrets(h);
  } finally {
    await h.cleanup();
  }
});

test('two processes on one control plane: each alert is sent once', async () => {
  const h = await harness();
  const other = await openPostgres(PG_URL, { max: 2 });
  const ticks = [0, 0];
  try {
    // Both loops on their own timers (and their own pools), as two workers would run.
    const options = { config: h.config, env: h.env, intervalMs: 60, now: () => new Date(), log: (line: string) => h.logs.push(line) };
    const first = startAlertLoop({ ...options, ledger: h.ledger, minGapMs: 0, onTick: () => ticks[0]!++ });
    const second = startAlertLoop({ ...options, ledger: new Ledger(other, h.schema), minGapMs: 0, onTick: () => ticks[1]!++ });
    try {
      await h.run('acme-shifts', 'failed', { error: 'boom' });
      const deadline = Date.now() + 20_000;
      while (delivered(h.receiver, 'run_failed').webhook === 0 && Date.now() < deadline) await sleep(50);
      const seen = [...ticks];
      while ((ticks[0]! < seen[0]! + 5 || ticks[1]! < seen[1]! + 5) && Date.now() < deadline) await sleep(50);
      assert.ok(ticks[0]! >= seen[0]! + 5 && ticks[1]! >= seen[1]! + 5, `both loops kept ticking (${ticks.join(', ')})`);
      assert.deepEqual(delivered(h.receiver, 'run_failed'), ONCE_EACH);
      assert.equal(h.receiver.received.length, 4);
    } finally {
      await first.stop();
      await second.stop();
    }
  } finally {
    await other.close();
    await h.cleanup();
  }
});
