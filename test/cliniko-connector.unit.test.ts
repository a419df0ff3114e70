/**
 * The Cliniko connector's pure parts: shard and base URL from the key, Basic auth and the
 * User-Agent, the options check as the configuration reports it, exact int64 ids, links to ids,
 * the passes a read makes, the even pacing of the client's budget, and normalize never throwing.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { cliniko, clinikoClientOptions } from '../src/connectors/cliniko/connector.ts';
import { shardOfKey } from '../src/connectors/cliniko/shard.ts';
import { clinikoInstant, listPasses } from '../src/connectors/cliniko/list-passes.ts';
import { PATIENT_LIST } from '../src/connectors/cliniko/patients-stream.ts';
import { APPOINTMENT_LIST } from '../src/connectors/cliniko/appointments-stream.ts';
import { clinikoId, idOfLink, relatedId } from '../src/connectors/cliniko/values.ts';
import type { ConnectorClientSettings } from '../src/connectors/connector.ts';
import { parseConfig } from '../src/config/load.ts';
import { ConfigError } from '../src/config/config-error.ts';
import { parseJsonBody } from '../src/upstream/json-body.ts';
import { RateLimiter } from '../src/upstream/rate-limiter.ts';

function settings(overrides: Partial<ConnectorClientSettings> = {}): ConnectorClientSettings {
  return {
    tenantId: 'harbour',
    connectionId: 'harbour-cliniko',
    baseUrl: undefined,
    credentials: { apiKey: 'MxJrZXkiOiI1Njd1amJmZTQ1NyJ9-au2' },
    credentialEnv: { apiKey: 'HARBOUR_CLINIKO_KEY' },
    limits: undefined,
    maxAttempts: 5,
    timeoutMs: 30_000,
    options: { contactEmail: 'it@harbourphysio.example' },
    ...overrides,
  };
}

test('the shard comes from the key suffix (au1 without one); the base URL follows unless overridden', () => {
  assert.equal(shardOfKey('MxJrZXkiOiI1Njd1amJmZTQ1NyJ9-au2'), 'au2');
  assert.equal(shardOfKey('abc-UK1'), 'uk1');
  assert.equal(shardOfKey('abcdef'), 'au1');
  assert.equal(shardOfKey('abc-notashard'), 'au1');
  assert.equal(cliniko.createClient(settings()).baseUrl, 'https://api.au2.cliniko.com/v1');
  assert.equal(cliniko.createClient(settings({ credentials: { apiKey: 'k-ca1' } })).baseUrl, 'https://api.ca1.cliniko.com/v1');
  assert.equal(cliniko.createClient(settings({ baseUrl: 'http://127.0.0.1:4030/v1' })).baseUrl, 'http://127.0.0.1:4030/v1');
});

test('Basic auth is the key with an empty password (the documented example); the User-Agent names app and email', async () => {
  const options = clinikoClientOptions(settings());
  assert.deepEqual(await options.authHeaders(), { Authorization: 'Basic TXhKclpYa2lPaUkxTmpkMWFtSm1aVFExTnlKOS1hdTI6' });
  assert.equal(options.userAgent, 'Tidemark (it@harbourphysio.example)');
  assert.equal(clinikoClientOptions(settings({ options: { contactEmail: 'a@b.co', appName: 'Harbour sync' } })).userAgent, 'Harbour sync (a@b.co)');
  assert.deepEqual(options.limits, { perMinute: 200 });
  assert.equal(options.pacing, 'even');
  assert.equal(options.exactIntegers, true);
  assert.match(options.authHint ?? '', /HARBOUR_CLINIKO_KEY/);
});

test('a missing or bad contact email is a configuration error naming connections[i].options.contactEmail', () => {
  const config = (options: unknown) => ({
    tenants: [{ id: 'harbour', name: 'Harbour Physio', timezone: 'Australia/Sydney' }],
    connections: [
      { id: 'other', tenant: 'harbour', connector: 'connecteam', credentials: { apiKey: { env: 'CT_KEY' } } },
      { id: 'harbour-cliniko', tenant: 'harbour', connector: 'cliniko', credentials: { apiKey: { env: 'HARBOUR_CLINIKO_KEY' } }, options },
    ],
    destinations: [{ id: 'warehouse', url: 'pglite:memory' }],
    syncs: [{ id: 'harbour-patients', tenant: 'harbour', connection: 'harbour-cliniko', stream: 'cliniko.patients', destination: 'warehouse' }],
  });
  const problems = (options: unknown) => {
    try {
      parseConfig(config(options));
    } catch (error) {
      assert.ok(error instanceof ConfigError, String(error));
      return error.problems;
    }
    assert.fail('the configuration was accepted');
  };
  const missing = problems(undefined);
  assert.equal(missing[0]!.setting, 'connections[1].options.contactEmail');
  assert.match(missing[0]!.message, /required: the contact email Cliniko asks for in the User-Agent/);
  assert.match(problems({ contactEmail: 'not an email' })[0]!.message, /an email address/);
  assert.equal(problems({ contactEmail: 'a@b.co', colour: 'blue' })[0]!.setting, 'connections[1].options');
  assert.doesNotThrow(() => parseConfig(config({ contactEmail: 'it@harbourphysio.example' })));

  assert.throws(() => clinikoClientOptions(settings({ options: {} })), /Cliniko connection "harbour-cliniko" of tenant "harbour": options\.contactEmail: required/);
});

test('ids past 2^53 survive parsing exactly, whether sent as strings or bare numbers', () => {
  const body = '{"id":514810972972521916,"n":1.5,"safe":9007199254740991,"note":"id 514810972972521916 in text","list":[-9223372036854775807]}';
  assert.deepEqual(parseJsonBody(body, true), { id: '514810972972521916', n: 1.5, safe: 9007199254740991, note: 'id 514810972972521916 in text', list: ['-9223372036854775807'] });
  assert.notEqual(String((parseJsonBody(body, false) as { id: number }).id), '514810972972521916', 'plain JSON.parse rounds it');
  assert.equal(clinikoId.parse('514810972972521916'), '514810972972521916');
  assert.equal(clinikoId.parse(82), '82');
  assert.equal(clinikoId.safeParse(2 ** 60).success, false, 'a number past 2^53 has already been rounded: refused');
  assert.equal(clinikoId.safeParse('9223372036854775808').success, false, 'past int64');
  assert.equal(clinikoId.safeParse('12a').success, false);
});

test('related ids are the last segment of their links', () => {
  assert.equal(idOfLink('https://api.au1.cliniko.com/v1/patients/514810972972521916'), '514810972972521916');
  assert.equal(idOfLink('https://api.au1.cliniko.com/v1/practitioners/1/'), '1');
  assert.equal(idOfLink('https://api.au1.cliniko.com/v1/patients/abc'), undefined);
  assert.equal(relatedId.parse({ links: { self: 'https://api.uk1.cliniko.com/v1/businesses/77' } }), '77');
  assert.equal(relatedId.parse(null), null);
  assert.equal(relatedId.parse(undefined), null);
  assert.equal(relatedId.safeParse({ links: { self: 'https://x/v1/patients/' } }).success, false);
});

test('a full read is one pass naming every hidden column; an incremental one has a pass per cursor column', () => {
  assert.deepEqual(listPasses([PATIENT_LIST], undefined).map((p) => p.filters), [['archived_at:*', 'deleted_at:*']]);
  const since = new Date('2026-11-25T10:15:42.789Z');
  assert.equal(clinikoInstant(since), '2026-11-25T10:15:42Z', 'rounded down to the second, never skipping');
  assert.deepEqual(
    listPasses([APPOINTMENT_LIST], since).map((p) => [p.name, p.filters]),
    [
      ['individual_appointments:updated_at', ['updated_at:>=2026-11-25T10:15:42Z', 'archived_at:*', 'deleted_at:*', 'cancelled_at:*']],
      ['individual_appointments:archived_at', ['archived_at:>=2026-11-25T10:15:42Z', 'deleted_at:*', 'cancelled_at:*']],
      ['individual_appointments:deleted_at', ['deleted_at:>=2026-11-25T10:15:42Z', 'archived_at:*', 'cancelled_at:*']],
      ['individual_appointments:cancelled_at', ['cancelled_at:>=2026-11-25T10:15:42Z', 'archived_at:*', 'deleted_at:*']],
    ],
  );
});

test('even pacing spaces grants 2% wider than window/limit, with a shortened minute too, never more than the limit per window', () => {
  const cases = [
    { limits: { perMinute: 200 }, minuteMs: undefined, gap: 306 },
    { limits: { perMinute: 200 }, minuteMs: 10_000, gap: 51 },
    { limits: { perMinute: 4 }, minuteMs: 2_000, gap: 510 },
  ];
  for (const { limits, minuteMs, gap } of cases) {
    for (const stalls of [false, true]) {
      const limiter = new RateLimiter(limits, { pacing: 'even', ...(minuteMs ? { minuteMs } : {}) });
      assert.equal(limiter.paceMs, gap);
      const window = minuteMs ?? 60_000;
      let now = 1_000_000;
      const grants: number[] = [];
      while (grants.length < limits.perMinute * 3) {
        const reservation = limiter.reserve(now);
        if (reservation.granted) grants.push(now);
        // Timers fire a millisecond late; with `stalls` the reader is now and then busy for a while.
        else now = reservation.until + (stalls && grants.length % 7 === 0 ? 3 * gap : 1);
      }
      const busiest = Math.max(...grants.map((at) => grants.filter((other) => other >= at && other < at + window).length));
      assert.ok(busiest <= limits.perMinute, `${busiest} grants in one window of ${window} ms; the limit is ${limits.perMinute}`);
      if (!stalls) assert.ok(busiest >= limits.perMinute * 0.95, `the pace still uses the budget (${busiest} of ${limits.perMinute})`);
    }
  }
  assert.equal(new RateLimiter({ perMinute: 200 }).paceMs, undefined, 'burst is the default');
});

test('normalize never throws: garbage becomes a dead letter with a reason', () => {
  const garbage: unknown[] = [null, undefined, 0, 'x', [], {}, { id: null }, { id: '1', created_at: 5 }, { id: '1', links: 'x', patient: 7 },
    { id: '2', created_at: '2026-01-01T00:00:00Z', updated_at: 'soon' }, { id: 1.5 }, { id: '3', deleted_at: 'yesterday' }];
  for (const stream of cliniko.streams) {
    for (const raw of garbage) {
      const result = stream.normalize(raw, { tenantId: 'harbour', timezone: 'Australia/Sydney' });
      assert.equal(result.ok, false, `${stream.name} accepted ${JSON.stringify(raw)}`);
      if (!result.ok) assert.match(result.reason, /^invalid Cliniko /);
    }
  }
});
