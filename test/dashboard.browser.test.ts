/**
 * Issue 6, point 4: the dashboard in a real browser. `tidemark start --port 0` runs as a child
 * (scheduler, worker, API and dashboard) against a Connecteam simulator in this process, slowed so a
 * run takes several seconds; playwright-core drives Debian's chromium (/usr/bin/chromium, never a
 * downloaded browser). Without a token the page shows only the login; with an operate token the
 * grid shows the syncs, a trigger's progress bar appears and moves, and the card ends green "just
 * now"; the run's history chart and its changes show; a read token sees no trigger button.
 * Screenshots go to test-artifacts/dashboard-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { chromium, type Browser, type ConsoleMessage, type Page } from 'playwright-core';
import { startConnecteamSimulator } from '../src/connectors/connecteam/simulator/index.ts';
import { addDays, todayIn } from '../src/time/business-day.ts';
import { jobsSchema } from '../src/jobs/queues.ts';
import { PG_URL, pgRows, uniqueName } from './helpers/postgres.ts';
import { runCli, startCli, writeConfig, type CliResult } from './helpers/cli.ts';
import { TEST_JOBS, waitUntil } from './helpers/jobs.ts';
import { CHICAGO, dataset, shift } from './helpers/shifts.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
/** Days of history the sync reads: with the 92-day chunks, six slow upstream requests, so the bar has steps to move through. */
const PAST_DAYS = 459;
const LATENCY_MS = 1000;

/** The whole page, or (`fullPage` false) the window as it is scrolled. */
async function screenshot(page: Page, name: string, fullPage = true): Promise<string> {
  const path = join(ARTIFACTS, `dashboard-${name}.png`);
  await page.screenshot({ path, fullPage });
  return path;
}

/** Console errors and page errors, minus the browser's own line for an expected 401/404 answer. */
function watchErrors(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    if (/Failed to load resource: the server responded with a status of 40[14]/.test(message.text())) return;
    into.push(`console: ${message.text()}`);
  });
}

/** The token the page keeps in sessionStorage (evaluated as a function: the page's CSP forbids string eval). */
function storedToken(page: Page): Promise<string | null> {
  return page.evaluate(() => (globalThis as unknown as { sessionStorage: { getItem(key: string): string | null } }).sessionStorage.getItem('tidemark.token'));
}

async function login(page: Page, url: string, token: string): Promise<void> {
  await page.goto(url);
  await page.locator('#token').fill(token);
  await page.locator('#login-button').click();
  await page.locator('#app').waitFor({ state: 'visible', timeout: 20_000 });
}

test('dashboard in chromium: login only without a token, trigger with a moving progress bar, green "just now", history chart, changes, read token without trigger', { timeout: 150_000 }, async () => {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`Debian's chromium is not installed at ${CHROMIUM}; install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does so). This test never downloads a browser.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });

  const today = todayIn(CHICAGO);
  const shifts = Array.from({ length: PAST_DAYS }, (_, i) => {
    const date = addDays(today, -i);
    return shift(101 + (i % 2), `${date}T08:00`, `${date}T12:30`);
  });
  const simulator = await startConnecteamSimulator({ dataset: dataset(shifts), rateLimit: false, faults: { latencyMs: LATENCY_MS } });
  const controlSchema = uniqueName('ctl');
  const destinationSchema = uniqueName('dst');
  const configPath = writeConfig({
    controlPlane: { url: PG_URL, schema: controlSchema },
    jobs: TEST_JOBS,
    tenants: [
      { id: 'acme', name: 'Acme Cleaning', timezone: CHICAGO },
      { id: 'globex', name: 'Globex', timezone: 'Europe/Berlin' },
    ],
    connections: [
      { id: 'acme-connecteam', tenant: 'acme', connector: 'connecteam', baseUrl: simulator.url, credentials: { apiKey: { env: 'ACME_CT_KEY' } }, maxAttempts: 2 },
      // A key the simulator refuses: globex's runs fail at once (401 is not retried) and are dead-lettered.
      { id: 'globex-connecteam', tenant: 'globex', connector: 'connecteam', baseUrl: simulator.url, credentials: { apiKey: { env: 'GLOBEX_CT_KEY' } }, maxAttempts: 2 },
    ],
    destinations: [{ id: 'warehouse', url: PG_URL, schema: destinationSchema }],
    syncs: [
      {
        id: 'acme-shifts',
        tenant: 'acme',
        connection: 'acme-connecteam',
        stream: 'connecteam.shifts',
        destination: 'warehouse',
        batchSize: 25,
        window: { pastDays: PAST_DAYS, futureDays: 0 },
        freshness: { staleAfterMinutes: 60, businessHoursOnly: false },
      },
      { id: 'acme-users', tenant: 'acme', connection: 'acme-connecteam', stream: 'connecteam.users', destination: 'warehouse' },
      { id: 'globex-users', tenant: 'globex', connection: 'globex-connecteam', stream: 'connecteam.users', destination: 'warehouse', table: 'globex_users' },
    ],
  });
  const wrongKey = 'wrong-key-3c9d2e7f';
  const env = { ACME_CT_KEY: simulator.apiKey, GLOBEX_CT_KEY: wrongKey };
  const server = startCli(['start', '--port', '0', '--config', configPath], env);
  let output = '';
  let exited: CliResult | null = null;
  server.child.stderr!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  server.child.stdout!.on('data', (chunk: Buffer) => (output += chunk.toString()));
  void server.done.then((result) => (exited = result));
  let browser: Browser | null = null;
  const errors: string[] = [];
  const shots: string[] = [];

  try {
    const url = await waitUntil(
      '`tidemark start` to serve the dashboard',
      () => {
        if (exited) throw new Error(`tidemark start exited (${JSON.stringify(exited)}):\n${output}`);
        return /API and dashboard on (http:\/\/\S+?)\/ /.exec(output)?.[1];
      },
      60_000,
      () => output,
    );
    const token = async (name: string, tenants: string[], scope: string): Promise<string> => {
      const result = await runCli(['token', 'create', '--name', name, '--tenant', tenants.join(','), '--scope', scope, '--json', '--config', configPath], env);
      assert.equal(result.code, 0, result.stderr);
      return (JSON.parse(result.stdout) as { token: string }).token;
    };
    const [operateToken, readToken] = await Promise.all([token('ops', ['acme', 'globex'], 'operate'), token('viewer', ['acme'], 'read')]);

    // The page and its files over plain HTTP: types, the CSP, nothing outside the static directory.
    const page0 = await fetch(`${url}/`);
    assert.equal(page0.status, 200);
    assert.match(page0.headers.get('content-type') ?? '', /^text\/html/);
    const csp = page0.headers.get('content-security-policy') ?? '';
    assert.match(csp, /default-src 'none'/);
    assert.match(csp, /script-src 'self'/);
    assert.match(csp, /require-trusted-types-for 'script'/);
    assert.equal(page0.headers.get('x-content-type-options'), 'nosniff');
    const html = await page0.text();
    assert.ok(!/acme|Acme/.test(html), 'the page itself holds no data');
    for (const [file, type] of [['app.js', /^text\/javascript/], ['style.css', /^text\/css/], ['favicon.svg', /^image\/svg\+xml/]] as const) {
      const answer = await fetch(`${url}/assets/${file}`);
      assert.equal(answer.status, 200, file);
      assert.match(answer.headers.get('content-type') ?? '', type, file);
    }
    assert.equal((await fetch(`${url}/assets/..%2F..%2Fregister.ts`)).status, 404);
    assert.equal((await fetch(`${url}/assets/nothing.js`)).status, 404);
    assert.equal((await fetch(`${url}/api/v1/tenants`)).status, 401);

    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context = await browser.newContext({ viewport: { width: 1280, height: 900 } });
    const page = await context.newPage();
    watchErrors(page, errors);

    // No token: only the login form, no data anywhere.
    await page.goto(url);
    await page.locator('#login-form').waitFor({ state: 'visible' });
    assert.equal(await page.locator('#app').isVisible(), false);
    assert.equal(await page.locator('[data-sync]').count(), 0);
    assert.ok(!/acme|globex/i.test(await page.locator('body').innerText()), 'nothing readable without a token');
    shots.push(await screenshot(page, 'login'));

    // A wrong token is refused and stays out of sessionStorage.
    await page.locator('#token').fill(`tm_${'x'.repeat(32)}`);
    await page.locator('#login-button').click();
    await page.locator('#login-error').waitFor({ state: 'visible' });
    assert.match(await page.locator('#login-error').innerText(), /not accepted/);
    assert.equal(await storedToken(page), null);

    // The operate token: the grid of both tenants' syncs.
    await login(page, url, operateToken);
    assert.equal(await storedToken(page), operateToken, 'the token is kept in sessionStorage');
    const card = page.locator('article.sync-card[data-sync="acme-shifts"]');
    await card.waitFor({ state: 'visible' });
    await page.locator('article.sync-card[data-sync="acme-shifts"][data-state]').waitFor({ timeout: 20_000 });
    assert.deepEqual(
      await page.locator('article.sync-card').evaluateAll((cards) => cards.map((c) => c.getAttribute('data-sync'))),
      ['acme-shifts', 'acme-users', 'globex-users'],
    );
    assert.equal(await card.getAttribute('data-state'), 'never_run');
    assert.notEqual(await card.getAttribute('data-colour'), 'green', 'never synced: not fresh');
    assert.equal(await card.locator('.last-success').innerText(), 'never');
    assert.equal(await page.locator('button.trigger').count(), 3, 'an operate token gets a trigger button per sync');
    shots.push(await screenshot(page, 'grid'));

    // Trigger: the progress bar appears and its value rises while the run reads; then green, "just now".
    await card.locator('button.trigger').click();
    const seen: number[] = [];
    let sawRunning = false;
    let progressShot = false;
    const deadline = Date.now() + 60_000;
    for (;;) {
      const state = await card.getAttribute('data-state');
      if (state === 'running') {
        sawRunning = true;
        const bar = card.locator('progress.run-progress');
        if (await bar.isVisible()) {
          const value = await bar.getAttribute('value');
          if (value !== null && (seen.length === 0 || Number(value) !== seen[seen.length - 1])) seen.push(Number(value));
          if (!progressShot && seen.length >= 2) {
            shots.push(await screenshot(page, 'progress'));
            progressShot = true;
          }
        }
      }
      if (state === 'succeeded' || state === 'failed') break;
      if (Date.now() > deadline) assert.fail(`the run did not finish within 60 s; progress values seen ${JSON.stringify(seen)}; server output:\n${output}`);
      await page.waitForTimeout(100);
    }
    assert.ok(sawRunning, 'the card showed the run as running');
    assert.ok(
      seen.some((v, i) => i > 0 && v > seen[i - 1]!),
      `the progress bar's value increased at least once while the run was going (seen ${JSON.stringify(seen)})`,
    );
    await page.locator('article.sync-card[data-sync="acme-shifts"][data-colour="green"]').waitFor({ timeout: 15_000 });
    assert.equal(await card.getAttribute('data-state'), 'succeeded');
    assert.equal(await card.locator('.progress-row').isVisible(), false, 'no progress bar once the run is over');
    const lastSuccess = card.locator('time.last-success');
    assert.match(await lastSuccess.innerText(), /^(just now|\d+ seconds ago)$/);
    assert.match((await lastSuccess.getAttribute('title')) ?? '', /\(America\/Chicago\)$/, 'the exact time in the tenant\'s zone on hover');
    assert.match(await card.locator('.records').innerText(), new RegExp(`${PAST_DAYS} records`));
    shots.push(await screenshot(page, 'green'));

    // History: the chart and the run; the run's changes (before/after).
    await card.locator('button.history').click();
    const history = page.locator('.history-panel');
    await history.locator('svg.run-chart rect.bar').first().waitFor({ state: 'attached' });
    assert.equal(await history.locator('tr.run').count(), 1);
    assert.equal(await history.locator('svg.run-chart circle.records-dot').count(), 1);
    await history.scrollIntoViewIfNeeded();
    shots.push(await screenshot(page, 'history', false));
    await history.locator('button.open-run').first().click();
    const changes = page.locator('.run-panel tr.change');
    await changes.first().waitFor({ state: 'visible' });
    assert.equal(await changes.count(), 200, 'the first 200 changes of the run');
    assert.equal(await changes.first().getAttribute('class'), 'change op-created');
    const firstDiff = changes.first().locator('table.diff');
    await changes.first().locator('summary').click();
    assert.ok((await firstDiff.locator('td.field').allInnerTexts()).includes('shift_id'));
    await page.locator('.run-panel').scrollIntoViewIfNeeded();
    shots.push(await screenshot(page, 'run-changes', false));

    // Dead letters: the panel opens (nothing failed).
    await page.locator('section.tenant[data-tenant="acme"] button.dead-letters').click();
    await page.locator('.dead-letters-panel').waitFor({ state: 'visible' });
    assert.match(await page.locator('.dead-letters-panel').innerText(), /Runs that failed every attempt \(0\)/);

    // A failing sync: red/yellow with its error, then its dead-lettered job replayed from the panel.
    const globex = page.locator('article.sync-card[data-sync="globex-users"]');
    await globex.locator('button.trigger').click();
    await page.locator('article.sync-card[data-sync="globex-users"][data-state="failed"]').waitFor({ timeout: 30_000 });
    assert.match(await globex.locator('.last-error').innerText(), /401/);
    assert.notEqual(await globex.getAttribute('data-colour'), 'green');
    const deadRow = page.locator('.dead-letters-panel table.dead-runs tbody tr');
    await waitUntil('the failed job in the dead letters panel', async () => {
      await page.locator('section.tenant[data-tenant="globex"] button.dead-letters').click();
      await page.locator('.dead-letters-panel[data-tenant="globex"]').waitFor({ state: 'visible' });
      return (await deadRow.count()) > 0;
    }, 30_000);
    assert.match(await deadRow.first().innerText(), /globex-users/);
    await deadRow.first().locator('button.replay').click();
    await page.locator('.dead-letters-panel .card-message', { hasText: 'back in the queue' }).waitFor({ timeout: 15_000 });
    shots.push(await screenshot(page, 'dead-letters', false));
    assert.ok(!(await page.locator('body').innerText()).includes(wrongKey), 'the connection key never reaches the page');

    // Reconcile and the event stream: used exactly when the server has the routes (the page reads the OpenAPI document).
    const spec = (await (await fetch(`${url}/api/openapi.json`, { headers: { authorization: `Bearer ${readToken}` } })).json()) as { paths: Record<string, unknown> };
    const hasEvents = '/api/v1/tenants/{tenant}/events' in spec.paths;
    assert.match(await page.locator('#live-mode').innerText(), hasEvents ? /server-sent events/ : /refreshed every second/);
    const hasReconcile = '/api/v1/tenants/{tenant}/reconcile' in spec.paths;
    assert.equal(await page.locator('button.reconcile').count(), hasReconcile ? 2 : 0, 'a Reconcile button per tenant exactly when the route exists');
    if (hasReconcile) {
      await page.locator('section.tenant[data-tenant="acme"] button.reconcile').click();
      const panel = page.locator('.reconcile-panel');
      await panel.locator('select[name="sync"]').selectOption('acme-shifts');
      await panel.locator('input[name="from"]').fill(addDays(today, -6));
      await panel.locator('input[name="to"]').fill(addDays(today, 1));
      await panel.locator('button[type="submit"]').click();
      const report = panel.locator('.reconcile-report');
      await panel.locator('.reconcile-report, .reconcile-output .error').first().waitFor({ state: 'visible', timeout: 30_000 });
      assert.equal(await panel.locator('.reconcile-output .error').count(), 0, await panel.innerText());
      assert.equal(await report.getAttribute('data-matches'), 'true', await panel.innerText());
      assert.equal(await report.locator('tr.match').count(), 7, 'one row per business day of the range');
      shots.push(await screenshot(page, 'reconcile', false));
    }

    // Log out: back to the login, the token gone.
    await page.locator('#logout').click();
    await page.locator('#login-form').waitFor({ state: 'visible' });
    assert.equal(await page.locator('[data-sync]').count(), 0);
    assert.equal(await storedToken(page), null);

    // A read token for acme: its syncs, green, and no trigger button; globex is not there.
    const readPage = await (await browser.newContext({ viewport: { width: 1280, height: 800 } })).newPage();
    watchErrors(readPage, errors);
    await login(readPage, url, readToken);
    const readCard = readPage.locator('article.sync-card[data-sync="acme-shifts"]');
    await readPage.locator('article.sync-card[data-sync="acme-shifts"][data-colour="green"]').waitFor({ timeout: 20_000 });
    assert.equal(await readPage.locator('section.tenant').count(), 1);
    assert.equal(await readPage.locator('section.tenant[data-tenant="globex"]').count(), 0);
    assert.equal(await readPage.locator('button.trigger').count(), 0, 'a read token sees no trigger button');
    assert.equal(await readCard.locator('button.history').count(), 1);
    assert.match(await readPage.locator('#session-info').innerText(), /read-only/);
    shots.push(await screenshot(readPage, 'read-token'));

    assert.deepEqual(errors, [], 'no script errors and no Content-Security-Policy violations');
    const runs = await pgRows<{ status: string; trigger: string }>(`SELECT status, trigger FROM "${controlSchema}".runs WHERE sync_id = 'acme-shifts'`);
    assert.deepEqual(runs, [{ status: 'succeeded', trigger: 'api' }]);
    for (const shot of shots) assert.ok(existsSync(shot), shot);
  } finally {
    await browser?.close().catch(() => undefined);
    if (!exited) {
      server.child.kill('SIGTERM');
      const stopped = await Promise.race([server.done, new Promise<null>((resolve) => setTimeout(() => resolve(null), 15_000).unref())]);
      if (!stopped) {
        server.child.kill('SIGKILL');
        await server.done;
      }
    }
    await simulator.close().catch(() => undefined);
    for (const schema of [controlSchema, jobsSchema(controlSchema), destinationSchema]) await pgRows(`DROP SCHEMA IF EXISTS "${schema}" CASCADE`);
  }
});
