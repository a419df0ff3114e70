import { test } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { tmpdir } from 'node:os';
import { loadConfig, parseConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { resolveSync } from '../src/engine/resolve-sync.ts';

const valid = () => ({
  tenants: [{ id: 'acme', name: 'Acme', timezone: 'America/Chicago' }],
  connections: [{ id: 'acme-ct', tenant: 'acme', connector: 'connecteam', credentials: { apiKey: { env: 'ACME_CT_KEY' } } }],
  destinations: [{ id: 'wh', url: 'postgres://app@db.example:5432/app' }],
  syncs: [{ id: 'acme-shifts', tenant: 'acme', connection: 'acme-ct', stream: 'connecteam.shifts', destination: 'wh' }],
});

function problemsOf(data: unknown): string[] {
  try {
    parseConfig(data, 'test.json');
  } catch (error) {
    assert.ok(error instanceof ConfigError, `expected ConfigError, got ${String(error)}`);
    return error.problems.map((p) => `${p.setting}: ${p.message}`);
  }
  assert.fail('configuration was accepted');
}

test('a valid configuration gets defaults filled in', () => {
  const config = parseConfig(valid());
  assert.equal(config.controlPlane.url, 'pglite:.tidemark/control');
  assert.equal(config.syncs[0]!.batchSize, 1000);
  assert.deepEqual(config.syncs[0]!.deleteGuard, { maxFraction: 0.5, minRows: 10 });
  assert.deepEqual(config.tenants[0]!.businessHours.days, [1, 2, 3, 4, 5, 6, 7]);
});

test('a bad timezone names the setting, what was received and what is accepted', () => {
  const data = valid();
  data.tenants[0]!.timezone = 'Central';
  const [problem] = problemsOf(data);
  assert.match(problem!, /^tenants\[0\]\.timezone: expected an IANA timezone such as "America\/Chicago"; received "Central"$/);
});

test('an unknown stream lists the accepted streams', () => {
  const data = valid();
  data.syncs[0]!.stream = 'connecteam.shift';
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => p.startsWith('syncs[0].stream: no stream "connecteam.shift"; accepted: "connecteam.users", "connecteam.shifts"')), problems.join('\n'));
});

test('a secret written in the file is refused: credentials must name an environment variable', () => {
  const data = valid() as unknown as { connections: { credentials: unknown }[] };
  data.connections[0]!.credentials = { apiKey: 'live-key-123' };
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => p.startsWith('connections[0].credentials.apiKey:')), problems.join('\n'));
  assert.ok(!problems.join('\n').includes('live-key-123'), 'the literal secret is not echoed');
});

test('a destination URL with a password must come from the environment', () => {
  const data = valid();
  data.destinations[0]!.url = 'postgres://app:hunter2@db:5432/app';
  let problems = problemsOf(data);
  assert.ok(problems.some((p) => p.startsWith('destinations[0].url') && p.includes('environment variable')), problems.join('\n'));
  assert.ok(!problems.join('\n').includes('hunter2'), 'the password is not echoed');
  data.destinations[0]!.url = 'postgres://app@db:5432/app?password=hunter2';
  problems = problemsOf(data);
  assert.ok(problems.some((p) => p.startsWith('destinations[0].url')) && !problems.join('\n').includes('hunter2'), problems.join('\n'));
});

test('dangling references and duplicate ids are reported together', () => {
  const data = valid();
  data.syncs.push({ ...data.syncs[0]!, connection: 'nope', destination: 'gone' });
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => p.includes('id "acme-shifts" is used twice')));
  assert.ok(problems.some((p) => p.startsWith('syncs[1].connection: no connection "nope"; configured: "acme-ct"')));
  assert.ok(problems.some((p) => p.startsWith('syncs[1].destination: no destination "gone"; configured: "wh"')));
});

test('unknown settings are refused by name', () => {
  const data = { ...valid(), tennants: [] };
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => p.includes('unknown setting(s) "tennants"')), problems.join('\n'));
});

test('the file is found from --config, then TIDEMARK_CONFIG, and a missing file says where to put one', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-config-'));
  const file = join(dir, 'custom.json');
  writeFileSync(file, JSON.stringify(valid()));
  assert.equal((await loadConfig(file, {})).config.syncs[0]!.id, 'acme-shifts');
  assert.equal((await loadConfig(undefined, { TIDEMARK_CONFIG: file })).path, file);
  await assert.rejects(loadConfig(join(dir, 'missing.json'), {}), /no configuration file at .*missing\.json \(from --config\)/);
  writeFileSync(file, '{ not json');
  await assert.rejects(loadConfig(file, {}), /not valid JSON/);
});

test('a missing credential variable is named, and its value never appears in errors', () => {
  const config = parseConfig(valid());
  const parts = resolveSync(config, 'acme-shifts', {});
  assert.throws(() => parts.createClient(), /connections\[0\]\.credentials\.apiKey: environment variable ACME_CT_KEY is not set/);
  assert.throws(() => resolveSync(config, 'other', {}), /no sync "other"; configured: "acme-shifts"/);
});

test('a TypeScript config file default-exports the object (defineConfig is optional)', async () => {
  const dir = mkdtempSync(join(tmpdir(), 'tidemark-config-'));
  const file = join(dir, 'tidemark.config.ts');
  const config = valid();
  writeFileSync(file, `const config = ${JSON.stringify(config)};\nexport default config;\n`);
  const loaded = await loadConfig(file, {});
  assert.equal(loaded.config.syncs[0]!.stream, 'connecteam.shifts');
});

test('a lookback on a sync that is not incremental, and retention on a stream without it, name the setting', () => {
  const data = valid() as unknown as { syncs: Record<string, unknown>[] };
  data.syncs[0] = { ...data.syncs[0], lookbackMinutes: 30, retentionDays: 7 };
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => /^syncs\[0\]\.lookbackMinutes: only incremental syncs have a lookback; this sync runs in window mode/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^syncs\[0\]\.retentionDays: stream "connecteam\.shifts" keeps no retention/.test(p)), problems.join('\n'));
});

test('a mapping names the sync table\'s columns; an unknown one, or a column Tidemark fills itself, names the setting', () => {
  const data = valid() as unknown as { syncs: Record<string, unknown>[] };
  data.syncs[0] = {
    ...data.syncs[0],
    mapping: { table: 'clock_times', key: 'id', columns: { clock_in: 'start', id: 'shift_id', employee_id: { lookup: { from: 'userid', table: 'employees', match: 'ct_id', value: 'id' } } } },
  };
  const problems = problemsOf(data);
  assert.ok(problems.some((p) => /^syncs\[0\]\.mapping\.columns\.clock_in: the sync's table has no column "start"; its columns: shift_id, /.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^syncs\[0\]\.mapping\.columns\.employee_id: the sync's table has no column "userid"/.test(p)), problems.join('\n'));
  assert.ok(problems.some((p) => /^syncs\[0\]\.mapping\.columns\.id: "id" is the mapping's key/.test(p)), problems.join('\n'));
});

test('the YClients schedules stream offers "full" and "today" windows without configuration', () => {
  const config = parseConfig({
    tenants: [{ id: 'salon', name: 'Salon', timezone: 'Europe/Moscow' }],
    connections: [{ id: 'yc', tenant: 'salon', connector: 'yclients', credentials: { partnerToken: { env: 'P' }, userToken: { env: 'U' } }, options: { companyId: 501101 } }],
    destinations: [{ id: 'wh', url: 'postgres://app@db.example:5432/app' }],
    syncs: [{ id: 'salon-schedules', tenant: 'salon', connection: 'yc', stream: 'yclients.staff_schedules', destination: 'wh' }],
  });
  const parts = resolveSync(config, 'salon-schedules', {});
  const now = new Date('2026-11-25T21:30:00Z'); // 00:30 on the 26th in Moscow
  assert.deepEqual([parts.namedWindow('full', now).from, parts.namedWindow('full', now).to], ['2026-11-26', '2026-12-27']);
  assert.deepEqual([parts.namedWindow('today', now).from, parts.namedWindow('today', now).to], ['2026-11-26', '2026-11-28']);
});
