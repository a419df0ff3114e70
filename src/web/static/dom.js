// DOM building without HTML strings: every value goes in as a text node or an attribute, so data
// from the API can never become markup (the page's CSP also enforces Trusted Types).

const SVG_NS = 'http://www.w3.org/2000/svg';

function setAttributes(el, attrs) {
  for (const [name, value] of Object.entries(attrs ?? {})) {
    if (value === null || value === undefined || value === false) continue;
    if (name.startsWith('on') && typeof value === 'function') el.addEventListener(name.slice(2), value);
    else if (name === 'dataset') for (const [k, v] of Object.entries(value)) el.dataset[k] = String(v);
    else el.setAttribute(name, value === true ? '' : String(value));
  }
}

function appendChildren(el, children) {
  for (const child of children.flat(Infinity)) {
    if (child === null || child === undefined || child === false) continue;
    el.append(child instanceof Node ? child : String(child)); // a string becomes a text node
  }
}

/** h('td', { class: 'x' }, 'text', otherNode): an HTML element. */
export function h(tag, attrs, ...children) {
  const el = document.createElement(tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** s('rect', { x: 1 }): an SVG element. */
export function s(tag, attrs, ...children) {
  const el = document.createElementNS(SVG_NS, tag);
  setAttributes(el, attrs);
  appendChildren(el, children);
  return el;
}

/** Replace an element's children. */
export function fill(el, ...children) {
  el.replaceChildren();
  appendChildren(el, children);
  return el;
}

export function setText(el, text) {
  const value = text === null || text === undefined ? '' : String(text);
  if (el.textContent !== value) el.textContent = value;
}

// ---- times -----------------------------------------------------------------------------------

/** "just now", "12 seconds ago", "2 hours ago", "in 5 minutes". */
export function relativeTime(iso, now = Date.now()) {
  const at = Date.parse(iso);
  if (Number.isNaN(at)) return '';
  const seconds = Math.round((now - at) / 1000);
  const future = seconds < -5;
  const abs = Math.abs(seconds);
  if (!future && abs < 5) return 'just now';
  const units = [
    [60, 1, 'second'],
    [3600, 60, 'minute'],
    [86_400, 3600, 'hour'],
    [86_400 * 30, 86_400, 'day'],
    [86_400 * 365, 86_400 * 30, 'month'],
    [Infinity, 86_400 * 365, 'year'],
  ];
  for (const [limit, size, name] of units) {
    if (abs < limit) {
      const n = Math.floor(abs / size);
      const phrase = `${n} ${name}${n === 1 ? '' : 's'}`;
      return future ? `in ${phrase}` : `${phrase} ago`;
    }
  }
  return '';
}

const formatters = new Map();

/** The exact instant in a time zone: "12 Mar 2026, 14:03:22 CDT (America/Chicago)". */
export function exactTime(iso, timeZone) {
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) return '';
  const zone = timeZone || 'UTC';
  let format = formatters.get(zone);
  if (!format) {
    try {
      format = new Intl.DateTimeFormat(undefined, {
        timeZone: zone,
        year: 'numeric',
        month: 'short',
        day: 'numeric',
        hour: '2-digit',
        minute: '2-digit',
        second: '2-digit',
        timeZoneName: 'short',
      });
    } catch {
      format = new Intl.DateTimeFormat(undefined, { timeZone: 'UTC', dateStyle: 'medium', timeStyle: 'long' });
    }
    formatters.set(zone, format);
  }
  return `${format.format(date)} (${zone})`;
}

/** A <time> showing "2 hours ago", the exact time in `timeZone` on hover; kept current by tickTimes(). */
export function timeEl(iso, timeZone, className = '') {
  if (!iso) return h('span', { class: `${className} muted` }, 'never');
  return h('time', { class: `rel ${className}`.trim(), datetime: iso, title: exactTime(iso, timeZone), dataset: { at: iso } }, relativeTime(iso));
}

/** Point an existing <time> (made by timeEl) at another instant. */
export function updateTimeEl(el, iso, timeZone) {
  if (!iso) {
    el.removeAttribute('datetime');
    el.removeAttribute('title');
    delete el.dataset.at;
    setText(el, 'never');
    return;
  }
  el.setAttribute('datetime', iso);
  el.setAttribute('title', exactTime(iso, timeZone));
  el.dataset.at = iso;
  setText(el, relativeTime(iso));
}

/** Refresh every relative time on the page. */
export function tickTimes(root = document) {
  const now = Date.now();
  for (const el of root.querySelectorAll('time.rel[data-at]')) setText(el, relativeTime(el.dataset.at, now));
}

// ---- numbers ---------------------------------------------------------------------------------

/** 4.2 s, 3 min 12 s, 1 h 4 min. */
export function formatDuration(ms) {
  if (ms === null || ms === undefined || Number.isNaN(ms)) return '—';
  const seconds = ms / 1000;
  if (seconds < 10) return `${seconds.toFixed(1)} s`;
  if (seconds < 60) return `${Math.round(seconds)} s`;
  const minutes = Math.floor(seconds / 60);
  if (minutes < 60) return `${minutes} min ${Math.round(seconds - minutes * 60)} s`;
  return `${Math.floor(minutes / 60)} h ${minutes % 60} min`;
}

export function formatNumber(n) {
  return typeof n === 'number' ? n.toLocaleString() : '—';
}

/** A value of a changed row as one line of text (JSON for objects), cut at `max` characters. */
export function cellText(value, max = 160) {
  if (value === null || value === undefined) return '∅';
  const text = typeof value === 'string' ? value : JSON.stringify(value);
  return text.length > max ? `${text.slice(0, max - 1)}…` : text;
}
