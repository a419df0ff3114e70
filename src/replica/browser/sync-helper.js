// The browser side of an offline site (issue 7, point 4): decides WHEN the page asks the site's
// local Tidemark process to sync with the server, and shows a small status badge. The local
// process does the syncing; this module only schedules it:
//   - page load, `online` and a local write (requestSync(reason, 'push')) sync at once: every
//     reconnect and every write must push;
//   - the tab becoming visible and window focus are pull-only and subject to a cooldown (default
//     5 s, from the start or end of the last sync), since they fire in bursts and often together;
//   - never while navigator.onLine is false (the badge says "offline");
//   - single-flight: one sync at a time; triggers during one set a rerun flag, so exactly one more
//     sync runs after it (replicache#42);
//   - a failed sync schedules its own retry (1 s doubling to 60 s, with jitter), reset by a
//     success or an `online` event (powersync-native#15).
// Plain ES module, served as a static file with no build step. It works under a strict CSP with
// Trusted Types: the badge is written with textContent, classList and dataset only.

const DEFAULT_ENDPOINT = '/local';
const DEFAULT_COOLDOWN_MS = 5000;
const RETRY_BASE_MS = 1000;
const RETRY_MAX_MS = 60000;
const BADGE_CLASS = 'tidemark-sync-badge';
const BADGE_KINDS = /** @type {const} */ (['synced', 'pending', 'offline', 'error', 'syncing']);

/** @typedef {'push' | 'pull'} SyncKind */
/** @typedef {{ reason: string, kind: SyncKind }} SyncRequest */
/** @typedef {{ pending: number, lastSyncAt: string | null, error: string | null }} SyncStatus */
/** @typedef {'synced' | 'pending' | 'offline' | 'error' | 'syncing'} BadgeKind */
/** @typedef {{ kind: BadgeKind, pending: number, text: string, error: string | null }} BadgeState */
/**
 * @typedef {object} ReplicaSyncOptions
 * @property {string} [endpoint] The local process's base path (default '/local'): POST `${endpoint}/sync`, GET `${endpoint}/status`.
 * @property {(request: SyncRequest) => Promise<SyncStatus>} [sync] Replaces the POST to the endpoint.
 * @property {HTMLElement | string} [badge] The badge element, or a CSS selector for it.
 * @property {number} [cooldownMs] Minimum time between pull-only syncs (visible, focus); default 5000.
 * @property {(state: BadgeState) => void} [onStatus] Called whenever the badge state changes.
 */
/**
 * @typedef {object} ReplicaSync
 * @property {(reason: string, kind?: SyncKind) => void} requestSync Ask for a sync; 'push' (the default) bypasses the cooldown.
 * @property {() => void} stop Remove the listeners and timers; a sync in flight finishes unseen.
 * @property {BadgeState} state The badge state now.
 */

/**
 * Start scheduling syncs for this page: one at once (page load), then on `online`, on the tab
 * becoming visible, on focus and whenever the app calls requestSync.
 * @param {ReplicaSyncOptions} [options]
 * @returns {ReplicaSync}
 */
export function startReplicaSync(options = {}) {
  if (options === null || typeof options !== 'object') {
    throw new TypeError(`startReplicaSync(options): options must be an object such as { badge: '#sync-badge' }, received ${describe(options)}`);
  }
  const endpoint = checkEndpoint(options.endpoint);
  const cooldownMs = checkCooldown(options.cooldownMs);
  const badge = findBadge(options.badge);
  if (options.sync !== undefined && typeof options.sync !== 'function') {
    throw new TypeError(`startReplicaSync: options.sync must be a function (request) => Promise<SyncStatus>, received ${describe(options.sync)}`);
  }
  if (options.onStatus !== undefined && typeof options.onStatus !== 'function') {
    throw new TypeError(`startReplicaSync: options.onStatus must be a function (state) => void, received ${describe(options.onStatus)}`);
  }
  const sync = options.sync ?? ((request) => postSync(endpoint, request));
  const onStatus = options.onStatus;

  let stopped = false;
  let inFlight = false;
  /** The trigger that arrived during the sync in flight (merged: 'push' wins), run right after it. */
  /** @type {SyncRequest | null} */
  let rerun = null;
  /** When the last sync started or ended (performance.now()), for the pull cooldown. */
  let lastSyncMark = -Infinity;
  let failures = 0;
  /** @type {ReturnType<typeof setTimeout> | null} */
  let retryTimer = null;
  let completedSyncs = 0;
  /** What the local process last said: its pending count, and whether anything has been heard yet. */
  let pending = 0;
  let known = false;
  /** @type {string | null} */
  let error = null;
  /** @type {BadgeState} */
  let state = computeState();

  if (badge) {
    if (!badge.hasAttribute('role')) badge.setAttribute('role', 'status');
    if (!badge.hasAttribute('aria-live')) badge.setAttribute('aria-live', 'polite');
    renderBadge(badge, state);
  }

  function computeState() {
    /** @type {BadgeKind} */
    let kind;
    if (!isOnline()) kind = 'offline';
    else if (inFlight) kind = 'syncing';
    else if (error !== null) kind = 'error';
    else if (!known) kind = 'syncing';
    else kind = pending > 0 ? 'pending' : 'synced';
    const text = kind === 'pending' ? `pending ${pending}` : kind === 'syncing' ? 'syncing…' : kind;
    return Object.freeze({ kind, pending, text, error });
  }

  function render() {
    if (stopped) return;
    const next = computeState();
    if (next.kind === state.kind && next.pending === state.pending && next.text === state.text && next.error === state.error) return;
    state = next;
    if (badge) renderBadge(badge, state);
    if (onStatus) {
      try {
        onStatus(state);
      } catch (cause) {
        console.error('tidemark replica sync: the onStatus callback threw', cause);
      }
    }
  }

  /**
   * @param {string} reason
   * @param {SyncKind} kind
   * @param {boolean} bypassCooldown
   */
  function trigger(reason, kind, bypassCooldown) {
    if (stopped) return;
    if (!isOnline()) {
      // Nothing is lost: the `online` event always syncs (and pushes) when the network is back.
      render();
      return;
    }
    if (kind === 'pull' && !bypassCooldown) {
      // A retry is already scheduled after a failure: it will pull too, without hammering a failing server.
      if (retryTimer !== null) return;
      if (now() - lastSyncMark < cooldownMs) return;
    }
    if (inFlight) {
      rerun = { reason, kind: rerun?.kind === 'push' ? 'push' : kind };
      return;
    }
    void run({ reason, kind });
  }

  /** @param {SyncRequest} request */
  async function run(request) {
    clearRetry();
    inFlight = true;
    lastSyncMark = now();
    render();
    /** @type {SyncStatus | null} */
    let status = null;
    /** @type {string | null} */
    let failure = null;
    try {
      status = await sync({ reason: request.reason, kind: request.kind });
      if (!status || typeof status !== 'object' || typeof status.pending !== 'number') {
        failure = `the local sync answered ${describe(status)} instead of { pending, lastSyncAt, error }`;
        status = null;
      } else if (status.error) {
        failure = String(status.error);
      }
    } catch (cause) {
      failure = messageOf(cause);
    }
    inFlight = false;
    lastSyncMark = now();
    completedSyncs += 1;
    if (stopped) return;
    if (status) {
      pending = status.pending;
      known = true;
    }
    if (failure === null) {
      failures = 0;
      error = null;
    } else {
      failures += 1;
      error = failure;
    }
    const next = rerun;
    rerun = null;
    if (isOnline()) {
      if (next) {
        void run(next);
        return;
      }
      if (failure !== null) scheduleRetry(request.kind);
    }
    render();
  }

  /** @param {SyncKind} kind */
  function scheduleRetry(kind) {
    clearRetry();
    // Equal jitter: between half and all of 1 s, 2 s, 4 s … 60 s, so sites that failed together spread out.
    const ceiling = Math.min(RETRY_MAX_MS, RETRY_BASE_MS * 2 ** Math.min(failures - 1, 30));
    const delay = ceiling / 2 + Math.random() * (ceiling / 2);
    retryTimer = setTimeout(() => {
      retryTimer = null;
      trigger('retry', kind, true);
    }, delay);
  }

  function clearRetry() {
    if (retryTimer !== null) clearTimeout(retryTimer);
    retryTimer = null;
  }

  const onOnline = () => {
    failures = 0;
    clearRetry();
    trigger('online', 'push', true);
  };
  const onOffline = () => {
    // The `online` event syncs when the network returns; a retry now would only fail.
    clearRetry();
    render();
  };
  const onFocus = () => trigger('focus', 'pull', false);
  const onVisibility = () => {
    if (document.visibilityState === 'visible') trigger('visible', 'pull', false);
  };
  window.addEventListener('online', onOnline);
  window.addEventListener('offline', onOffline);
  window.addEventListener('focus', onFocus);
  document.addEventListener('visibilitychange', onVisibility);

  // The initial badge: the local process knows its pending count even while the network is down.
  if (!options.sync) {
    getStatus(endpoint).then(
      (status) => {
        if (stopped || completedSyncs > 0 || !status) return;
        pending = status.pending;
        known = true;
        if (!inFlight && status.error) error = String(status.error);
        render();
      },
      () => undefined, // the load sync (or the `online` one) reports what is wrong
    );
  }
  trigger('load', 'push', true);

  return {
    requestSync(reason, kind = 'push') {
      if (typeof reason !== 'string' || reason === '') {
        throw new TypeError(`requestSync(reason, kind): reason must be a non-empty string such as 'write', received ${describe(reason)}`);
      }
      if (kind !== 'push' && kind !== 'pull') {
        throw new TypeError(`requestSync(reason, kind): kind must be 'push' (after a local write, bypasses the cooldown) or 'pull', received ${describe(kind)}`);
      }
      trigger(reason, kind, kind === 'push');
    },
    stop() {
      if (stopped) return;
      stopped = true;
      rerun = null;
      clearRetry();
      window.removeEventListener('online', onOnline);
      window.removeEventListener('offline', onOffline);
      window.removeEventListener('focus', onFocus);
      document.removeEventListener('visibilitychange', onVisibility);
    },
    get state() {
      return state;
    },
  };
}

// ---- the local process over HTTP --------------------------------------------------------------

/**
 * @param {string} endpoint
 * @param {SyncRequest} request
 * @returns {Promise<SyncStatus>}
 */
async function postSync(endpoint, request) {
  const url = `${endpoint}/sync`;
  let response;
  try {
    response = await fetch(url, {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify(request),
      cache: 'no-store',
      credentials: 'same-origin',
    });
  } catch (cause) {
    throw new Error(`the local Tidemark process did not answer POST ${url} (${messageOf(cause)}); is it running?`);
  }
  return readStatus(response, `POST ${url}`);
}

/**
 * @param {string} endpoint
 * @returns {Promise<SyncStatus>}
 */
async function getStatus(endpoint) {
  const url = `${endpoint}/status`;
  const response = await fetch(url, { headers: { accept: 'application/json' }, cache: 'no-store', credentials: 'same-origin' });
  return readStatus(response, `GET ${url}`);
}

/**
 * @param {Response} response
 * @param {string} what
 * @returns {Promise<SyncStatus>}
 */
async function readStatus(response, what) {
  /** @type {unknown} */
  let body = null;
  try {
    body = await response.json();
  } catch {
    body = null;
  }
  const record = body !== null && typeof body === 'object' ? /** @type {Record<string, unknown>} */ (body) : null;
  if (!response.ok) {
    const detail = record && typeof record.error === 'string' && record.error !== '' ? record.error : `HTTP ${response.status}`;
    throw new Error(`${detail} (${what} answered ${response.status})`);
  }
  if (!record || typeof record.pending !== 'number') {
    throw new Error(`${what} answered something other than { pending, lastSyncAt, error }`);
  }
  return {
    pending: record.pending,
    lastSyncAt: typeof record.lastSyncAt === 'string' ? record.lastSyncAt : null,
    error: typeof record.error === 'string' && record.error !== '' ? record.error : null,
  };
}

// ---- the badge --------------------------------------------------------------------------------

/**
 * @param {HTMLElement | string | undefined} badge
 * @returns {HTMLElement | null}
 */
function findBadge(badge) {
  if (badge === undefined || badge === null) return null;
  if (typeof badge === 'string') {
    const element = document.querySelector(badge);
    if (!element) {
      throw new TypeError(`startReplicaSync: no element matches the badge selector ${JSON.stringify(badge)}; add it to the page before the script runs, or leave options.badge out`);
    }
    return /** @type {HTMLElement} */ (element);
  }
  if (typeof badge === 'object' && 'classList' in badge && 'dataset' in badge) return badge;
  throw new TypeError(`startReplicaSync: options.badge must be an element or a CSS selector such as '#sync-badge', received ${describe(badge)}`);
}

/**
 * Text, a data-state attribute and one `tidemark-sync-badge--<kind>` class; the error in the title.
 * @param {HTMLElement} element
 * @param {BadgeState} state
 */
function renderBadge(element, state) {
  element.textContent = state.text;
  element.dataset.state = state.kind;
  element.dataset.pending = String(state.pending);
  element.classList.add(BADGE_CLASS);
  for (const kind of BADGE_KINDS) element.classList.toggle(`${BADGE_CLASS}--${kind}`, kind === state.kind);
  if (state.error !== null) element.title = state.error;
  else element.removeAttribute('title');
}

// ---- small helpers ----------------------------------------------------------------------------

/** navigator.onLine is only a hint, but false is reliable enough to not even try. */
function isOnline() {
  return navigator.onLine !== false;
}

function now() {
  return typeof performance !== 'undefined' ? performance.now() : Date.now();
}

/** @param {unknown} endpoint */
function checkEndpoint(endpoint) {
  if (endpoint === undefined) return DEFAULT_ENDPOINT;
  if (typeof endpoint !== 'string' || endpoint === '') {
    throw new TypeError(`startReplicaSync: options.endpoint must be a path such as '/local', received ${describe(endpoint)}`);
  }
  return endpoint.replace(/\/+$/, '');
}

/** @param {unknown} cooldownMs */
function checkCooldown(cooldownMs) {
  if (cooldownMs === undefined) return DEFAULT_COOLDOWN_MS;
  if (typeof cooldownMs !== 'number' || !Number.isFinite(cooldownMs) || cooldownMs < 0) {
    throw new TypeError(`startReplicaSync: options.cooldownMs must be a number of milliseconds ≥ 0 (default ${DEFAULT_COOLDOWN_MS}), received ${describe(cooldownMs)}`);
  }
  return cooldownMs;
}

/** @param {unknown} cause */
function messageOf(cause) {
  if (cause instanceof Error && cause.message) return cause.message;
  return String(cause);
}

/** @param {unknown} value */
function describe(value) {
  if (typeof value === 'string') return JSON.stringify(value);
  if (typeof value === 'function') return 'a function';
  try {
    return JSON.stringify(value) ?? String(value);
  } catch {
    return String(value);
  }
}
