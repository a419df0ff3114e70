// The API from the browser: the token lives in sessionStorage (gone when the tab closes) and goes
// in the Authorization header of every request, including the event stream (read with fetch, since
// EventSource cannot send headers).

const KEY = 'tidemark.token';

export const session = {
  get token() {
    return sessionStorage.getItem(KEY);
  },
  set(token) {
    sessionStorage.setItem(KEY, token);
  },
  clear() {
    sessionStorage.removeItem(KEY);
  },
};

/** The token is missing, wrong or revoked. */
export class Unauthorized extends Error {
  constructor() {
    super('the token was not accepted');
    this.name = 'Unauthorized';
  }
}

export class ApiError extends Error {
  constructor(status, message) {
    super(message);
    this.name = 'ApiError';
    this.status = status;
  }
}

function headers(token, extra) {
  return { authorization: `Bearer ${token}`, ...extra };
}

/** GET or POST a JSON endpoint; `token` defaults to the session's. */
export async function api(path, { method = 'GET', body, signal, token = session.token } = {}) {
  if (!token) throw new Unauthorized();
  const init = { method, headers: headers(token, { accept: 'application/json' }), cache: 'no-store', signal };
  if (body !== undefined) {
    init.headers['content-type'] = 'application/json';
    init.body = JSON.stringify(body);
  }
  const response = await fetch(path, init);
  if (response.status === 401) throw new Unauthorized();
  const data = await response.json().catch(() => null);
  if (!response.ok) throw new ApiError(response.status, (data && typeof data.error === 'string' && data.error) || `HTTP ${response.status}`);
  return data;
}

/** Path segment: ids go through encodeURIComponent, never raw into a URL. */
export const seg = (value) => encodeURIComponent(String(value));

/**
 * Follow a Server-Sent Events stream until it ends or `signal` aborts; `onEvent(name, data)` gets
 * each event's name and its (joined) data text.
 */
export async function streamEvents(path, onEvent, signal) {
  const token = session.token;
  if (!token) throw new Unauthorized();
  const response = await fetch(path, { headers: headers(token, { accept: 'text/event-stream' }), cache: 'no-store', signal });
  if (response.status === 401) throw new Unauthorized();
  if (!response.ok || !response.body) throw new ApiError(response.status, `no event stream (HTTP ${response.status})`);
  const reader = response.body.pipeThrough(new TextDecoderStream()).getReader();
  let buffer = '';
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) return;
      buffer += value.replace(/\r\n?/g, '\n');
      let end;
      while ((end = buffer.indexOf('\n\n')) >= 0) {
        const block = buffer.slice(0, end);
        buffer = buffer.slice(end + 2);
        let event = 'message';
        const data = [];
        for (const line of block.split('\n')) {
          if (line === '' || line.startsWith(':')) continue;
          const colon = line.indexOf(':');
          const field = colon < 0 ? line : line.slice(0, colon);
          let text = colon < 0 ? '' : line.slice(colon + 1);
          if (text.startsWith(' ')) text = text.slice(1);
          if (field === 'event') event = text;
          else if (field === 'data') data.push(text);
        }
        if (data.length > 0) onEvent(event, data.join('\n'));
      }
    }
  } finally {
    reader.cancel().catch(() => undefined);
  }
}
