/**
 * Issue 7, end to end: the example offline site (examples/audit-site/site.ts: its SQLite replica,
 * sync loop, page and local API) in Debian's chromium (/usr/bin/chromium, never a downloaded
 * browser) driven by playwright-core, syncing with a REAL Tidemark server on Postgres
 * (test/helpers/replica-server.ts). Nothing is stubbed: the page's form writes through the site,
 * the browser sync helper triggers the pushes, and the server's replica_rows is checked directly.
 *   (a) page load syncs ("synced"); two tasks added in the form, and a note, reach the server;
 *   (b) offline: the badge says so and nothing is pushed, even with local writes; back online the
 *       helper's `online` trigger pushes them (the completion carries the site's client id and
 *       business date), "synced" with nothing pending;
 *   (c) a second site, with its own SQLite file and client, sees the first site's tasks on load;
 *   (d) a completion the server refuses (the second site closed the task first) is listed under
 *       "needs attention", and the first site shows the server's version of the task.
 * The helper's trigger logic (cooldown, single flight, retries) is tested precisely against a
 * stand-in local process in test/replica-browser.browser.test.ts.
 * Screenshots go to test-artifacts/site-app-*.png.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { randomUUID } from 'node:crypto';
import { existsSync, mkdirSync, rmSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { startAuditSite, type AuditSite } from '../examples/audit-site/site.ts';
import { startReplicaServer, type ReplicaTestServer } from './helpers/replica-server.ts';
import { freshSitePath } from './helpers/replica-site.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
/** Generous: the machine may be busy with other suites. */
const WAIT_MS = 30_000;
/** The server's business timezone (startReplicaServer's default); the sites start with 'UTC' and take the server's. */
const SERVER_ZONE = 'America/New_York';

interface Task {
  id: string;
  title: string | null;
  due_date: string | null;
  note: string | null;
  done_at: string | null;
  done_by: string | null;
  done_on: string | null;
}

/** Poll `probe` until it is truthy (every 100 ms, up to `timeoutMs`); the message says what was awaited and where things stood. */
async function until<T>(what: string, probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, detail: () => Promise<string> | string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${await detail()}`);
    await sleep(100);
  }
}

/** The audit tasks as the server has them (live rows of replica_rows), by id. */
async function serverTasks(server: ReplicaTestServer): Promise<Map<string, Task>> {
  const rows = await server.rows<{ row: Task }>(
    `SELECT row FROM {{schema}}.replica_rows WHERE replica_id = 'audits' AND table_name = 'audit_tasks' AND deleted_at IS NULL ORDER BY row_key`,
  );
  return new Map(rows.map(({ row }) => [row.id, row]));
}

async function waitForBadge(page: Page, state: string): Promise<void> {
  await page.locator(`#sync-badge[data-state="${state}"]`).waitFor({ state: 'attached', timeout: WAIT_MS });
}

async function badge(page: Page): Promise<{ state: string | null; text: string | null; pending: string | null }> {
  const element = page.locator('#sync-badge');
  return { state: await element.getAttribute('data-state'), text: await element.textContent(), pending: await element.getAttribute('data-pending') };
}

/** "synced" with nothing pending: the last sync answer the page had said so. */
async function waitForSynced(page: Page, what: string, site: AuditSite): Promise<void> {
  await until(what, async () => {
    const now = await badge(page);
    return now.state === 'synced' && now.pending === '0';
  }, async () => JSON.stringify({ badge: await badge(page), loop: site.loop.status() }));
}

/** The task's list item, found by its exact title. */
function taskItem(page: Page, title: string) {
  return page.locator('#tasks li.task').filter({ has: page.locator('.task-title').getByText(title, { exact: true }) });
}

/** What the page lists: title, open/done and the meta line, by task id. */
async function listed(page: Page): Promise<Map<string, { title: string; state: string; meta: string }>> {
  const items = page.locator('#tasks li.task');
  const out = new Map<string, { title: string; state: string; meta: string }>();
  for (let i = 0; i < (await items.count()); i++) {
    const item = items.nth(i);
    out.set((await item.getAttribute('data-id')) ?? '', {
      title: (await item.locator('.task-title').textContent()) ?? '',
      state: (await item.getAttribute('data-state')) ?? '',
      meta: (await item.locator('.task-meta').textContent()) ?? '',
    });
  }
  return out;
}

/** Add a task through the page's form and return the id the page made for it. */
async function addTask(page: Page, title: string): Promise<string> {
  await page.locator('#task-title').fill(title);
  await page.locator('#add-form button[type="submit"]').click();
  const item = taskItem(page, title);
  await item.waitFor({ state: 'attached', timeout: WAIT_MS });
  const id = await item.getAttribute('data-id');
  assert.match(id ?? '', /^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/, 'the page makes UUIDs for new tasks');
  assert.equal(await page.locator('#task-title').inputValue(), '', 'the form is cleared after the write');
  return id!;
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(ARTIFACTS, `site-app-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path), path);
}

/**
 * Console errors and page errors (CSP and Trusted Types violations are console errors). While the
 * context is offline, Playwright also blocks the page's requests to the local process itself (a
 * real browser still reaches 127.0.0.1), so the page's list refresh then fails: that line is allowed.
 */
function watchErrors(page: Page, into: string[]): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    if (/net::ERR_INTERNET_DISCONNECTED/.test(message.text())) return;
    into.push(`console: ${message.text()}`);
  });
}

test('the example audit site in chromium with a real Tidemark server: writes reach the server, offline writes are pushed on reconnect, a second site sees them, a refused one needs attention', { timeout: 240_000 }, async (t) => {
  if (!existsSync(CHROMIUM)) {
    assert.fail(`Debian's chromium is not installed at ${CHROMIUM}; install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does so). This test never downloads a browser.`);
  }
  mkdirSync(ARTIFACTS, { recursive: true });

  const paths: string[] = [];
  const sites: AuditSite[] = [];
  let server: ReplicaTestServer | undefined;
  let browser: Browser | undefined;
  try {
    server = await startReplicaServer({ timezone: SERVER_ZONE });
    const srv = server;
    const openSite = async (clientId: string, loop: { intervalMs: number; debounceMs?: number }) => {
      const dbPath = freshSitePath();
      paths.push(dbPath);
      const site = await startAuditSite({ dbPath, clientId, serverUrl: srv.url, token: await srv.addClient(clientId), loop });
      sites.push(site);
      return site;
    };
    // Site A's loop never pushes by itself during the test (a write's debounce and the interval are
    // an hour): every push below comes from a trigger of the browser helper in its page.
    const siteA = await openSite('site-a', { intervalMs: 3_600_000, debounceMs: 3_600_000 });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
    const context: BrowserContext = await browser.newContext({ viewport: { width: 900, height: 700 } });
    const pageA = await context.newPage();
    const errors: string[] = [];
    watchErrors(pageA, errors);
    /** Every sync site A's page asked for (POST /local/sync bodies), in order. */
    const syncsA: { reason: string; kind: string }[] = [];
    pageA.on('request', (request) => {
      if (new URL(request.url()).pathname === '/local/sync') syncsA.push(JSON.parse(request.postData() ?? '{}') as { reason: string; kind: string });
    });

    let firstId = '';
    let secondId = '';
    let offlineId = '';

    await t.test('(a) page load syncs; two tasks added in the form and a note reach the server', async () => {
      // A long pull cooldown (?cooldown=): only load, writes and `online` sync this page, so its requests are exact.
      const answer = await pageA.goto(`${siteA.url}/?cooldown=600000`);
      assert.equal(answer?.status(), 200);
      const csp = (await answer!.allHeaders())['content-security-policy'] ?? '';
      for (const directive of ["script-src 'self'", "style-src 'self'", "connect-src 'self'", "require-trusted-types-for 'script'", "trusted-types 'none'"]) {
        assert.ok(csp.includes(directive), `the page's CSP has ${directive} (${csp})`);
      }
      await waitForSynced(pageA, 'the load sync ("synced")', siteA);
      assert.equal((await badge(pageA)).text, 'synced');
      // The server's zone won over the site's starting 'UTC'; the page shows it and the business date.
      assert.equal(siteA.site.timezone, SERVER_ZONE);
      await until('the page to show the server\'s zone', async () => (await pageA.locator('#timezone').textContent()) === `(${SERVER_ZONE})`, async () => String(await pageA.locator('#business-day').textContent()));
      assert.match((await pageA.locator('#business-date').textContent()) ?? '', /^\d{4}-\d{2}-\d{2}$/);

      firstId = await addTask(pageA, 'Check the fire extinguishers');
      secondId = await addTask(pageA, 'Read the boiler pressure');
      // A note through the task's own field (editNote).
      const note = taskItem(pageA, 'Read the boiler pressure').locator('.task-note-input');
      await note.fill('gauge at 1.2 bar');
      await taskItem(pageA, 'Read the boiler pressure').locator('.task-note button[type="submit"]').click();
      const onServer = await until('both tasks and the note in the server\'s replica_rows', async () => {
        const tasks = await serverTasks(srv);
        return tasks.has(firstId) && tasks.get(secondId)?.note === 'gauge at 1.2 bar' ? tasks : null;
      }, async () => JSON.stringify({ server: [...(await serverTasks(srv)).values()], loop: siteA.loop.status(), outbox: siteA.site.db.prepare('SELECT * FROM sync_outbox').all(), syncs: syncsA, note: await note.inputValue() }));
      assert.equal(onServer.size, 2);
      assert.equal(onServer.get(firstId)!.title, 'Check the fire extinguishers');
      assert.equal(onServer.get(secondId)!.title, 'Read the boiler pressure');
      assert.equal(onServer.get(firstId)!.done_at, null);
      await waitForSynced(pageA, 'the badge "synced" after the pushes', siteA);
      assert.equal(siteA.loop.status().pending, 0);
      assert.deepEqual(syncsA.slice(0, 2), [{ reason: 'load', kind: 'push' }, { reason: 'write', kind: 'push' }], 'page load synced, and the first write pushed at once');
      assert.deepEqual([...(await listed(pageA)).keys()].sort(), [firstId, secondId].sort());
      assert.equal(await note.inputValue(), 'gauge at 1.2 bar', 'the saved note stays in its field');
      await screenshot(pageA, 'synced');
    });

    await t.test('(b) offline: "offline", local writes stay local; back online the helper pushes them', async () => {
      await context.setOffline(true);
      await waitForBadge(pageA, 'offline');
      assert.equal((await badge(pageA)).text, 'offline');

      // The page's own requests to the local process are blocked by the emulated network, so the
      // writes go straight to the site, as another local client would make them.
      const dateBefore = siteA.site.businessDate();
      await siteA.site.mutate('completeTask', { id: firstId });
      offlineId = randomUUID();
      await siteA.site.mutate('createTask', { id: offlineId, title: 'Replace the intake filter' });
      const dateAfter = siteA.site.businessDate();
      const local = siteA.site.get('audit_tasks', { id: firstId })!;
      assert.equal(local.done_by, 'site-a');
      assert.ok(local.done_on === dateBefore || local.done_on === dateAfter, `done on the site's business date (${String(local.done_on)})`);
      assert.equal(siteA.site.pendingCount(), 2);

      // Nobody pushed them: the loop waits an hour after a write, and the page does not sync while offline.
      const meanwhile = await serverTasks(srv);
      assert.equal(meanwhile.has(offlineId), false, 'the offline task is not on the server yet');
      assert.equal(meanwhile.get(firstId)!.done_at, null, 'the offline completion is not on the server yet');
      assert.equal(siteA.loop.status().pending, 2);
      assert.equal((await badge(pageA)).state, 'offline');
      await screenshot(pageA, 'offline');

      const syncsBefore = syncsA.length;
      await context.setOffline(false);
      const onServer = await until('the offline writes on the server', async () => {
        const tasks = await serverTasks(srv);
        return tasks.has(offlineId) && tasks.get(firstId)?.done_at ? tasks : null;
      }, async () => JSON.stringify({ server: [...(await serverTasks(srv)).values()], badge: await badge(pageA), loop: siteA.loop.status() }));
      const done = onServer.get(firstId)!;
      assert.equal(done.done_by, 'site-a', 'completed by the site\'s client id');
      assert.equal(done.done_on, local.done_on, 'on the business date the site recorded');
      assert.equal(onServer.get(offlineId)!.title, 'Replace the intake filter');
      assert.equal(onServer.get(offlineId)!.due_date, local.done_on, 'a new task is due on the business date it was created');
      await waitForSynced(pageA, 'the badge "synced" after the online push', siteA);
      assert.equal(siteA.loop.status().pending, 0);
      assert.equal(siteA.site.pendingCount(), 0);
      assert.deepEqual(syncsA.slice(syncsBefore)[0], { reason: 'online', kind: 'push' }, 'the helper\'s `online` trigger pushed them');

      // The page lists the new task and the completion (it re-reads the tasks on every badge change).
      const shown = await until('the page to list the offline writes', async () => {
        const items = await listed(pageA);
        return items.get(offlineId) && items.get(firstId)?.state === 'done' ? items : null;
      }, async () => JSON.stringify([...(await listed(pageA)).entries()]));
      assert.equal(shown.get(firstId)!.meta, `done ${String(local.done_on)} by site-a`);
      assert.equal(shown.get(secondId)!.state, 'open');
      assert.equal(await pageA.locator('#message').isHidden(), true, 'the read error from the offline moment is gone');
      await screenshot(pageA, 'back-online');
    });

    const siteB = await openSite('site-b', { intervalMs: 60_000 });
    const pageB = await context.newPage();
    watchErrors(pageB, errors);

    await t.test('(c) a second site sees the first site\'s tasks after its page loads', async () => {
      await pageB.goto(`${siteB.url}/`);
      await waitForSynced(pageB, 'site B\'s load sync', siteB);
      const shown = await until('site B\'s page to list the three tasks', async () => {
        const items = await listed(pageB);
        return items.size === 3 ? items : null;
      }, async () => JSON.stringify([...(await listed(pageB)).entries()]));
      assert.deepEqual([...shown.keys()].sort(), [firstId, secondId, offlineId].sort());
      assert.deepEqual(shown.get(firstId), { title: 'Check the fire extinguishers', state: 'done', meta: `done ${String(siteA.site.get('audit_tasks', { id: firstId })!.done_on)} by site-a` });
      assert.equal(shown.get(offlineId)!.title, 'Replace the intake filter');
      assert.equal(siteB.site.list('audit_tasks').length, 3, 'in site B\'s SQLite file');
      assert.equal(siteB.site.timezone, SERVER_ZONE);
      await screenshot(pageB, 'second-site');
    });

    await t.test('(d) a completion the server refuses is listed under "needs attention"', async () => {
      // Site B closes the boiler task first; site A, not having pulled since, closes it too.
      await taskItem(pageB, 'Read the boiler pressure').locator('.task-done').click();
      await until('site B\'s completion on the server', async () => (await serverTasks(srv)).get(secondId)?.done_by === 'site-b', async () => JSON.stringify({ server: (await serverTasks(srv)).get(secondId), loop: siteB.loop.status() }));
      assert.equal((await listed(pageA)).get(secondId)!.state, 'open', 'site A has not heard of it yet');

      await taskItem(pageA, 'Read the boiler pressure').locator('.task-done').click();
      const refused = await until('the refused completion under "needs attention"', async () => {
        const section = pageA.locator('#attention-section');
        return (await section.isVisible()) && (await section.locator('li').count()) === 1 ? section.locator('li').first() : null;
      }, async () => JSON.stringify({ rejected: siteA.site.rejected(), badge: await badge(pageA) }));
      assert.match((await refused.textContent()) ?? '', /^completeTask “Read the boiler pressure” on \d{4}-\d{2}-\d{2}: task .+ was already completed by site-b$/);
      assert.equal(siteA.site.rejected().length, 1);
      // The server's version replaced site A's own write: done by site B.
      await until('site A to show the task done by site B', async () => (await listed(pageA)).get(secondId)?.meta.endsWith('by site-b'), async () => JSON.stringify([...(await listed(pageA)).entries()]));
      await waitForSynced(pageA, 'site A "synced" (a refused mutation is not a failed sync)', siteA);
      await screenshot(pageA, 'needs-attention');
    });

    assert.deepEqual(errors, [], 'no script errors and no Content-Security-Policy or Trusted Types violations');
  } finally {
    await browser?.close().catch(() => undefined);
    for (const site of sites) await site.close().catch((error: unknown) => t.diagnostic(`closing a site: ${String(error)}`));
    await server?.close();
    for (const path of paths) rmSync(dirname(path), { recursive: true, force: true });
  }
});
