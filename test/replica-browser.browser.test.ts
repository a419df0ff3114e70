/**
 * Issue 7, point 4: the offline site's browser helper (src/replica/browser/sync-helper.js) in a
 * real browser. playwright-core drives Debian's chromium (/usr/bin/chromium, never a downloaded
 * browser) on an example page served with a strict CSP (test/helpers/replica-browser-page.ts).
 * What the page shows (the badge) and how many POST /local/sync reached the local process:
 * page load syncs once; focus and visibility inside the cooldown do not, after it they pull; a
 * local write pushes at once; offline shows "offline" and syncs nothing, `online` pushes; a failing
 * sync shows "error" and retries by itself; triggers during a slow sync make exactly one more.
 * The local process here is `CountingSite`, a stand-in that counts, fails and holds syncs on
 * demand, so the helper's trigger logic can be tested precisely. The end-to-end test with the real
 * example site (examples/audit-site/site.ts) and a real Tidemark server is
 * test/replica-site-app.browser.test.ts.
 * Screenshots go to test-artifacts/replica-*.png.
 */
import { after, before, describe, test } from 'node:test';
import assert from 'node:assert/strict';
import { existsSync, mkdirSync } from 'node:fs';
import { fileURLToPath } from 'node:url';
import { join } from 'node:path';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, type Browser, type BrowserContext, type ConsoleMessage, type Page } from 'playwright-core';
import { startSitePage, type LocalSite, type SitePage } from './helpers/replica-browser-page.ts';

const CHROMIUM = '/usr/bin/chromium';
const CHROMIUM_ARGS = ['--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run', '--disable-background-networking', '--disable-component-update', '--disable-sync'];
const ARTIFACTS = fileURLToPath(new URL('../test-artifacts/', import.meta.url));
/** Generous: the machine may be busy with other suites. */
const WAIT_MS = 30_000;

interface Status {
  pending: number;
  lastSyncAt: string | null;
  error: string | null;
}

/**
 * A stand-in for the site's local process, used to test the helper's trigger logic precisely: it
 * only counts (mutate adds a pending write, a successful sync clears them), and the test makes
 * syncs fail, leave writes pending or wait on demand, which a real server does not do on cue. The
 * real site (SQLite replica, sync loop, Tidemark server) is tested end to end in
 * test/replica-site-app.browser.test.ts.
 */
class CountingSite implements LocalSite {
  pending = 0;
  lastSyncAt: string | null = null;
  readonly mutations: { name: string; args: Record<string, unknown> }[] = [];
  /** How many of the next syncs throw (as when the server cannot be reached). */
  failNext = 0;
  /** Writes a successful sync leaves pending (as when the server has not acknowledged them yet). */
  leavePending = 0;
  /** The next sync waits for this to resolve: a slow sync that the test releases. */
  holdNext: Promise<void> | null = null;

  status(): Promise<Status> {
    return Promise.resolve({ pending: this.pending, lastSyncAt: this.lastSyncAt, error: null });
  }

  async sync(): Promise<Status> {
    const hold = this.holdNext;
    this.holdNext = null;
    if (hold) await hold;
    if (this.failNext > 0) {
      this.failNext -= 1;
      throw new Error('the Tidemark server at https://sync.example.test did not answer (test fault)');
    }
    this.pending = Math.min(this.pending, this.leavePending);
    this.lastSyncAt = new Date().toISOString();
    return { pending: this.pending, lastSyncAt: this.lastSyncAt, error: null };
  }

  mutate(name: string, args: Record<string, unknown>): Promise<number> {
    this.mutations.push({ name, args });
    this.pending += 1;
    return Promise.resolve(this.mutations.length);
  }
}

/** Resolve by hand: a sync held until the test says so. */
function gate(): { promise: Promise<void>; release(): void } {
  let release = (): void => undefined;
  const promise = new Promise<void>((resolve) => (release = resolve));
  return { promise, release };
}

/** Poll `probe` until it is truthy (every 100 ms, up to `timeoutMs`); the message says what was awaited and where things stood. */
async function until<T>(what: string, probe: () => Promise<T | false | null | undefined> | T | false | null | undefined, detail: () => string, timeoutMs = WAIT_MS): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    const value = await probe();
    if (value !== false && value !== null && value !== undefined) return value;
    if (Date.now() > deadline) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}\n${detail()}`);
    await sleep(100);
  }
}

/** The page's globals as the callbacks below use them (the project compiles without the DOM library). */
interface PageGlobals {
  window: { dispatchEvent(event: unknown): boolean; tidemarkReplica: { requestSync(reason: string, kind?: 'push' | 'pull'): void } };
  document: {
    dispatchEvent(event: unknown): boolean;
    visibilityState: string;
    querySelector(selector: string): { dataset: Record<string, string | undefined>; title: string } | null;
  };
  navigator: { onLine: boolean };
  Event: new (type: string) => unknown;
}

/** Fire the pull triggers as the browser does when the tab is shown again and the window focused. */
async function showAndFocus(page: Page, which: 'visible' | 'focus' | 'both' = 'both'): Promise<void> {
  await page.evaluate((which) => {
    const g = globalThis as unknown as PageGlobals;
    if (which !== 'focus') g.document.dispatchEvent(new g.Event('visibilitychange'));
    if (which !== 'visible') g.window.dispatchEvent(new g.Event('focus'));
  }, which);
}

function requestSync(page: Page, reason: string, kind: 'push' | 'pull'): Promise<void> {
  return page.evaluate(([reason, kind]) => (globalThis as unknown as PageGlobals).window.tidemarkReplica.requestSync(reason, kind), [reason, kind] as const);
}

async function waitForBadge(page: Page, state: string): Promise<void> {
  await page.locator(`#sync-badge[data-state="${state}"]`).waitFor({ state: 'attached', timeout: WAIT_MS });
}

async function badge(page: Page): Promise<{ state: string | null; text: string | null; title: string | null }> {
  const element = page.locator('#sync-badge');
  return { state: await element.getAttribute('data-state'), text: await element.textContent(), title: await element.getAttribute('title') };
}

/** Add an item through the page's form (POST /local/mutate, then requestSync('write', 'push')) and wait until it is listed. */
async function addItem(page: Page, text: string): Promise<void> {
  const before = await page.locator('#items li').count();
  await page.locator('#item').fill(text);
  await page.locator('#add-form button[type="submit"]').click();
  await page.locator('#items li').nth(before).waitFor({ state: 'attached', timeout: WAIT_MS });
  assert.equal(await page.locator('#items li').nth(before).textContent(), text);
}

async function screenshot(page: Page, name: string): Promise<void> {
  const path = join(ARTIFACTS, `replica-${name}.png`);
  await page.screenshot({ path, fullPage: true });
  assert.ok(existsSync(path), path);
}

/** Console errors and page errors (CSP and Trusted Types violations are console errors), minus `allow`. */
function watchErrors(page: Page, into: string[], allow?: RegExp): void {
  page.on('pageerror', (error) => into.push(`pageerror: ${error.message}`));
  page.on('console', (message: ConsoleMessage) => {
    if (message.type() !== 'error') return;
    if (allow?.test(message.text())) return;
    into.push(`console: ${message.text()}`);
  });
}

const callsOf = (sitePage: SitePage) => sitePage.calls.map(({ reason, kind }) => ({ reason, kind }));

describe('replica sync helper in chromium', () => {
  let browser: Browser;

  before(async () => {
    if (!existsSync(CHROMIUM)) {
      assert.fail(`Debian's chromium is not installed at ${CHROMIUM}; install it with \`apt-get update && apt-get install -y chromium\` (.ci/run does so). This test never downloads a browser.`);
    }
    mkdirSync(ARTIFACTS, { recursive: true });
    browser = await chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 });
  });

  after(async () => {
    await browser?.close().catch(() => undefined);
  });

  /** A fresh site, its page server and a browser context; everything closed afterwards. */
  async function withSite(body: (world: { site: CountingSite; sitePage: SitePage; context: BrowserContext; page: Page; errors: string[] }) => Promise<void>, allowConsole?: RegExp): Promise<void> {
    const site = new CountingSite();
    const sitePage = await startSitePage(site);
    const context = await browser.newContext({ viewport: { width: 800, height: 500 } });
    const page = await context.newPage();
    const errors: string[] = [];
    watchErrors(page, errors, allowConsole);
    try {
      await body({ site, sitePage, context, page, errors });
      assert.deepEqual(errors, [], 'no script errors and no Content-Security-Policy or Trusted Types violations');
    } finally {
      await context.close().catch(() => undefined);
      await sitePage.close();
    }
  }

  test('page load syncs once and shows "synced"; focus and visibility inside the cooldown do not sync; a write pushes at once ("pending 1", then "synced")', { timeout: 120_000 }, async () => {
    await withSite(async ({ site, sitePage, page }) => {
      // The page and its files, each with the strict CSP.
      for (const [path, type] of [['/', /^text\/html/], ['/assets/app.js', /^text\/javascript/], ['/assets/sync-helper.js', /^text\/javascript/], ['/assets/badge.css', /^text\/css/]] as const) {
        const answer = await fetch(`${sitePage.url}${path}`);
        assert.equal(answer.status, 200, path);
        assert.match(answer.headers.get('content-type') ?? '', type, path);
        const csp = answer.headers.get('content-security-policy') ?? '';
        for (const directive of ["script-src 'self'", "style-src 'self'", "connect-src 'self'", "require-trusted-types-for 'script'", "trusted-types 'none'"]) {
          assert.ok(csp.includes(directive), `${path}: CSP has ${directive} (${csp})`);
        }
      }

      await page.goto(`${sitePage.url}/?cooldown=60000`);
      await waitForBadge(page, 'synced');
      assert.deepEqual(await badge(page), { state: 'synced', text: 'synced', title: null });
      assert.deepEqual(callsOf(sitePage), [{ reason: 'load', kind: 'push' }], 'one sync on page load');
      assert.equal(await page.locator('#sync-badge').evaluate((element) => (element as unknown as { className: string }).className), 'tidemark-sync-badge tidemark-sync-badge--synced');
      await screenshot(page, 'synced');

      // Inside the cooldown: the tab shown again and the window focused sync nothing. A write then
      // pushes at once; had either pull started a sync, it would sit before the write's (one at a time).
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).document.visibilityState), 'visible');
      await showAndFocus(page);
      site.leavePending = 1;
      await addItem(page, 'Check the fridge log');
      await until('the write to be pushed and the badge to show "pending 1"', async () => sitePage.calls.length >= 2 && (await badge(page)).state === 'pending', () => JSON.stringify({ calls: sitePage.calls, pending: site.pending }));
      assert.deepEqual(await badge(page), { state: 'pending', text: 'pending 1', title: null });
      assert.deepEqual(callsOf(sitePage), [{ reason: 'load', kind: 'push' }, { reason: 'write', kind: 'push' }], 'no pull inside the cooldown; the write pushed without waiting for it');
      await screenshot(page, 'pending');

      site.leavePending = 0;
      await addItem(page, 'Sign the delivery note');
      await until('the second write to be pushed and the badge to show "synced"', async () => sitePage.calls.length >= 3 && (await badge(page)).state === 'synced', () => JSON.stringify(sitePage.calls));
      assert.deepEqual(callsOf(sitePage).map((call) => call.reason), ['load', 'write', 'write']);
      assert.equal(site.pending, 0);
      assert.deepEqual(site.mutations.map((m) => m.args), [{ text: 'Check the fridge log' }, { text: 'Sign the delivery note' }]);
    });
  });

  test('after the cooldown, the tab becoming visible and the window focus each pull once', { timeout: 120_000 }, async () => {
    await withSite(async ({ sitePage, page }) => {
      await page.goto(`${sitePage.url}/?cooldown=500`);
      await waitForBadge(page, 'synced');
      assert.equal(sitePage.calls.length, 1);

      // Shown again and again: nothing until the cooldown is over, then one pull.
      await until('a sync after the tab is shown once the cooldown is over', async () => {
        await showAndFocus(page, 'visible');
        return sitePage.calls.length > 1;
      }, () => JSON.stringify(sitePage.calls));
      await until('the badge back to "synced"', async () => (await badge(page)).state === 'synced', () => JSON.stringify(sitePage.calls));
      await until('a sync on focus once the cooldown is over', async () => {
        await showAndFocus(page, 'focus');
        return sitePage.calls.length > 2;
      }, () => JSON.stringify(sitePage.calls));
      await waitForBadge(page, 'synced');
      assert.deepEqual(callsOf(sitePage), [
        { reason: 'load', kind: 'push' },
        { reason: 'visible', kind: 'pull' },
        { reason: 'focus', kind: 'pull' },
      ]);
    });
  });

  test('offline: the badge says "offline" and nothing syncs, even with local writes and triggers; back online, one push and "synced"', { timeout: 120_000 }, async () => {
    await withSite(async ({ site, sitePage, context, page }) => {
      // Every sync the page attempts, including ones the offline network would stop before the server.
      const attempts: string[] = [];
      page.on('request', (request) => {
        if (new URL(request.url()).pathname === '/local/sync') attempts.push(request.postData() ?? '');
      });
      // No cooldown at all: any focus or visibility would sync if the helper let it.
      await page.goto(`${sitePage.url}/?cooldown=0`);
      await waitForBadge(page, 'synced');
      assert.deepEqual(callsOf(sitePage), [{ reason: 'load', kind: 'push' }]);

      await context.setOffline(true);
      await waitForBadge(page, 'offline');
      assert.equal(await page.evaluate(() => (globalThis as unknown as PageGlobals).navigator.onLine), false);
      assert.equal((await badge(page)).text, 'offline');

      // Writes keep landing on the local side (the page's own fetches are blocked by the emulated
      // network, so the test writes straight to the site); every trigger is ignored while offline.
      await site.mutate('addItem', { text: 'written offline 1' });
      await site.mutate('addItem', { text: 'written offline 2' });
      assert.equal(site.pending, 2);
      await showAndFocus(page);
      await requestSync(page, 'write', 'push');
      await requestSync(page, 'manual', 'pull');
      assert.deepEqual(await badge(page), { state: 'offline', text: 'offline', title: null });
      await screenshot(page, 'offline');

      // Back online: one push, the pending writes go, "synced". Any attempt made while offline would
      // have been logged before this one, since the page syncs one at a time.
      await context.setOffline(false);
      await until('the `online` sync and the badge back to "synced"', async () => sitePage.calls.length >= 2 && (await badge(page)).state === 'synced', () => JSON.stringify({ calls: sitePage.calls, attempts }));
      assert.deepEqual(callsOf(sitePage), [{ reason: 'load', kind: 'push' }, { reason: 'online', kind: 'push' }], 'every reconnect pushes; nothing synced while offline');
      assert.deepEqual(attempts.map((body) => JSON.parse(body) as unknown), [{ reason: 'load', kind: 'push' }, { reason: 'online', kind: 'push' }], 'the page did not even try while offline');
      assert.equal(site.pending, 0);
      assert.deepEqual(await badge(page), { state: 'synced', text: 'synced', title: null });
      await screenshot(page, 'back-online');
    });
  });

  test('a failing sync shows "error" with its message and retries by itself until "synced"', { timeout: 120_000 }, async () => {
    // The browser logs the local process's 500 answers; nothing else may be logged.
    await withSite(async ({ site, sitePage, page }) => {
      site.failNext = 2;
      await page.goto(`${sitePage.url}/?cooldown=60000`);
      // Read state and message in one go in the page (the helper's own retry may come at any moment).
      const shown = await page.waitForFunction(() => {
        const element = (globalThis as unknown as PageGlobals).document.querySelector('#sync-badge');
        return element?.dataset.state === 'error' ? { text: (element as unknown as { textContent: string }).textContent, title: element.title } : null;
      }, undefined, { timeout: WAIT_MS });
      const error = (await shown.jsonValue()) as { text: string; title: string };
      assert.equal(error.text, 'error');
      assert.match(error.title, /the Tidemark server at https:\/\/sync\.example\.test did not answer/);
      await screenshot(page, 'error');

      // No trigger from the test: the helper's own retries (1 s, then about 2 s) reach "synced".
      await until('the retries to succeed', async () => (await badge(page)).state === 'synced', () => JSON.stringify(sitePage.calls));
      assert.deepEqual(callsOf(sitePage), [
        { reason: 'load', kind: 'push' },
        { reason: 'retry', kind: 'push' },
        { reason: 'retry', kind: 'push' },
      ]);
      assert.deepEqual(await badge(page), { state: 'synced', text: 'synced', title: null });
    }, /Failed to load resource: the server responded with a status of 500/);
  });

  test('single flight: triggers during a slow sync make exactly one more sync, a push', { timeout: 120_000 }, async () => {
    await withSite(async ({ site, sitePage, page }) => {
      const slow = gate();
      site.holdNext = slow.promise;
      try {
        await page.goto(`${sitePage.url}/?cooldown=0`);
        await until('the load sync to reach the site', () => sitePage.calls.length === 1, () => JSON.stringify(sitePage.calls));
        await waitForBadge(page, 'syncing');
        assert.equal((await badge(page)).text, 'syncing…');
        await screenshot(page, 'syncing');

        // While it is held: three writes from the form, pulls, and app requests.
        await addItem(page, 'one');
        await addItem(page, 'two');
        await addItem(page, 'three');
        await showAndFocus(page);
        await requestSync(page, 'manual', 'pull');
        assert.equal(site.pending, 3);
        assert.deepEqual(callsOf(sitePage), [{ reason: 'load', kind: 'push' }], 'nothing more while the first sync is in flight');
      } finally {
        slow.release();
      }
      await until('the one rerun and "synced"', async () => sitePage.calls.length >= 2 && (await badge(page)).state === 'synced', () => JSON.stringify(sitePage.calls));
      // A probe orders things: any extra sync would come before it.
      await requestSync(page, 'probe', 'push');
      await until('the probe sync', async () => sitePage.calls.length >= 3 && (await badge(page)).state === 'synced', () => JSON.stringify(sitePage.calls));
      const calls = callsOf(sitePage);
      assert.equal(calls.length, 3, JSON.stringify(calls));
      assert.deepEqual(calls[0], { reason: 'load', kind: 'push' });
      assert.equal(calls[1]!.kind, 'push', 'the rerun pushes: writes were among the triggers');
      assert.deepEqual(calls[2], { reason: 'probe', kind: 'push' });
      assert.equal(site.pending, 0);
    });
  });
});
