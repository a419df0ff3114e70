// The audit site's page (examples/audit-site/site.ts serves it). Every write goes to the site's
// local process (POST /local/mutate), which applies it to the SQLite replica and queues it for the
// server; the browser sync helper then asks that process to push. The list is read back from the
// process (GET /local/tasks) after each write and whenever the sync badge changes, so what the
// server sent (other sites' tasks, refused changes) shows up without a reload.
// Plain ES module under a strict CSP with Trusted Types: the DOM is built with createElement and
// textContent only, never innerHTML.
import { startReplicaSync } from '/assets/sync-helper.js';

const badge = '#sync-badge';
const form = /** @type {HTMLFormElement} */ (document.getElementById('add-form'));
const titleInput = /** @type {HTMLInputElement} */ (document.getElementById('task-title'));
const message = /** @type {HTMLElement} */ (document.getElementById('message'));
const taskList = /** @type {HTMLUListElement} */ (document.getElementById('tasks'));
const noTasks = /** @type {HTMLElement} */ (document.getElementById('no-tasks'));
const attentionSection = /** @type {HTMLElement} */ (document.getElementById('attention-section'));
const attentionList = /** @type {HTMLUListElement} */ (document.getElementById('attention'));
const businessDate = /** @type {HTMLTimeElement} */ (document.getElementById('business-date'));
const timezone = /** @type {HTMLElement} */ (document.getElementById('timezone'));

/** `?cooldown=ms` sets the helper's pull cooldown (tab shown again, focus); otherwise its default. */
function cooldownFromQuery() {
  const raw = new URLSearchParams(window.location.search).get('cooldown');
  if (raw === null || raw.trim() === '') return {};
  const ms = Number(raw);
  return Number.isFinite(ms) && ms >= 0 ? { cooldownMs: ms } : {};
}

const replica = startReplicaSync({
  endpoint: '/local',
  badge,
  ...cooldownFromQuery(),
  // Synced, offline, pending…: whatever changed, the local tables may have too.
  onStatus: () => void refresh(),
});

// ---- the local process --------------------------------------------------------------------------

/** @param {unknown} cause */
function messageOf(cause) {
  return cause instanceof Error ? cause.message : String(cause);
}

/**
 * @param {Response} response
 * @returns {Promise<any>}
 */
async function readJson(response) {
  const body = await response.json().catch(() => null);
  if (!response.ok) {
    const detail = body && typeof body.error === 'string' ? body.error : `HTTP ${response.status}`;
    throw new Error(detail);
  }
  return body;
}

/**
 * Apply a named mutation on the site (it is queued for the server), then ask for a push.
 * @param {string} name
 * @param {Record<string, unknown>} args
 * @returns {Promise<number>} the mutation id
 */
async function mutate(name, args) {
  let response;
  try {
    response = await fetch('/local/mutate', {
      method: 'POST',
      headers: { 'content-type': 'application/json', accept: 'application/json' },
      body: JSON.stringify({ name, args }),
      cache: 'no-store',
    });
  } catch (cause) {
    throw new Error(`the local site process did not answer (${messageOf(cause)})`);
  }
  const { mutationId } = await readJson(response);
  replica.requestSync('write', 'push');
  void refresh();
  return mutationId;
}

/** Ids made here, so two sites never collide. randomUUID needs a secure context (127.0.0.1 and localhost are). */
function newId() {
  if (typeof crypto.randomUUID === 'function') return crypto.randomUUID();
  const bytes = crypto.getRandomValues(new Uint8Array(16));
  bytes[6] = (bytes[6] & 0x0f) | 0x40;
  bytes[8] = (bytes[8] & 0x3f) | 0x80;
  const hex = Array.from(bytes, (b) => b.toString(16).padStart(2, '0')).join('');
  return `${hex.slice(0, 8)}-${hex.slice(8, 12)}-${hex.slice(12, 16)}-${hex.slice(16, 20)}-${hex.slice(20)}`;
}

// ---- messages ---------------------------------------------------------------------------------

/**
 * @param {string} text
 * @param {'write' | 'read'} source what failed: a failed read is cleared by the next good read
 */
function showMessage(text, source) {
  message.textContent = text;
  message.dataset.source = source;
  message.hidden = false;
}

/** @param {'write' | 'read'} [source] only a message from this source */
function clearMessage(source) {
  if (source !== undefined && message.dataset.source !== source) return;
  message.textContent = '';
  delete message.dataset.source;
  message.hidden = true;
}

// ---- the list ---------------------------------------------------------------------------------

/** Each refresh has a number; an answer older than the last one rendered is dropped. */
let requested = 0;
let rendered = 0;

async function refresh() {
  const mine = ++requested;
  let data;
  try {
    const response = await fetch('/local/tasks', { headers: { accept: 'application/json' }, cache: 'no-store' });
    data = await readJson(response);
  } catch (cause) {
    if (mine > rendered) showMessage(`Could not read the tasks from the local site process: ${messageOf(cause)}`, 'read');
    return;
  }
  if (mine < rendered) return;
  rendered = mine;
  clearMessage('read');
  render(data);
}

/**
 * @typedef {{ id: string, title: string | null, due_date: string | null, note: string | null, done_at: string | null, done_by: string | null, done_on: string | null }} Task
 * @typedef {{ mutationId: number, name: string, args: Record<string, unknown>, businessDate: string, error: string | null }} Refused
 * @param {{ tasks: Task[], rejected: Refused[], timezone: string, businessDate: string }} data
 */
function render(data) {
  businessDate.textContent = data.businessDate;
  businessDate.dateTime = data.businessDate;
  timezone.textContent = `(${data.timezone})`;
  renderTasks(data.tasks);
  renderAttention(data.rejected, data.tasks);
}

/** @param {Task[]} tasks */
function renderTasks(tasks) {
  /** @type {Map<string, HTMLLIElement>} */
  const existing = new Map();
  for (const item of Array.from(taskList.children)) existing.set(/** @type {HTMLElement} */ (item).dataset.id ?? '', /** @type {HTMLLIElement} */ (item));
  const wanted = new Set(tasks.map((task) => task.id));
  for (const [id, item] of existing) if (!wanted.has(id)) item.remove();
  tasks.forEach((task, index) => {
    const item = existing.get(task.id) ?? createTaskItem(task.id);
    updateTaskItem(item, task);
    // Move an item only when it is out of place: moving one takes the focus from a note being typed.
    const there = taskList.children[index] ?? null;
    if (there !== item) taskList.insertBefore(item, there);
  });
  noTasks.hidden = tasks.length > 0;
}

/** @param {string} id */
function createTaskItem(id) {
  const item = document.createElement('li');
  item.className = 'task';
  item.dataset.id = id;

  const main = document.createElement('div');
  main.className = 'task-main';
  const title = document.createElement('span');
  title.className = 'task-title';
  const meta = document.createElement('span');
  meta.className = 'task-meta';
  const done = document.createElement('button');
  done.type = 'button';
  done.className = 'task-done';
  done.textContent = 'Done';
  done.addEventListener('click', async () => {
    done.disabled = true;
    try {
      await mutate('completeTask', { id });
      clearMessage('write');
    } catch (cause) {
      showMessage(`Could not complete the task: ${messageOf(cause)}`, 'write');
      done.disabled = false;
    }
  });
  main.append(title, meta, done);

  const noteForm = document.createElement('form');
  noteForm.className = 'task-note';
  const note = document.createElement('input');
  note.className = 'task-note-input';
  note.name = 'note';
  note.autocomplete = 'off';
  note.maxLength = 2000;
  note.placeholder = 'Note';
  // Typed but not saved: a refresh must not overwrite it.
  note.addEventListener('input', () => (note.dataset.dirty = 'true'));
  const save = document.createElement('button');
  save.type = 'submit';
  save.textContent = 'Save note';
  noteForm.append(note, save);
  noteForm.addEventListener('submit', async (event) => {
    event.preventDefault();
    save.disabled = true;
    try {
      await mutate('editNote', { id, note: note.value.trim() === '' ? null : note.value });
      delete note.dataset.dirty;
      clearMessage('write');
    } catch (cause) {
      showMessage(`Could not save the note: ${messageOf(cause)}`, 'write');
    } finally {
      save.disabled = false;
    }
  });

  item.append(main, noteForm);
  return item;
}

/**
 * @param {HTMLLIElement} item
 * @param {Task} task
 */
function updateTaskItem(item, task) {
  const isDone = task.done_at !== null;
  item.dataset.state = isDone ? 'done' : 'open';
  const title = /** @type {HTMLElement} */ (item.querySelector('.task-title'));
  const meta = /** @type {HTMLElement} */ (item.querySelector('.task-meta'));
  const done = /** @type {HTMLButtonElement} */ (item.querySelector('.task-done'));
  const note = /** @type {HTMLInputElement} */ (item.querySelector('.task-note-input'));
  title.textContent = task.title ?? '(untitled)';
  meta.textContent = isDone ? `done ${task.done_on ?? ''} by ${task.done_by ?? '?'}` : task.due_date ? `due ${task.due_date}` : '';
  done.hidden = isDone;
  if (!isDone) done.disabled = false;
  note.setAttribute('aria-label', `Note for ${task.title ?? task.id}`);
  if (note.dataset.dirty !== 'true' && document.activeElement !== note) note.value = task.note ?? '';
}

/**
 * @param {Refused[]} refused
 * @param {Task[]} tasks
 */
function renderAttention(refused, tasks) {
  const titles = new Map(tasks.map((task) => [task.id, task.title]));
  const items = refused.map((entry) => {
    const item = document.createElement('li');
    item.dataset.mutationId = String(entry.mutationId);
    const what = document.createElement('strong');
    const id = typeof entry.args.id === 'string' ? entry.args.id : null;
    const subject = id === null ? '' : ` “${titles.get(id) ?? (typeof entry.args.title === 'string' ? entry.args.title : id)}”`;
    what.textContent = `${entry.name}${subject}`;
    const when = document.createElement('span');
    when.className = 'attention-date';
    when.textContent = ` on ${entry.businessDate}: `;
    const why = document.createElement('span');
    why.className = 'attention-error';
    why.textContent = entry.error ?? 'refused by the server';
    item.append(what, when, why);
    return item;
  });
  attentionList.replaceChildren(...items);
  attentionSection.hidden = items.length === 0;
}

// ---- the form ---------------------------------------------------------------------------------

form.addEventListener('submit', async (event) => {
  event.preventDefault();
  const title = titleInput.value.trim();
  if (title === '') return;
  const submit = /** @type {HTMLButtonElement} */ (form.querySelector('button[type="submit"]'));
  submit.disabled = true;
  try {
    await mutate('createTask', { id: newId(), title });
    titleInput.value = '';
    clearMessage('write');
  } catch (cause) {
    showMessage(`Could not add the task: ${messageOf(cause)}`, 'write');
  } finally {
    submit.disabled = false;
    titleInput.focus();
  }
});

void refresh();
