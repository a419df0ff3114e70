/**
 * The three Cliniko streams through the real engine into a real Postgres, against the simulator:
 * rows in the database, ids exact, archived/deleted/cancelled records kept, incremental runs that
 * pick up what changed (including changes made while a run was reading), faults survived, and the
 * simulator's rate limit never exceeded.
 */
import { test } from 'node:test';
import assert from 'node:assert/strict';
import { MALFORMED_ID } from '../src/connectors/cliniko/simulator/index.ts';
import type { RunSummary } from '../src/engine/run-sync.ts';
import type { RawPage } from '../src/engine/stream.ts';
import { clinikoHarness } from './helpers/cliniko-harness.ts';

function assertConserved(summary: RunSummary): void {
  const { fetched, created, updated, unchanged, dead } = summary.counts;
  assert.equal(fetched, created + updated + unchanged + dead, `conservation: ${JSON.stringify(summary.counts)}`);
}

function assertSucceeded(summary: RunSummary): void {
  assert.equal(summary.status, 'succeeded', summary.error ?? '');
  assertConserved(summary);
}

const sorted = (values: Iterable<unknown>) => [...values].map(String).sort();

test('cliniko.patients: every patient lands once, archived and deleted ones included; a second run reads only changes', async () => {
  const h = await clinikoHarness({ stream: 'patients' });
  try {
    const upstream = h.simulator.store.patients.sorted();
    const first = await h.run();
    assertSucceeded(first);
    assert.equal(first.since, null, 'the first incremental run reads everything');
    assert.equal(first.counts.created, 240);
    const rows = await h.rows();
    assert.deepEqual(sorted(rows.map((r) => r.patient_id)), sorted(upstream.map((p) => p.id)));
    assert.equal(rows.filter((r) => r.is_archived).length, upstream.filter((p) => p.archived_at).length);
    assert.ok(rows.some((r) => r.is_archived), 'the data set has archived patients');
    assert.equal(rows.filter((r) => r.is_deleted).length, upstream.filter((p) => p.deleted_at).length);
    assert.ok(rows.some((r) => r.is_deleted && r.upstream_deleted_at instanceof Date), 'deleted patients keep their deleted_at');

    const archived = upstream.find((p) => p.archived_at)!;
    const [row] = await h.rows(`patient_id = '${archived.id}'`);
    assert.equal(row!.first_name, archived.first_name);
    assert.equal(row!.email, archived.email);
    assert.equal((row!.archived_at as Date).toISOString(), new Date(archived.archived_at!).toISOString());
    assert.equal((row!.upstream_updated_at as Date).toISOString(), new Date(archived.updated_at).toISOString());
    assert.deepEqual(row!.phone_numbers, archived.patient_phone_numbers);
    assert.equal(h.simulator.stats.rateLimitViolations, 0);

    const second = await h.run();
    assertSucceeded(second);
    assert.notEqual(second.since, null, 'the second run is incremental from the first one’s start');
    assert.equal(second.counts.fetched, 0, 'nothing changed upstream');
    // updated_at, archived_at and deleted_at passes: one short page each.
    assert.equal(second.upstream.requests, 3);
  } finally {
    await h.close();
  }
});

test('cliniko.practitioners (snapshot): active and inactive ones, user from its link; deactivated and removed ones follow', async () => {
  const h = await clinikoHarness({ stream: 'practitioners' });
  try {
    const upstream = h.simulator.store.practitioners.sorted();
    const first = await h.run();
    assertSucceeded(first);
    assert.equal(first.mode, 'snapshot');
    const rows = await h.rows('true', 'practitioner_id');
    assert.deepEqual(sorted(rows.map((r) => r.practitioner_id)), sorted(upstream.map((p) => p.id)));
    for (const practitioner of upstream) {
      const row = rows.find((r) => r.practitioner_id === practitioner.id)!;
      assert.equal(row.active, practitioner.active, `practitioner ${practitioner.id}`);
      assert.equal(row.user_id, practitioner.user_id);
      assert.equal(row.default_appointment_type_id, practitioner.default_appointment_type_id);
    }
    assert.ok(rows.some((r) => r.active === false) && rows.some((r) => r.active === true));

    const [leaving, gone] = upstream.filter((p) => p.active);
    h.simulator.store.setPractitionerActive(leaving!.id, false);
    h.simulator.store.removePractitioner(gone!.id);
    const second = await h.run();
    assertSucceeded(second);
    assert.equal(second.counts.updated, 1);
    assert.equal(second.counts.deleted, 1);
    assert.equal((await h.rows(`practitioner_id = '${leaving!.id}'`))[0]!.active, false);
    assert.ok((await h.rows(`practitioner_id = '${gone!.id}'`))[0]!.deleted_at instanceof Date, 'a practitioner gone from both lists is marked deleted');
  } finally {
    await h.close();
  }
});

test('cliniko.appointments: cancelled, archived and deleted ones land; related ids come from links; business days in the tenant zone', async () => {
  const h = await clinikoHarness({ stream: 'appointments' });
  try {
    const upstream = h.simulator.store.appointments.sorted();
    const summary = await h.run();
    assertSucceeded(summary);
    assert.equal(summary.counts.created, upstream.length);
    const rows = await h.rows();
    assert.deepEqual(sorted(rows.map((r) => r.appointment_id)), sorted(upstream.map((a) => a.id)));
    for (const [flag, field] of [['is_cancelled', 'cancelled_at'], ['is_archived', 'archived_at'], ['is_deleted', 'deleted_at']] as const) {
      const expected = upstream.filter((a) => a[field] !== null).length;
      assert.ok(expected > 0, `the data set has ${field} appointments`);
      assert.equal(rows.filter((r) => r[flag] === true).length, expected, flag);
    }
    const sydneyDate = new Intl.DateTimeFormat('en-CA', { timeZone: 'Australia/Sydney' });
    for (const appointment of upstream.slice(0, 50)) {
      const row = rows.find((r) => r.appointment_id === appointment.id)!;
      assert.equal(row.patient_id, appointment.patient_id);
      assert.equal(row.practitioner_id, appointment.practitioner_id);
      assert.equal(row.appointment_type_id, appointment.appointment_type_id);
      assert.equal(row.business_id, appointment.business_id);
      assert.equal((row.starts_at as Date).toISOString(), new Date(appointment.starts_at).toISOString());
      assert.equal(row.business_date, sydneyDate.format(new Date(appointment.starts_at)));
      assert.equal(row.cancellation_reason, appointment.cancellation_reason);
    }
  } finally {
    await h.close();
  }
});

test('ids past 2^53 sent as bare JSON numbers stay exact, and links join them', async () => {
  const h = await clinikoHarness({ stream: 'patients', simulator: { numericIds: true, generate: { patients: 50, appointments: 80 } } });
  const appointments = await clinikoHarness({ stream: 'appointments', sharedSimulator: h.simulator, shared: h });
  try {
    const ids = h.simulator.store.patients.sorted().map((p) => p.id);
    assert.ok(ids.every((id) => BigInt(id) > BigInt(Number.MAX_SAFE_INTEGER)), 'every id is past 2^53');
    const answer = await fetch(`${h.simulator.apiUrl}/patients?per_page=1`, {
      headers: { authorization: `Basic ${Buffer.from(`${h.simulator.apiKey}:`).toString('base64')}`, 'user-agent': 'test (t@example.com)' },
    });
    assert.match(await answer.text(), /"id":\d{18},/, 'the simulator really sends bare numbers');

    assertSucceeded(await h.run());
    assertSucceeded(await appointments.run());
    assert.deepEqual(sorted((await h.rows()).map((r) => r.patient_id)), sorted(ids));
    const joined = await h.destination.client.query<{ n: number }>(
      `SELECT count(*)::int AS n FROM "${h.destination.schema}".cliniko_appointments a JOIN "${h.destination.schema}".cliniko_patients p USING (tenant_id, patient_id)`,
    );
    assert.equal(joined.rows[0]!.n, 80, 'every appointment finds its patient');
  } finally {
    await appointments.close();
    await h.close();
  }
});

test('a record updated upstream while a run reads is picked up by the next incremental run (cursor from the run’s start)', async () => {
  const h = await clinikoHarness({ stream: 'patients', lookbackMinutes: 0 });
  try {
    const target = h.simulator.store.patients.sorted()[0]!;
    let edited = false;
    h.simulator.beforeAnswer = async ({ query }) => {
      if (edited || query.get('page') !== '2') return;
      edited = true;
      // Page 1 (with the target) has been read: the edit lands after it, and page 2 is answered
      // over a second later, so the run ends in a later second than the edit. A cursor taken
      // from the run's end would skip the edit; one from its start cannot.
      h.simulator.store.updatePatient(target.id, { first_name: 'Renamed' });
      await new Promise((resolve) => setTimeout(resolve, 1_100));
    };
    const first = await h.run();
    assertSucceeded(first);
    h.simulator.beforeAnswer = undefined;
    assert.ok(edited);
    assert.equal((await h.rows(`patient_id = '${target.id}'`))[0]!.first_name, target.first_name, 'the first run read the old name');

    const second = await h.run();
    assertSucceeded(second);
    // Cliniko's instants are whole seconds; the filter rounds `since` down to its second.
    const sinceSecond = Math.floor(Date.parse(second.since ?? '') / 1000) * 1000;
    assert.ok(sinceSecond <= Date.parse(h.simulator.store.patients.get(target.id)!.updated_at), `since ${second.since}`);
    assert.equal(second.counts.updated, 1);
    assert.equal((await h.rows(`patient_id = '${target.id}'`))[0]!.first_name, 'Renamed');
  } finally {
    await h.close();
  }
});

test('archiving and deleting without a new updated_at are still caught by the next incremental run', async () => {
  const h = await clinikoHarness({ stream: 'appointments', lookbackMinutes: 0 });
  try {
    assertSucceeded(await h.run());
    const live = h.simulator.store.appointments.sorted().filter((a) => !a.archived_at && !a.deleted_at && !a.cancelled_at);
    const [archived, deleted, cancelled] = live;
    h.simulator.store.archiveAppointment(archived!.id);
    h.simulator.store.deleteAppointment(deleted!.id);
    h.simulator.store.cancelAppointment(cancelled!.id, 40, 'Away');
    assert.equal(h.simulator.store.appointments.get(archived!.id)!.updated_at, archived!.updated_at, 'the simulator leaves updated_at alone');

    const second = await h.run();
    assertSucceeded(second);
    assert.equal(second.counts.updated, 3);
    assert.equal((await h.rows(`appointment_id = '${archived!.id}'`))[0]!.is_archived, true);
    const [gone] = await h.rows(`appointment_id = '${deleted!.id}'`);
    assert.equal(gone!.is_deleted, true);
    assert.equal(gone!.deleted_at, null, "Cliniko's deletion is data (upstream_deleted_at), not Tidemark's tombstone");
    const [off] = await h.rows(`appointment_id = '${cancelled!.id}'`);
    assert.equal(off!.is_cancelled, true);
    assert.equal(off!.cancellation_note, 'Away');
  } finally {
    await h.close();
  }
});

test('the connector’s client sends at most 200 requests in any window of its (shortened) minute', async () => {
  // The minute is 1 s on both sides: 250 requests, more than one window's budget. A client
  // without the connector's limiter would send them in a fraction of a second.
  const h = await clinikoHarness({ stream: 'practitioners', simulator: { rateLimit: { minuteMs: 1_000 } }, minuteMs: 1_000 });
  try {
    const client = h.client();
    for (let i = 0; i < 250; i++) await client.getJson('practitioners');
    assert.equal(h.simulator.stats.requests, 250);
    assert.equal(h.simulator.stats.rateLimitViolations, 0);
    assert.equal(h.simulator.stats.served429, 0);
    assert.ok(h.simulator.stats.peakInWindow <= 200, `peak ${h.simulator.stats.peakInWindow} requests in one window`);
    assert.equal(client.stats.rateLimited, 0);
  } finally {
    await h.close();
  }
});

test('a sync with more pages than its budget allows waits for it instead of causing violations', async () => {
  // 6 pages of appointments against 4 requests per 2 s, the client configured the same: the
  // fifth request must wait for the first one's window to pass.
  const limit = { perMinute: 4, minuteMs: 2_000 };
  const h = await clinikoHarness({ stream: 'appointments', simulator: { rateLimit: limit }, limits: { perMinute: 4 }, minuteMs: 2_000 });
  try {
    const summary = await h.run();
    assertSucceeded(summary);
    assert.equal(summary.counts.created, 600);
    assert.equal(h.simulator.stats.requests, 6);
    assert.equal(h.simulator.stats.rateLimitViolations, 0);
    assert.equal(summary.upstream.rateLimited, 0);
  } finally {
    await h.close();
  }
});

test('429 storms, 5xx bursts and a cut-off body are retried; the table ends equal to the upstream', async () => {
  const h = await clinikoHarness({ stream: 'appointments' });
  try {
    // Page 1: two 429s and two 503s before it answers. Page 3: three 503s. Page 4: its body cut
    // off, then a 429. No call fails more than maxAttempts − 1 = 4 times in a row.
    Object.assign(h.simulator.faults, { status429: 2, status5xx: 2 });
    const armed = new Set<string>();
    h.simulator.beforeAnswer = ({ query }) => {
      const page = query.get('page') ?? '1';
      if (armed.has(page)) return;
      armed.add(page);
      if (page === '2') Object.assign(h.simulator.faults, { status5xx: 3 });
      if (page === '4') Object.assign(h.simulator.faults, { truncateNext: 1, status429: 1 });
    };
    const summary = await h.run();
    assertSucceeded(summary);
    assert.equal(summary.upstream.rateLimited, 3);
    assert.equal(summary.upstream.serverErrors, 5);
    assert.equal(summary.upstream.retries, 9);
    const upstream = h.simulator.store.appointments.sorted();
    const rows = await h.rows();
    assert.equal(rows.length, upstream.length);
    for (const appointment of upstream) {
      const row = rows.find((r) => r.appointment_id === appointment.id);
      assert.equal((row?.upstream_updated_at as Date | undefined)?.toISOString(), new Date(appointment.updated_at).toISOString(), appointment.id);
    }
    assert.equal(h.simulator.stats.rateLimitViolations, 0);
  } finally {
    await h.close();
  }
});

test('a rejected API key fails the run at once: one request, the tenant and connection named, never the key', async () => {
  const h = await clinikoHarness({ stream: 'patients' });
  try {
    const secret = 'wrongkey5f3a9c77-au1';
    const summary = await h.run({ client: h.client(secret) });
    assert.equal(summary.status, 'failed');
    assert.match(summary.error ?? '', /tenant "harbour", connection "harbour-cliniko"/);
    assert.match(summary.error ?? '', /401/);
    assert.match(summary.error ?? '', /HARBOUR_CLINIKO_KEY/);
    assert.ok(!(summary.error ?? '').includes(secret.slice(0, 16)), 'the key never appears');
    assert.equal(summary.upstream.requests, 1);
    assert.equal(h.simulator.stats.requests, 1, 'no retries and no read-ahead after a refusal');
  } finally {
    await h.close();
  }
});

test('a malformed patient goes to the dead letters with its reason while the rest land', async () => {
  const h = await clinikoHarness({ stream: 'patients' });
  try {
    h.simulator.faults.malformedRecord = true;
    const summary = await h.run();
    assertSucceeded(summary);
    assert.equal(summary.counts.dead, 1);
    assert.equal(summary.counts.created, 240);
    assert.equal((await h.rows()).length, 240);
    const dead = await h.ledger.deadLetters({ runId: summary.runId });
    assert.equal(dead.length, 1);
    assert.equal(dead[0]!.key, MALFORMED_ID);
    assert.match(dead[0]!.reason, /invalid Cliniko patient: updated_at: expected an ISO-8601 instant/);
  } finally {
    await h.close();
  }
});

test('a resumed read starts at the saved page again (the position is the page’s own link)', async () => {
  const h = await clinikoHarness({ stream: 'appointments' });
  try {
    const client = h.client();
    const plan = { tenantId: 'harbour', timezone: 'Australia/Sydney', mode: 'snapshot' as const };
    const pages: RawPage[] = [];
    for await (const page of h.sync.stream.read(client, plan)) pages.push(page);
    assert.equal(pages.length, 6, '600 appointments at 100 a page');
    const resumed: RawPage[] = [];
    for await (const page of h.sync.stream.read(client, { ...plan, from: pages[3]!.position })) resumed.push(page);
    assert.equal(resumed.length, 3);
    assert.deepEqual(resumed.map((p) => p.records), pages.slice(3).map((p) => p.records));
    assert.deepEqual(resumed.at(-1)!.progress, { done: 6, total: 6 }, 'progress counts the pages read before the resume');
  } finally {
    await h.close();
  }
});
