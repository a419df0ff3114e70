// The Tidemark dashboard: sign in with a token, then a grid of each tenant's syncs coloured by
// freshness with live progress, and panels for run history (with a chart), a run's changes, dead
// letters (with replay) and, when the server has it, the reconcile report. All data comes from the
// API with the bearer token and is put in the page as text.
import { api, seg, session, streamEvents, Unauthorized } from './api.js';
import { cellText, fill, formatDuration, formatNumber, h, setText, tickTimes, timeEl, updateTimeEl } from './dom.js';
import { runChart } from './chart.js';

const $ = (id) => document.getElementById(id);

const EVENTS_PATH = '/api/v1/tenants/{tenant}/events';
const RECONCILE_PATH = '/api/v1/tenants/{tenant}/reconcile';

const state = {
  /** GET /api/v1/tenants: id, name, timezone, syncs, operate. */
  tenants: [],
  /** `${tenant}\n${sync}` → the card's elements. */
  cards: new Map(),
  /** tenant id → its latest status (GET …/status or an event). */
  statuses: new Map(),
  /** tenant id → its section's "updated" element. */
  updated: new Map(),
  features: { events: false, reconcile: false },
  /** Aborts the live updates (on logout). */
  live: null,
  /** What the detail panel shows: null | {kind: 'history'|'run'|'dead'|'reconcile', …}. */
  view: null,
  viewSeq: 0,
  /** The last run state the history/run panel was drawn for (redrawn when it changes). */
  viewMark: null,
};

const tenantOf = (id) => state.tenants.find((t) => t.id === id);
const cardKey = (tenant, sync) => `${tenant}\n${sync}`;

// ---- session ---------------------------------------------------------------------------------

function showLogin(message) {
  state.live?.abort();
  state.live = null;
  state.tenants = [];
  state.cards.clear();
  state.statuses.clear();
  state.updated.clear();
  state.view = null;
  fill($('tenants'));
  fill($('detail'));
  $('app').hidden = true;
  $('session').hidden = true;
  $('login').hidden = false;
  const error = $('login-error');
  setText(error, message ?? '');
  error.hidden = !message;
  $('token').value = '';
  $('token').focus();
}

function logout(message) {
  session.clear();
  showLogin(message);
}

/** Deal with a failed request: a rejected token ends the session; anything else is a message. */
function problem(error) {
  if (error instanceof Unauthorized) {
    logout('Your token is no longer accepted; sign in again.');
    return null;
  }
  return error instanceof Error ? error.message : String(error);
}

async function onLogin(event) {
  event.preventDefault();
  const token = $('token').value.trim();
  if (!token) return;
  const button = $('login-button');
  button.disabled = true;
  try {
    const answer = await api('/api/v1/tenants', { token });
    session.set(token);
    $('token').value = '';
    await enter(answer);
  } catch (error) {
    showLogin(error instanceof Unauthorized ? 'That token was not accepted.' : `Could not sign in: ${error.message}`);
  } finally {
    button.disabled = false;
  }
}

/** Which optional routes this server has (another version may lack the event stream or reconcile). */
async function detectFeatures() {
  try {
    const spec = await api('/api/openapi.json');
    const paths = spec && typeof spec.paths === 'object' ? Object.keys(spec.paths) : [];
    return { events: paths.includes(EVENTS_PATH), reconcile: paths.includes(RECONCILE_PATH) };
  } catch (error) {
    if (error instanceof Unauthorized) throw error;
    return { events: false, reconcile: false };
  }
}

async function enter(answer) {
  state.tenants = Array.isArray(answer?.tenants) ? answer.tenants : [];
  state.features = await detectFeatures();
  $('login').hidden = true;
  $('app').hidden = false;
  $('session').hidden = false;
  const operate = state.tenants.some((t) => t.operate);
  setText($('session-info'), `${operate ? 'operate' : 'read-only'} token · ${state.tenants.length} tenant${state.tenants.length === 1 ? '' : 's'}`);
  $('session').dataset.scope = operate ? 'operate' : 'read';
  renderTenants();
  startLive();
}

// ---- the grid --------------------------------------------------------------------------------

function renderTenants() {
  const root = $('tenants');
  state.cards.clear();
  state.updated.clear();
  if (state.tenants.length === 0) {
    fill(root, h('p', { class: 'empty' }, 'This token sees no tenants.'));
    return;
  }
  fill(
    root,
    state.tenants.map((tenant) => {
      const updated = h('span', { class: 'updated muted' }, 'loading…');
      state.updated.set(tenant.id, updated);
      return h(
        'section',
        { class: 'tenant', dataset: { tenant: tenant.id } },
        h(
          'header',
          { class: 'tenant-header' },
          h('h2', null, tenant.name),
          h('span', { class: 'muted' }, `${tenant.id} · ${tenant.timezone}`),
          updated,
          h(
            'span',
            { class: 'tenant-actions' },
            h('button', { type: 'button', class: 'dead-letters', onclick: () => show({ kind: 'dead', tenant: tenant.id }) }, 'Dead letters'),
            state.features.reconcile ? h('button', { type: 'button', class: 'reconcile', onclick: () => show({ kind: 'reconcile', tenant: tenant.id }) }, 'Reconcile') : null,
          ),
        ),
        h(
          'div',
          { class: 'sync-grid' },
          tenant.syncs.length === 0 ? h('p', { class: 'muted' }, 'No syncs configured.') : tenant.syncs.map((sync) => makeCard(tenant, sync).root),
        ),
      );
    }),
  );
}

function makeCard(tenant, syncId) {
  const card = {
    badge: h('span', { class: 'badge state' }, '…'),
    stream: h('span', { class: 'stream muted' }),
    freshness: h('span', { class: 'freshness' }, 'loading…'),
    lastSuccess: h('time', { class: 'rel last-success' }, '…'),
    progress: h('progress', { class: 'run-progress', max: 100 }),
    pct: h('span', { class: 'pct' }),
    eta: h('span', { class: 'eta' }),
    records: h('span', { class: 'records' }),
    queued: h('span', { class: 'queued' }),
    schedules: h('span', { class: 'schedules muted' }),
    error: h('p', { class: 'error last-error', hidden: true }),
    message: h('p', { class: 'card-message', role: 'status' }),
    trigger: tenant.operate ? h('button', { type: 'button', class: 'trigger' }, 'Trigger run') : null,
    messageTimer: 0,
  };
  card.progressRow = h('div', { class: 'progress-row', hidden: true }, card.progress, card.pct, card.eta);
  card.root = h(
    'article',
    { class: 'sync-card colour-none', dataset: { sync: syncId, tenant: tenant.id } },
    h('header', null, h('h3', null, syncId), card.badge),
    card.stream,
    h('p', { class: 'line' }, 'Last success ', card.lastSuccess),
    h('p', { class: 'line' }, card.freshness),
    card.progressRow,
    h('p', { class: 'line' }, card.records, ' ', card.queued),
    h('p', { class: 'line' }, card.schedules),
    card.error,
    h(
      'footer',
      null,
      card.trigger,
      h('button', { type: 'button', class: 'history', onclick: () => show({ kind: 'history', tenant: tenant.id, sync: syncId }) }, 'History'),
    ),
    card.message,
  );
  card.trigger?.addEventListener('click', () => trigger(tenant.id, syncId, card));
  state.cards.set(cardKey(tenant.id, syncId), card);
  return card;
}

const STATE_LABELS = { queued: 'queued', running: 'running', succeeded: 'succeeded', failed: 'failed', interrupted: 'interrupted', never_run: 'never run' };

function minutesText(minutes) {
  if (minutes < 120) return `${minutes} min`;
  if (minutes < 2880) return `${Math.round(minutes / 60)} h`;
  return `${Math.round(minutes / 1440)} days`;
}

function updateCard(card, status, tenant) {
  const colour = ['green', 'yellow', 'red'].includes(status.colour) ? status.colour : 'none';
  card.root.className = `sync-card colour-${colour}`;
  card.root.dataset.colour = colour;
  card.root.dataset.state = status.state;
  setText(card.badge, STATE_LABELS[status.state] ?? status.state);
  card.badge.className = `badge state state-${status.state}`;
  setText(card.stream, status.stream);
  updateTimeEl(card.lastSuccess, status.lastSuccessAt, tenant.timezone);

  const f = status.freshness ?? {};
  const expectation = typeof f.staleAfterMinutes === 'number' ? `; stale after ${minutesText(f.staleAfterMinutes)}` : '; no expected cadence';
  const hours = f.inBusinessHours === false ? ', outside business hours' : '';
  setText(card.freshness, `${f.state ?? 'unknown'}${expectation}${hours}`);

  const running = status.state === 'running';
  card.progressRow.hidden = !running;
  if (running) {
    if (typeof status.progress === 'number') {
      card.progress.value = status.progress;
      card.progress.dataset.value = String(status.progress);
      setText(card.pct, `${Math.floor(status.progress)}%`);
    } else {
      card.progress.removeAttribute('value'); // indeterminate until the amount of work is known
      delete card.progress.dataset.value;
      setText(card.pct, 'working…');
    }
    setText(card.eta, status.eta ? `ETA ${status.eta}` : '');
  }
  setText(card.records, `${formatNumber(status.records)} records ${running ? 'so far' : 'in the last run'}`);
  setText(card.queued, status.queuedJobs > 0 ? `· ${status.queuedJobs} queued` : '');
  const schedules = Array.isArray(status.schedules) ? status.schedules : [];
  setText(card.schedules, schedules.length ? `Schedules: ${schedules.map((s) => `${s.name} (${s.cron})`).join(', ')}` : 'No schedule: runs when triggered');
  card.error.hidden = !status.lastError;
  setText(card.error, status.lastError ?? '');
  if (status.lastError) card.error.setAttribute('title', status.lastError); // the whole message; the card shows four lines
  else card.error.removeAttribute('title');
}

function flash(card, text) {
  setText(card.message, text);
  clearTimeout(card.messageTimer);
  card.messageTimer = setTimeout(() => setText(card.message, ''), 15_000);
}

async function trigger(tenantId, syncId, card) {
  card.trigger.disabled = true;
  flash(card, 'Queuing a run…');
  try {
    const answer = await api(`/api/v1/tenants/${seg(tenantId)}/syncs/${seg(syncId)}/trigger`, { method: 'POST', body: {} });
    flash(card, answer.jobId ? 'Run queued.' : 'A run was already queued; this trigger joined it.');
    void refreshStatus(tenantId, state.live?.signal);
  } catch (error) {
    const message = problem(error);
    if (message) flash(card, `Trigger failed: ${message}`);
  } finally {
    card.trigger.disabled = false;
  }
}

// ---- live updates ------------------------------------------------------------------------------

function applyStatus(tenantId, status) {
  const tenant = tenantOf(tenantId);
  if (!tenant || !status || !Array.isArray(status.syncs)) return;
  const previous = state.statuses.get(tenantId);
  if (previous && status.generatedAt && previous.generatedAt && status.generatedAt < previous.generatedAt) return; // an older answer arriving late
  state.statuses.set(tenantId, status);
  for (const sync of status.syncs) {
    const card = state.cards.get(cardKey(tenantId, sync.syncId));
    if (card) updateCard(card, sync, tenant);
  }
  const updated = state.updated.get(tenantId);
  if (updated && status.generatedAt) {
    updated.className = 'updated muted';
    fill(updated, 'updated ', timeEl(status.generatedAt, tenant.timezone));
  }
  followView(tenantId, status);
}

async function refreshStatus(tenantId, signal) {
  try {
    applyStatus(tenantId, await api(`/api/v1/tenants/${seg(tenantId)}/status`, { signal }));
  } catch (error) {
    if (signal?.aborted) return;
    const message = problem(error);
    const updated = state.updated.get(tenantId);
    if (message && updated) {
      updated.className = 'updated error';
      fill(updated, `status unavailable: ${message}`);
    }
  }
}

function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal.aborted) return resolve();
    const done = () => {
      clearTimeout(timer);
      signal.removeEventListener('abort', done);
      resolve();
    };
    const timer = setTimeout(done, ms);
    signal.addEventListener('abort', done, { once: true });
  });
}

/**
 * An event of the stream: `status` (the tenant's status, every second) replaces the picture; `run`
 * repeats what the status of the same tick says; `error` is shown; anything else asks for a fresh status.
 */
function onEvent(tenantId, signal, name, data) {
  let payload = null;
  try {
    payload = JSON.parse(data);
  } catch {
    return;
  }
  if (payload && Array.isArray(payload.syncs)) return applyStatus(tenantId, payload);
  if (name === 'run' || name === 'ping' || name === 'heartbeat') return;
  if (name === 'error') {
    const updated = state.updated.get(tenantId);
    if (updated) {
      updated.className = 'updated error';
      fill(updated, `live feed: ${payload && typeof payload.error === 'string' ? payload.error : 'error'}`);
    }
    return;
  }
  void refreshStatus(tenantId, signal);
}

/**
 * A browser allows about six connections per server, and each event stream holds one: a few tenants
 * follow a stream, the rest are polled, so requests never queue behind streams.
 */
const MAX_STREAMS = 3;

async function follow(tenantId, signal, stream) {
  while (!signal.aborted) {
    await refreshStatus(tenantId, signal);
    if (!stream) {
      await sleep(1000, signal);
      continue;
    }
    try {
      await streamEvents(`/api/v1/tenants/${seg(tenantId)}/events`, (name, data) => onEvent(tenantId, signal, name, data), signal);
    } catch (error) {
      if (signal.aborted) return;
      if (error instanceof Unauthorized) return void problem(error);
    }
    // The stream ended or failed: poll for a few seconds, then open it again.
    for (let i = 0; i < 5 && !signal.aborted; i++) {
      await sleep(1000, signal);
      await refreshStatus(tenantId, signal);
    }
  }
}

function startLive() {
  state.live?.abort();
  const live = new AbortController();
  state.live = live;
  const streams = state.features.events ? Math.min(MAX_STREAMS, state.tenants.length) : 0;
  const polled = state.tenants.length - streams;
  setText(
    $('live-mode'),
    streams === 0 ? '· refreshed every second' : `· live over server-sent events${polled > 0 ? ` (${polled} more tenant${polled === 1 ? '' : 's'} refreshed every second)` : ''}`,
  );
  state.tenants.forEach((tenant, i) => void follow(tenant.id, live.signal, i < streams));
}

// ---- the detail panel ------------------------------------------------------------------------

function show(view) {
  state.view = view;
  state.viewMark = null;
  void renderView(true);
}

function closeButton() {
  return h('button', { type: 'button', class: 'close', onclick: () => show(null) }, 'Close');
}

async function renderView(scroll = false) {
  const detail = $('detail');
  const view = state.view;
  const seq = ++state.viewSeq;
  if (!view) return void fill(detail);
  let node;
  try {
    if (view.kind === 'history') node = await historyPanel(view);
    else if (view.kind === 'run') node = await runPanel(view);
    else if (view.kind === 'dead') node = await deadLettersPanel(view);
    else if (view.kind === 'reconcile') node = reconcilePanel(view);
  } catch (error) {
    const message = problem(error);
    if (message === null) return;
    node = h('section', { class: 'panel' }, h('header', null, h('h2', null, 'Could not load'), closeButton()), h('p', { class: 'error' }, message));
  }
  if (seq !== state.viewSeq || !node) return; // another view was asked for meanwhile
  fill(detail, node);
  if (scroll) detail.scrollIntoView({ block: 'start' });
}

/** Redraw the history or run panel when the sync it shows starts or finishes a run. */
function followView(tenantId, status) {
  const view = state.view;
  if (!view || view.tenant !== tenantId || (view.kind !== 'history' && view.kind !== 'run')) return;
  const sync = status.syncs.find((s) => s.syncId === view.sync);
  if (!sync) return;
  const mark = `${sync.lastRun?.id ?? ''}:${sync.lastRun?.status ?? ''}:${sync.state}`;
  if (state.viewMark === null) {
    state.viewMark = mark;
    return;
  }
  if (mark === state.viewMark) return;
  state.viewMark = mark;
  if (view.kind === 'history' || (view.kind === 'run' && view.runId === sync.lastRun?.id)) void renderView();
}

function countsCells(counts) {
  return ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'dead'].map((k) => h('td', { class: 'num' }, formatNumber(counts?.[k])));
}

function windowText(window) {
  return window && window.from ? `${window.from} → ${window.to}` : '—';
}

async function historyPanel(view) {
  const tenant = tenantOf(view.tenant);
  const { runs } = await api(`/api/v1/tenants/${seg(view.tenant)}/runs?sync=${seg(view.sync)}&limit=30`);
  const table = h(
    'table',
    { class: 'runs' },
    h(
      'thead',
      null,
      h('tr', null, ['Run', 'Status', 'Trigger', 'Window', 'Started', 'Duration', 'Fetched', 'Created', 'Updated', 'Unchanged', 'Deleted', 'Dead'].map((t) => h('th', null, t))),
    ),
    h(
      'tbody',
      null,
      runs.map((run) =>
        h(
          'tr',
          { class: `run status-${run.status}`, dataset: { run: run.id } },
          h('td', null, h('button', { type: 'button', class: 'open-run link', onclick: () => show({ kind: 'run', tenant: view.tenant, sync: view.sync, runId: run.id }) }, `#${run.id}`)),
          h('td', null, h('span', { class: `badge state-${run.status}` }, run.status)),
          h('td', null, run.trigger, run.attempt > 1 ? ` (attempt ${run.attempt})` : ''),
          h('td', null, windowText(run.window)),
          h('td', null, timeEl(run.startedAt ?? run.createdAt, tenant?.timezone)),
          h('td', { class: 'num' }, run.status === 'running' ? 'running' : formatDuration(run.durationMs)),
          countsCells(run.counts),
        ),
      ),
    ),
  );
  return h(
    'section',
    { class: 'panel history-panel', dataset: { sync: view.sync } },
    h('header', null, h('h2', null, `Run history · ${view.sync}`), closeButton()),
    runs.length === 0 ? h('p', { class: 'muted' }, 'No runs yet.') : [h('figure', { class: 'chart' }, runChart(runs), h('figcaption', { class: 'muted' }, 'Bars: duration of each run (failed runs in red). Line: records fetched per run.')), table],
  );
}

const changeFields = (change) => {
  const before = change.before ?? {};
  const after = change.after ?? {};
  const names = [...new Set([...Object.keys(before), ...Object.keys(after)])];
  if (change.op !== 'updated') return names;
  return names.filter((n) => JSON.stringify(before[n]) !== JSON.stringify(after[n]));
};

function changeRow(change) {
  const fields = changeFields(change);
  const diff = h(
    'table',
    { class: 'diff' },
    h('thead', null, h('tr', null, h('th', null, 'Field'), h('th', null, 'Before'), h('th', null, 'After'))),
    h(
      'tbody',
      null,
      fields.map((name) =>
        h(
          'tr',
          null,
          h('td', { class: 'field' }, name),
          h('td', { class: 'before' }, change.before ? cellText(change.before[name]) : ''),
          h('td', { class: 'after' }, change.after ? cellText(change.after[name]) : ''),
        ),
      ),
    ),
  );
  const summary = change.op === 'updated' ? `${fields.length} field${fields.length === 1 ? '' : 's'} changed: ${fields.join(', ')}` : `${fields.length} fields`;
  return h(
    'tr',
    { class: `change op-${change.op}`, dataset: { key: change.key } },
    h('td', null, h('span', { class: `badge op-${change.op}` }, change.op)),
    h('td', null, change.table ?? ''),
    h('td', { class: 'key' }, change.key),
    h('td', null, h('details', change.op === 'updated' ? { open: true } : null, h('summary', null, summary), diff)),
  );
}

async function runPanel(view) {
  const tenant = tenantOf(view.tenant);
  const { run, changes } = await api(`/api/v1/runs/${seg(view.runId)}?changes=200`);
  const facts = [
    ['Status', run.status],
    ['Trigger', `${run.trigger}${run.attempt ? `, attempt ${run.attempt}` : ''}`],
    ['Mode', run.mode],
    ['Window', windowText(run.window)],
    ['Started', run.startedAt ? timeEl(run.startedAt, tenant?.timezone) : '—'],
    ['Finished', run.finishedAt ? timeEl(run.finishedAt, tenant?.timezone) : '—'],
    ['Duration', formatDuration(run.durationMs)],
    ['Counts', ['fetched', 'created', 'updated', 'unchanged', 'deleted', 'dead'].map((k) => `${k} ${formatNumber(run.counts?.[k])}`).join(' · ')],
    ['Upstream', run.upstream && Object.keys(run.upstream).length ? Object.entries(run.upstream).map(([k, v]) => `${k} ${v}`).join(' · ') : '—'],
  ];
  if (run.resumedFrom) facts.push(['Resumed from', `run #${run.resumedFrom}`]);
  return h(
    'section',
    { class: 'panel run-panel', dataset: { run: run.id } },
    h(
      'header',
      null,
      h('h2', null, `Run #${run.id} · ${run.syncId}`),
      h('button', { type: 'button', class: 'back', onclick: () => show({ kind: 'history', tenant: view.tenant, sync: view.sync ?? run.syncId }) }, 'Back to history'),
      closeButton(),
    ),
    h('dl', { class: 'facts' }, facts.map(([k, v]) => [h('dt', null, k), h('dd', null, v)])),
    run.warnings?.length ? h('ul', { class: 'warnings' }, run.warnings.map((w) => h('li', null, `${w.code}: ${w.message}`))) : null,
    run.error ? h('pre', { class: 'error' }, run.error) : null,
    h('h3', null, `Changes (${changes.length}${changes.length >= 200 ? ', the first 200' : ''})`),
    changes.length === 0
      ? h('p', { class: 'muted' }, 'This run changed no rows (or its changes were pruned).')
      : h('table', { class: 'changes' }, h('thead', null, h('tr', null, ['Op', 'Table', 'Key', 'Before → after'].map((t) => h('th', null, t)))), h('tbody', null, changes.map(changeRow))),
  );
}

async function deadLettersPanel(view) {
  const tenant = tenantOf(view.tenant);
  const { runs, records } = await api(`/api/v1/tenants/${seg(view.tenant)}/dead-letters`);
  const message = h('p', { class: 'card-message', role: 'status' });
  const replay = async (button, jobId) => {
    button.disabled = true;
    try {
      await api(`/api/v1/tenants/${seg(view.tenant)}/dead-letters/${seg(jobId)}/replay`, { method: 'POST' });
      setText(message, `Job ${jobId} is back in the queue.`);
      setTimeout(() => {
        if (state.view === view) void renderView(); // still on this panel: show the list without the job
      }, 1500);
    } catch (error) {
      const text = problem(error);
      if (text) setText(message, `Replay failed: ${text}`);
      button.disabled = false;
    }
  };
  return h(
    'section',
    { class: 'panel dead-letters-panel', dataset: { tenant: view.tenant } },
    h('header', null, h('h2', null, `Dead letters · ${tenant?.name ?? view.tenant}`), closeButton()),
    message,
    h('h3', null, `Runs that failed every attempt (${runs.length})`),
    runs.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : h(
          'table',
          { class: 'dead-runs' },
          h('thead', null, h('tr', null, ['Job', 'Sync', 'Trigger', 'Window', 'Attempts', 'Dead-lettered', 'Error', ''].map((t) => h('th', null, t)))),
          h(
            'tbody',
            null,
            runs.map((r) => {
              const button = tenant?.operate ? h('button', { type: 'button', class: 'replay' }, 'Replay') : null;
              button?.addEventListener('click', () => replay(button, r.jobId));
              return h(
                'tr',
                { dataset: { job: r.jobId } },
                h('td', { class: 'key' }, r.jobId),
                h('td', null, r.syncId),
                h('td', null, r.trigger ?? ''),
                h('td', null, windowText(r.window)),
                h('td', { class: 'num' }, formatNumber(r.attempts)),
                h('td', null, timeEl(r.deadLetteredAt, tenant?.timezone)),
                h('td', { class: 'error' }, r.error ?? ''),
                h('td', null, button),
              );
            }),
          ),
        ),
    h('h3', null, `Records that could not be read (${records.length})`),
    records.length === 0
      ? h('p', { class: 'muted' }, 'None.')
      : h(
          'table',
          { class: 'dead-records' },
          h('thead', null, h('tr', null, ['Sync', 'Stream', 'Key', 'Reason', 'When', 'Run', 'Payload'].map((t) => h('th', null, t)))),
          h(
            'tbody',
            null,
            records.map((d) =>
              h(
                'tr',
                null,
                h('td', null, d.syncId),
                h('td', null, d.stream),
                h('td', { class: 'key' }, d.key ?? '—'),
                h('td', null, d.reason),
                h('td', null, timeEl(d.createdAt, tenant?.timezone)),
                h('td', null, d.runId ? `#${d.runId}` : '—'),
                h('td', { class: 'payload', title: cellText(d.payload, 2000) }, cellText(d.payload, 120)),
              ),
            ),
          ),
        ),
  );
}

// ---- reconcile (only when the server has the route) -------------------------------------------

/** Today's date (YYYY-MM-DD) in a time zone, plus `days`. */
function dateIn(timeZone, days = 0) {
  const parts = new Intl.DateTimeFormat('en-CA', { timeZone, year: 'numeric', month: '2-digit', day: '2-digit' }).format(new Date());
  const date = new Date(`${parts}T00:00:00Z`);
  date.setUTCDate(date.getUTCDate() + days);
  return date.toISOString().slice(0, 10);
}

const totalsText = (t) => (t && typeof t === 'object' ? `${formatNumber(t.count)} · ${formatNumber(t.sum)}` : cellText(t));

/** Any JSON as nested lists and tables (the report's shape may grow). */
function renderValue(value, depth = 0) {
  if (value === null || typeof value !== 'object') return h('span', null, cellText(value, 400));
  if (depth > 3) return h('span', null, cellText(value, 400));
  if (Array.isArray(value)) {
    if (value.length === 0) return h('span', { class: 'muted' }, 'none');
    if (value.every((v) => v && typeof v === 'object' && !Array.isArray(v))) {
      const columns = [...new Set(value.flatMap((v) => Object.keys(v)))];
      return h(
        'table',
        { class: 'generic' },
        h('thead', null, h('tr', null, columns.map((c) => h('th', null, c)))),
        h('tbody', null, value.slice(0, 500).map((row) => h('tr', null, columns.map((c) => h('td', null, renderValue(row[c], depth + 1)))))),
      );
    }
    return h('span', null, cellText(value, 400));
  }
  return h('dl', { class: 'facts' }, Object.entries(value).map(([k, v]) => [h('dt', null, k), h('dd', null, renderValue(v, depth + 1))]));
}

function reconcileReport(report) {
  const comparison = Array.isArray(report?.days) ? report : Array.isArray(report?.comparison?.days) ? report.comparison : null;
  if (!comparison) return renderValue(report);
  const labels = { rows: 'rows', group: 'group', sum: 'sum', ...(report.labels ?? {}) };
  const differing = comparison.days.filter((d) => !d.matches).length;
  const window = report.window && report.window.from ? `${report.window.from} → ${report.window.to} (${report.window.timezone ?? ''}, "to" exclusive)` : null;
  const known = new Set(['days', 'comparison', 'labels', 'matches', 'window', 'syncId', 'tenantId', 'stream', 'table', 'unreadableUpstream', 'fix']);
  const rest = Object.fromEntries(Object.entries(report).filter(([k, v]) => !known.has(k) && v !== null));
  return h(
    'div',
    { class: 'reconcile-report', dataset: { matches: String(Boolean(comparison.matches)) } },
    h('p', { class: comparison.matches ? 'ok' : 'error' }, comparison.matches ? `Upstream and table match on every day.` : `${differing} day${differing === 1 ? '' : 's'} differ.`),
    h(
      'dl',
      { class: 'facts' },
      report.syncId ? [h('dt', null, 'Sync'), h('dd', null, `${report.syncId}${report.stream ? ` (${report.stream})` : ''}`)] : null,
      report.table ? [h('dt', null, 'Table'), h('dd', null, report.table)] : null,
      window ? [h('dt', null, 'Days'), h('dd', null, window)] : null,
      typeof report.unreadableUpstream === 'number' ? [h('dt', null, 'Unreadable upstream'), h('dd', null, `${formatNumber(report.unreadableUpstream)} ${labels.rows} (dead-lettered by a sync, not in the totals)`)] : null,
    ),
    Object.keys(rest).length ? renderValue(rest) : null,
    h(
      'table',
      { class: 'reconcile-days' },
      h(
        'thead',
        null,
        h('tr', null, ['Day', `Upstream (${labels.rows} · ${labels.sum})`, `Table (${labels.rows} · ${labels.sum})`, 'Difference (table − upstream)', `Differing by ${labels.group}`, ''].map((t) => h('th', null, t))),
      ),
      h(
        'tbody',
        null,
        comparison.days.map((d) =>
          h(
            'tr',
            { class: d.matches ? 'match' : 'mismatch', dataset: { date: d.date } },
            h('td', null, d.date),
            h('td', { class: 'num' }, totalsText(d.upstream)),
            h('td', { class: 'num' }, totalsText(d.stored)),
            h('td', { class: 'num' }, totalsText(d.difference)),
            h('td', null, Array.isArray(d.groups) ? d.groups.filter((g) => !g.matches).map((g) => `${g.group} (${totalsText(g.difference)})`).join(', ') : ''),
            h('td', null, d.matches ? '✓' : '✗'),
          ),
        ),
      ),
    ),
  );
}

function reconcilePanel(view) {
  const tenant = tenantOf(view.tenant);
  const zone = tenant?.timezone ?? 'UTC';
  const select = h('select', { name: 'sync', required: true }, (tenant?.syncs ?? []).map((s) => h('option', { value: s }, s)));
  const from = h('input', { type: 'date', name: 'from', required: true, value: dateIn(zone, -7) });
  const to = h('input', { type: 'date', name: 'to', required: true, value: dateIn(zone, 1) });
  const output = h('div', { class: 'reconcile-output' }, h('p', { class: 'muted' }, `Business days [from, to) in ${zone}: "to" is exclusive; at most 93 days. Reads the upstream (it can take a while) and changes nothing.`));
  const button = h('button', { type: 'submit' }, 'Compare');
  const form = h('form', { class: 'reconcile-form' }, h('label', null, 'Sync ', select), h('label', null, 'From ', from), h('label', null, 'To ', to), button);
  form.addEventListener('submit', async (event) => {
    event.preventDefault();
    button.disabled = true;
    fill(output, h('p', { class: 'muted' }, 'Comparing…'));
    try {
      const query = new URLSearchParams({ sync: select.value, from: from.value, to: to.value });
      fill(output, reconcileReport(await api(`/api/v1/tenants/${seg(view.tenant)}/reconcile?${query}`)));
    } catch (error) {
      const message = problem(error);
      if (message) fill(output, h('p', { class: 'error' }, message));
    } finally {
      button.disabled = false;
    }
  });
  return h('section', { class: 'panel reconcile-panel' }, h('header', null, h('h2', null, `Reconcile · ${tenant?.name ?? view.tenant}`), closeButton()), form, output);
}

// ---- start -----------------------------------------------------------------------------------

$('login-form').addEventListener('submit', onLogin);
$('logout').addEventListener('click', () => logout());
setInterval(() => tickTimes(), 1000);

if (session.token) {
  api('/api/v1/tenants').then(enter, (error) => {
    if (error instanceof Unauthorized) logout('Your token is no longer accepted; sign in again.');
    else showLogin(`Could not reach the API: ${error.message}`);
  });
} else {
  showLogin();
}
