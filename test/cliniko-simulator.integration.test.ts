/**
 * The Cliniko simulator as a client sees it: real HTTP on 127.0.0.1, Cliniko's paths, envelopes,
 * `links`, `q[]` filters, auth and User-Agent checks, the per-user rate limit with its violation
 * count, fault knobs and the `tidemark simulate cliniko` command.
 */
import { after, test } from 'node:test';
import assert from 'node:assert/strict';
import { Writable } from 'node:stream';
import {
  MALFORMED_ID,
  generateDataset,
  startClinikoSimulator,
  type ClinikoSimulator,
  type ClinikoSimulatorOptions,
} from '../src/connectors/cliniko/simulator/index.ts';
import { simulateCommand } from '../src/cli/commands/simulate.ts';

interface ListBody {
  total_entries: number;
  links: { self: string; next?: string; previous?: string };
  [collection: string]: unknown;
}
type Item = Record<string, unknown> & { id: string; links: { self: string } };

const simulators: ClinikoSimulator[] = [];
after(async () => {
  await Promise.all(simulators.map((s) => s.close()));
});

async function simulator(options: ClinikoSimulatorOptions = {}): Promise<ClinikoSimulator> {
  const started = await startClinikoSimulator({ rateLimit: false, ...options });
  simulators.push(started);
  return started;
}

const basic = (key: string) => `Basic ${Buffer.from(`${key}:`).toString('base64')}`;
const USER_AGENT = 'Tidemark tests (tests@tidemark.example)';

async function call(sim: ClinikoSimulator, pathOrUrl: string, headers: Record<string, string> = { authorization: basic(sim.apiKey), 'user-agent': USER_AGENT }) {
  const response = await fetch(pathOrUrl.startsWith('http') ? pathOrUrl : `${sim.apiUrl}/${pathOrUrl}`, { headers });
  const text = await response.text();
  return { status: response.status, headers: response.headers, text, body: JSON.parse(text) as ListBody & { message?: string } };
}

const items = (body: ListBody, collection: string) => body[collection] as Item[];
const defaultSim = simulator();

test('Basic auth with the key (shard suffix optional) and a User-Agent with an email; 401/403 never echo the key', async () => {
  const sim = await defaultSim;
  assert.equal(sim.apiKey, 'sim-cliniko-key-au1');
  assert.equal(sim.shard, 'au1');
  assert.equal((await call(sim, 'patients')).status, 200);
  assert.equal((await call(sim, 'patients', { authorization: basic('sim-cliniko-key'), 'user-agent': USER_AGENT })).status, 200, 'the key without its suffix');
  const missing = await call(sim, 'patients', { 'user-agent': USER_AGENT });
  assert.equal(missing.status, 401);
  assert.match(missing.body.message ?? '', /Basic auth user name/);
  const wrongShard = await call(sim, 'patients', { authorization: basic('someone-elses-key-uk1'), 'user-agent': USER_AGENT });
  assert.equal(wrongShard.status, 401);
  assert.match(wrongShard.body.message ?? '', /shard uk1; this is au1/);
  assert.ok(!wrongShard.text.includes('someone-elses'), 'the key is not echoed');
  for (const agent of ['', 'Tidemark', 'Tidemark (not an email)']) {
    const refused = await call(sim, 'patients', { authorization: basic(sim.apiKey), 'user-agent': agent });
    assert.equal(refused.status, 403, `User-Agent "${agent}"`);
    assert.match(refused.body.message ?? '', /User-Agent with your app name and a contact email/);
  }
});

test('lists page with page/per_page (max 100), total_entries and links.next until the last page', async () => {
  const sim = await defaultSim;
  const first = await call(sim, 'patients?q[]=archived_at:*&q[]=deleted_at:*');
  assert.equal(items(first.body, 'patients').length, 50, 'default per_page is 50');
  assert.equal(first.body.total_entries, 240);
  assert.equal(first.body.links.previous, undefined);
  const seen: string[] = [];
  let url: string | undefined = `${sim.apiUrl}/patients?per_page=100&q[]=archived_at:*&q[]=deleted_at:*`;
  const pages: ListBody[] = [];
  while (url) {
    const page = await call(sim, url);
    pages.push(page.body);
    seen.push(...items(page.body, 'patients').map((p) => p.id));
    url = page.body.links.next;
  }
  assert.equal(pages.length, 3);
  assert.equal(new URL(pages[1]!.links.self).searchParams.get('page'), '2');
  assert.deepEqual(new URL(pages[1]!.links.next!).searchParams.getAll('q[]'), ['archived_at:*', 'deleted_at:*'], 'links keep the filters');
  assert.ok(pages[2]!.links.previous);
  assert.deepEqual(seen, sim.store.patients.sorted().map((p) => p.id), 'every patient once, in created_at order');
  assert.ok(seen.every((id) => /^\d{18}$/.test(id) && BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)), 'ids are int64 strings past 2^53');
  assert.equal((await call(sim, 'patients?per_page=101')).status, 400);
  assert.equal(items((await call(sim, 'patients?page=99')).body, 'patients').length, 0);
});

test('archived, deleted and cancelled records are left out unless a filter names their column', async () => {
  const sim = await defaultSim;
  const store = sim.store;
  const count = async (path: string) => (await call(sim, path)).body.total_entries;
  const patients = store.patients.sorted();
  assert.equal(await count('patients'), patients.filter((p) => !p.archived_at && !p.deleted_at).length);
  assert.equal(await count('patients?q[]=archived_at:*'), patients.filter((p) => !p.deleted_at).length);
  assert.equal(await count('patients?q[]=archived_at:*&q[]=deleted_at:*'), patients.length);
  const appointments = store.appointments.sorted();
  assert.equal(await count('individual_appointments'), appointments.filter((a) => !a.archived_at && !a.deleted_at && !a.cancelled_at).length);
  assert.equal(await count('individual_appointments?q[]=archived_at:*&q[]=deleted_at:*&q[]=cancelled_at:*'), appointments.length);
  const active = items((await call(sim, 'practitioners')).body, 'practitioners');
  const inactive = items((await call(sim, 'practitioners/inactive')).body, 'practitioners');
  assert.deepEqual([...active, ...inactive].map((p) => p.id).sort(), store.practitioners.sorted().map((p) => p.id).sort());
  assert.ok(active.length > 0 && inactive.length > 0);
  assert.equal('active' in active[0]!, false, 'which list says it, as in Cliniko');
});

test('q[] filters: updated_at ranges, numeric lists; unknown columns and bad values are 400 with a message', async () => {
  const sim = await defaultSim;
  const target = sim.store.appointments.sorted()[10]!;
  const since = await call(sim, `individual_appointments?q[]=updated_at:>=${target.updated_at}&q[]=archived_at:*&q[]=deleted_at:*&q[]=cancelled_at:*&per_page=100`);
  const expected = sim.store.appointments.sorted().filter((a) => a.updated_at >= target.updated_at);
  assert.equal(since.body.total_entries, expected.length);
  const byPatient = await call(sim, `individual_appointments?q[]=patient_id:=${target.patient_id}&q[]=cancelled_at:*&q[]=archived_at:*&q[]=deleted_at:*`);
  assert.ok(items(byPatient.body, 'individual_appointments').every((a) => (a.patient as { links: { self: string } }).links.self.endsWith(`/patients/${target.patient_id}`)));
  const notSearchable = await call(sim, 'patients?q[]=notes:~pain');
  assert.equal(notSearchable.status, 400);
  assert.deepEqual(notSearchable.body, { message: 'This column is not searchable.' });
  const local = await call(sim, 'patients?q[]=updated_at:>=2026-11-01T10:00:00');
  assert.equal(local.status, 400);
  assert.match(local.body.message ?? '', /UTC date-time/);
});

test('records are Cliniko-shaped: related records as links, nullable fields as null; numericIds sends bare numbers', async () => {
  const sim = await defaultSim;
  const [appointment] = items((await call(sim, 'individual_appointments?per_page=1')).body, 'individual_appointments');
  const stored = sim.store.appointments.get(appointment!.id)!;
  assert.equal((appointment!.patient as { links: { self: string } }).links.self, `${sim.apiUrl}/patients/${stored.patient_id}`);
  assert.equal((appointment!.business as { links: { self: string } }).links.self, `${sim.apiUrl}/businesses/${stored.business_id}`);
  assert.equal(appointment!.links.self, `${sim.apiUrl}/individual_appointments/${stored.id}`);
  assert.equal(appointment!.deleted_at, null);
  assert.match(String(appointment!.starts_at), /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}Z$/);
  assert.equal((await call(sim, `individual_appointments/${stored.id}`)).body.id, stored.id);
  assert.equal((await call(sim, 'individual_appointments/1')).status, 404);

  const legacy = await simulator({ numericIds: true });
  const text = (await call(legacy, 'patients?per_page=1')).text;
  const id = legacy.store.patients.sorted()[0]!.id;
  assert.ok(text.includes(`"id":${id},`), 'a bare number');
  assert.ok(text.includes(`/patients/${id}"`), 'links keep the digits');
});

test('the same seed gives the same data set; different seeds different ids', () => {
  assert.deepEqual(generateDataset(7), generateDataset(7));
  const ids = (seed: number) => new Set(generateDataset(seed).patients.map((p) => p.id));
  const one = ids(1);
  assert.ok([...ids(2)].every((id) => !one.has(id)));
});

test('200 a minute per user: over it, 429 with X-RateLimit-Reset and a counted violation; control routes are free', async () => {
  const sim = await simulator({ rateLimit: { perMinute: 3, minuteMs: 60_000 } });
  for (let i = 0; i < 3; i++) assert.equal((await call(sim, 'practitioners')).status, 200);
  const before = Math.floor(Date.now() / 1000);
  const refused = await call(sim, 'practitioners');
  assert.equal(refused.status, 429);
  const reset = Number(refused.headers.get('x-ratelimit-reset'));
  assert.ok(reset >= before + 59 && reset <= before + 61, `reset ${reset} is a minute after the first request`);
  assert.equal(refused.headers.get('retry-after'), null, 'Cliniko documents only X-RateLimit-Reset');
  await fetch(`${sim.url}/__sim/stats`);
  assert.equal(sim.stats.requests, 4);
  assert.equal(sim.stats.rateLimitViolations, 1);
  assert.equal(sim.stats.peakInWindow, 3);
  assert.equal((await call(sim, 'practitioners', { authorization: basic('other-key'), 'user-agent': USER_AGENT })).status, 401, 'a bad key is refused before the limit');
  assert.equal(sim.stats.rateLimitViolations, 1);
});

test('faults: 429 storms, 5xx bursts, cut-off bodies and one malformed record, set at runtime over HTTP', async () => {
  const sim = await simulator();
  const post = (body: unknown) => fetch(`${sim.url}/__sim/faults`, { method: 'POST', body: JSON.stringify(body) });
  assert.equal((await post({ status429: 1, status5xx: 1, truncateNext: 1 })).status, 200);
  const storm = await call(sim, 'patients');
  assert.equal(storm.status, 429);
  assert.ok(Number(storm.headers.get('x-ratelimit-reset')) > Date.now() / 1000);
  assert.equal((await call(sim, 'patients')).status, 503);
  await assert.rejects(call(sim, 'patients'), SyntaxError, 'the body is cut in half');
  assert.equal((await call(sim, 'patients')).status, 200);
  assert.equal(sim.stats.rateLimitViolations, 0, 'injected 429s are not violations');

  await post({ malformedRecord: true });
  const page = items((await call(sim, 'patients?per_page=5')).body, 'patients');
  assert.equal(page.length, 6);
  assert.deepEqual([page[5]!.id, page[5]!.updated_at], [MALFORMED_ID, 'not-a-time']);
  const bad = await post({ status429: -1, typo: true });
  assert.equal(bad.status, 400);
  assert.match(((await bad.json()) as { error: string }).error, /status429/);
  await fetch(`${sim.url}/__sim/reset`, { method: 'POST' });
  assert.equal(sim.faults.malformedRecord, false);
  assert.equal(sim.stats.requests, 0);
});

test('store edits stamp updated_at, except archiving and deleting (the worst case Cliniko has shown)', async () => {
  const sim = await simulator({ now: () => new Date('2026-11-25T10:00:00.500Z') });
  const [first, second] = sim.store.patients.sorted();
  assert.equal(sim.store.updatePatient(first!.id, { email: 'new@example.com' }).updated_at, '2026-11-25T10:00:00Z');
  const archived = sim.store.archivePatient(second!.id);
  assert.equal(archived.archived_at, '2026-11-25T10:00:00Z');
  assert.equal(archived.updated_at, second!.updated_at);
  const updated = await call(sim, 'patients?q[]=updated_at:>=2026-11-25T10:00:00Z');
  assert.deepEqual(items(updated.body, 'patients').map((p) => p.id), [first!.id]);
  const newlyArchived = await call(sim, 'patients?q[]=archived_at:>=2026-11-25T10:00:00Z');
  assert.deepEqual(items(newlyArchived.body, 'patients').map((p) => p.id), [second!.id]);
});

function capture(): { stream: Writable; line: Promise<string> } {
  let text = '';
  let resolveLine: (line: string) => void = () => {};
  const line = new Promise<string>((resolve) => (resolveLine = resolve));
  const stream = new Writable({
    write(chunk: Buffer, _encoding, done) {
      text += String(chunk);
      if (text.includes('\n')) resolveLine(text.slice(0, text.indexOf('\n')));
      done();
    },
  });
  return { stream, line };
}

test('tidemark simulate cliniko serves until aborted and says where', async () => {
  const controller = new AbortController();
  const stdout = capture();
  const context = { stdout: stdout.stream, stderr: capture().stream, env: {}, interactive: false, signal: controller.signal };
  const running = simulateCommand.run({ ...context, argv: ['cliniko', '--port', '0', '--users', '30', '--shifts', '40', '--api-key', 'k2-uk1', '--no-rate-limit'] });
  try {
    const line = await stdout.line;
    const match = /^cliniko simulator on (http:\/\/127\.0\.0\.1:\d+\/v1) .*k2-uk1 \(shard uk1\).*30 patients, \d+ practitioners, 40 appointments$/.exec(line);
    assert.ok(match, line);
    const answer = await fetch(`${match[1]}/patients?q[]=archived_at:*&q[]=deleted_at:*`, { headers: { authorization: basic('k2-uk1'), 'user-agent': USER_AGENT } });
    assert.equal(((await answer.json()) as ListBody).total_entries, 30);
  } finally {
    controller.abort();
  }
  assert.equal(await running, 0);
});
