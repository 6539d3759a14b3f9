import { afterAll, beforeAll, describe, expect, it } from '@jest/globals';
import { randomUUID } from 'node:crypto';
import http from 'node:http';
import type { AddressInfo } from 'node:net';
import express from 'express';
import type { Kafka, Producer } from 'kafkajs';
import { BookingEvent, type BookingConfirmedEvent } from '@khiw/contracts';
import { createPrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { createTopics, deleteTopics } from '../../../infra/local/kafka-admin';
import { bookingConfirmedEvent } from '../../../test/support/events';
import { eventually, randomCitizenId, TEST_DATABASE_URL, uniqueNamespace } from '../../../test/support/env';
import { startService, type RunningService } from '../../../test/support/services';
import { ImportRegistry } from '../../booking-worker/src/registry/import-registry.usecase';
import { registryRoutes } from '../../booking-worker/src/registry/registry.routes';
import { connectedProducer, publish, testKafka } from '../../roster/test/roster-fixtures';
import { generateSigningKey, Keyring, privateKeyPem } from '../src/waiting-room/tokens/keyring';
import { QueueTokens } from '../src/waiting-room/tokens/queue-tokens';

/**
 * The gateway's roster routes against the REAL roster service (fed through Kafka) and the
 * booking worker's real registry-import router: resident look-up (served by the roster,
 * nothing revealed on a wrong birth date, rate-limited), staff scoped to a site, check-in,
 * CSV with BOM, ops counts, the national-registry export, and the streamed registry import.
 */
const namespace = uniqueNamespace('staff');
const campaignId = `staff-${namespace.slice(-6)}`;
const key = generateSigningKey('staff-test');
const tokens = new QueueTokens(new Keyring(key), { ticketTtlSeconds: 3600 });
const skhStaff = tokens.signOps({ subject: 'nurse-1', role: 'staff', ttlSeconds: 600, site: 'SKH' });
const ktbStaff = tokens.signOps({ subject: 'nurse-2', role: 'staff', ttlSeconds: 600, site: 'KTB' });
const siteless = tokens.signOps({ subject: 'nurse-3', role: 'staff', ttlSeconds: 600 });
const ops = tokens.signOps({ subject: 'ops-1', role: 'ops', ttlSeconds: 600 });
const INTERNAL_TOKEN = 'internal-token-for-staff-tests-0123';
const prisma = createPrismaClient(TEST_DATABASE_URL, { poolSize: 2 });
let kafka: Kafka;
let producer: Producer;
let roster: RunningService;
let gateway: RunningService;
let workerStub: http.Server;
let base = '';
const events: BookingConfirmedEvent[] = [];

async function call(path: string, init: RequestInit & { token?: string; json?: unknown } = {}) {
  const response = await fetch(`${base}${path}`, {
    ...init,
    headers: {
      ...(init.token && { authorization: `Bearer ${init.token}` }),
      ...(init.json !== undefined && { 'content-type': 'application/json' }),
    },
    body: init.json !== undefined ? JSON.stringify(init.json) : init.body,
  });
  const text = await response.text();
  let body: unknown = text;
  try {
    body = JSON.parse(text);
  } catch {
    // CSV
  }
  return { status: response.status, body, text, headers: response.headers };
}

beforeAll(async () => {
  await createTopics(namespace);
  kafka = testKafka();
  producer = await connectedProducer(kafka);
  // The booking worker's registry router, as the worker mounts it, on its own port.
  const app = express();
  app.use(
    registryRoutes({
      importRegistry: new ImportRegistry(prisma),
      logger: createLogger({ service: 'worker-registry', level: 'silent' }),
      token: INTERNAL_TOKEN,
    }),
  );
  workerStub = app.listen(0, '127.0.0.1');
  await new Promise((resolve) => workerStub.once('listening', resolve));
  roster = await startService('roster', namespace, { INTERNAL_API_TOKEN: INTERNAL_TOKEN });
  gateway = await startService('gateway', namespace, {
    GATEWAY_SIGNING_KEY: privateKeyPem(key),
    GATEWAY_SIGNING_KEY_ID: key.kid,
    INTERNAL_API_TOKEN: INTERNAL_TOKEN,
    ROSTER_API_URL: `http://127.0.0.1:${roster.port}`,
    BOOKING_API_URL: `http://127.0.0.1:${(workerStub.address() as AddressInfo).port}`,
    SELF_SERVICE_PER_CITIZEN_PER_MINUTE: '5',
    SELF_SERVICE_PER_NETWORK_PER_MINUTE: '1000',
    WAITING_ROOM_ADMISSION_LOOP: 'false',
  });
  base = `http://127.0.0.1:${gateway.port}`;

  // Four bookings at SKH on 2 August 2021, one at KTB; one SKH booking is then cancelled.
  for (let i = 0; i < 5; i++) {
    const event = bookingConfirmedEvent(campaignId, i);
    if (i === 4) {
      event.data.appointment = { ...event.data.appointment, siteId: 'KTB', slotId: 'KTB-20210802-0900' };
    }
    // One booked by a call-centre agent, one at the walk-in counter (issue 11).
    if (i === 1) Object.assign(event.data, { channel: 'call_center', enteredBy: 'agent:somsri' });
    if (i === 2) Object.assign(event.data, { channel: 'walk_in', enteredBy: 'agent:desk-3' });
    events.push(event);
  }
  const cancel = BookingEvent.parse({
    schemaVersion: 1,
    eventId: randomUUID(),
    occurredAt: new Date(Date.now() + 1000).toISOString(),
    campaignId,
    bookingId: events[3]!.bookingId,
    requestId: events[3]!.requestId,
    type: 'BookingCancelled',
    data: {
      reference: events[3]!.data.reference,
      phone: events[3]!.data.person.phone,
      appointment: events[3]!.data.appointment,
      cancelledBy: 'resident',
    },
  });
  // The cancelled person books again, at KTB: the registry export must list them once.
  const rebooked = bookingConfirmedEvent(campaignId, 5);
  rebooked.data.person = events[3]!.data.person;
  rebooked.data.appointment = { ...rebooked.data.appointment, siteId: 'KTB', slotId: 'KTB-20210802-1000' };
  rebooked.occurredAt = new Date(Date.now() + 2000).toISOString();
  await publish(producer, namespace, [...events, cancel, rebooked]);
  await eventually(
    async () => {
      const [active, cancelled] = await Promise.all([
        prisma.rosterEntry.count({ where: { campaignId, status: 'confirmed' } }),
        prisma.rosterEntry.count({ where: { campaignId, status: 'cancelled' } }),
      ]);
      return active === 5 && cancelled === 1 ? true : undefined;
    },
    150_000,
    'roster filled',
  );
});

afterAll(async () => {
  await gateway?.stop();
  await roster?.stop();
  workerStub?.close();
  await producer?.disconnect();
  await prisma.$disconnect();
  await deleteTopics(namespace).catch(() => undefined);
});

describe('resident look-up from the roster', () => {
  it('answers with site, date, time and status when both fields match', async () => {
    const { person, appointment, reference } = events[0]!.data;
    const answer = await call('/api/appointments/lookup', {
      method: 'POST',
      json: { campaignId, citizenId: person.citizenId, birthDate: person.birthDate },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      campaignId,
      standby: null,
      booking: {
        reference,
        siteId: 'SKH',
        slotId: appointment.slotId,
        startsAt: appointment.startsAt,
        status: 'confirmed',
        rosterStatus: 'confirmed',
      },
    });
  });

  it('reveals nothing on a wrong birth date (the same answer as an unknown ID), then rate-limits the ID', async () => {
    const { person } = events[1]!.data;
    const wrong = await call('/api/appointments/lookup', {
      method: 'POST',
      json: { campaignId, citizenId: person.citizenId, birthDate: '1951-02-03' },
    });
    const unknown = await call('/api/appointments/lookup', {
      method: 'POST',
      json: { campaignId, citizenId: randomCitizenId(), birthDate: '1951-02-03' },
    });
    expect(wrong.status).toBe(404);
    expect(wrong.text).toBe(unknown.text);
    expect(wrong.text).not.toContain(events[1]!.data.reference);
    expect(wrong.text).not.toContain('SKH');
    // 5 per citizen ID per minute: guesses 2..5 are answered, then 429, even for the right date.
    const statuses: number[] = [];
    for (let i = 0; i < 5; i++) {
      const answer = await call('/api/appointments/lookup', {
        method: 'POST',
        json: { campaignId, citizenId: person.citizenId, birthDate: `1960-01-0${i + 1}` },
      });
      statuses.push(answer.status);
    }
    expect(statuses).toEqual([404, 404, 404, 404, 429]);
    const right = await call('/api/appointments/lookup', {
      method: 'POST',
      json: { campaignId, citizenId: person.citizenId, birthDate: person.birthDate },
    });
    expect(right.status).toBe(429);
    expect(right.text).not.toContain(events[1]!.data.reference);
  });
});

describe('site staff', () => {
  it('sees only their own site’s day, per slot with counts', async () => {
    const skh = await call(`/api/staff/campaigns/${campaignId}/roster?date=2021-08-02`, { token: skhStaff });
    expect(skh.status).toBe(200);
    expect(skh.body).toMatchObject({
      siteId: 'SKH',
      totals: { booked: 3, checkedIn: 0, cancelled: 1 },
      slots: [{ slotId: 'SKH-20210802-0900', booked: 3, cancelled: 1 }],
    });
    const text = JSON.stringify(skh.body);
    expect(text).not.toContain(events[4]!.data.reference);
    expect(text).not.toContain(events[0]!.data.person.citizenId);

    const ktb = await call(`/api/staff/campaigns/${campaignId}/roster?date=2021-08-02`, { token: ktbStaff });
    expect((ktb.body as { totals: unknown }).totals).toEqual({ booked: 2, checkedIn: 0, cancelled: 0 });
    // Asking for another site with a site token, or a token without a site: refused.
    expect(
      (await call(`/api/staff/campaigns/${campaignId}/roster?date=2021-08-02&site=SKH`, { token: ktbStaff }))
        .status,
    ).toBe(403);
    expect(
      (await call(`/api/staff/campaigns/${campaignId}/roster?date=2021-08-02`, { token: siteless })).status,
    ).toBe(403);
    expect((await call(`/api/staff/campaigns/${campaignId}/roster?date=2021-08-02`)).status).toBe(401);
  });

  it('searches by reference or name, checks in once, and refuses another site’s booking', async () => {
    const target = events[2]!;
    const found = await call(
      `/api/staff/campaigns/${campaignId}/roster?q=${target.data.reference.toLowerCase()}`,
      {
        token: skhStaff,
      },
    );
    expect((found.body as { matches: { bookingId: string }[] }).matches.map((m) => m.bookingId)).toEqual([
      target.bookingId,
    ]);
    const byName = await call(`/api/staff/campaigns/${campaignId}/roster?q=${encodeURIComponent('คนที่ 2')}`, {
      token: skhStaff,
    });
    expect((byName.body as { matches: unknown[] }).matches).toHaveLength(1);

    const path = `/api/staff/campaigns/${campaignId}/bookings/${target.bookingId}/check-in`;
    const first = await call(path, { method: 'POST', token: skhStaff, json: {} });
    expect(first.status).toBe(200);
    expect(first.body).toMatchObject({ outcome: 'checked_in', checkedInBy: 'staff:nurse-1' });
    const again = await call(path, { method: 'POST', token: skhStaff, json: {} });
    expect(again.body).toMatchObject({ outcome: 'already_checked_in' });
    expect((await call(path, { method: 'POST', token: ktbStaff, json: {} })).status).toBe(404);
    const cancelled = `/api/staff/campaigns/${campaignId}/bookings/${events[3]!.bookingId}/check-in`;
    expect((await call(cancelled, { method: 'POST', token: skhStaff, json: {} })).status).toBe(409);

    // Recorded, and published as a CheckedIn event through the roster's outbox.
    const outbox = await eventually(
      async () => {
        const rows = await prisma.rosterOutboxEvent.findMany({ where: { key: target.bookingId } });
        return rows.length === 1 && rows[0]!.publishedAt ? rows : undefined;
      },
      30_000,
      'CheckedIn published',
    );
    expect(outbox[0]!.payload).toMatchObject({
      type: 'CheckedIn',
      bookingId: target.bookingId,
      data: { siteId: 'SKH' },
    });
  });

  it('exports the day as CSV with a UTF-8 BOM and Thai text', async () => {
    const csv = await call(`/api/staff/campaigns/${campaignId}/roster.csv?date=2021-08-02`, {
      token: skhStaff,
    });
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const bytes = Buffer.from(
      await (
        await fetch(`${base}/api/staff/campaigns/${campaignId}/roster.csv?date=2021-08-02`, {
          headers: { authorization: `Bearer ${skhStaff}` },
        })
      ).arrayBuffer(),
    );
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toContain('รหัสการจอง');
    expect(lines).toHaveLength(5);
    expect(csv.text).toContain('ทดสอบ');
    expect(csv.text).toContain('มาแล้ว');
  });
});

describe('ops', () => {
  it('counts per site, day and group, and exports the national registry once per citizen', async () => {
    const counts = await call(`/api/admin/campaigns/${campaignId}/roster/counts`, { token: ops });
    expect(counts.body).toMatchObject({
      totals: { booked: 5, checkedIn: 1, cancelled: 1 },
      rows: [
        { siteId: 'KTB', date: '2021-08-02', groupCode: 'elderly70', booked: 2 },
        { siteId: 'SKH', date: '2021-08-02', groupCode: 'elderly70', booked: 3, checkedIn: 1, cancelled: 1 },
      ],
      // Places per site, day and channel (the cancelled one no longer counts).
      channels: [
        { siteId: 'KTB', date: '2021-08-02', channel: 'web', booked: 2 },
        { siteId: 'SKH', date: '2021-08-02', channel: 'call_center', booked: 1 },
        { siteId: 'SKH', date: '2021-08-02', channel: 'walk_in', booked: 1 },
        { siteId: 'SKH', date: '2021-08-02', channel: 'web', booked: 1 },
      ],
    });
    expect((await call(`/api/admin/campaigns/${campaignId}/roster/counts`, { token: skhStaff })).status).toBe(
      403,
    );

    const csv = await call(`/api/admin/campaigns/${campaignId}/registry-export.csv`, { token: ops });
    const lines = csv.text
      .replace(/^\uFEFF/, '')
      .trim()
      .split('\r\n');
    expect(lines[0]).toBe(
      'citizen_id,first_name,last_name,birth_date,campaign_id,priority_group,site_id,appointment_date,appointment_time,status,checked_in_at,booking_reference',
    );
    const ids = lines.slice(1).map((l) => l.split(',')[0]);
    // Five active bookings of five people; the cancelled-then-rebooked person once, at KTB.
    expect(ids).toHaveLength(5);
    expect(new Set(ids).size).toBe(5);
    expect(lines.filter((l) => l.startsWith(events[3]!.data.person.citizenId))).toEqual([
      expect.stringContaining(',KTB,'),
    ]);
    expect(lines.find((l) => l.startsWith(events[2]!.data.person.citizenId))).toContain(
      'vaccinated_checked_in',
    );
  });

  it("finds a person's bookings for an agent by phone or citizen ID, and counts the agent's day", async () => {
    const agent = tokens.signOps({
      subject: 'somsri',
      role: 'agent',
      channel: 'call_center',
      ttlSeconds: 600,
    });
    const { person } = events[1]!.data;
    const byPhone = await call(
      `/api/agent/bookings?campaignId=${campaignId}&phone=${encodeURIComponent(person.phone)}`,
      { token: agent },
    );
    expect(byPhone.status).toBe(200);
    expect(byPhone.body).toMatchObject({
      bookings: [
        { bookingId: events[1]!.bookingId, siteId: 'SKH', channel: 'call_center', enteredBy: 'agent:somsri' },
      ],
    });
    const byId = await call(`/api/agent/bookings?campaignId=${campaignId}&citizenId=${person.citizenId}`, {
      token: agent,
    });
    expect((byId.body as { bookings: unknown[] }).bookings).toHaveLength(1);
    const bad = await call(`/api/agent/bookings?campaignId=${campaignId}&phone=0812345678`, { token: agent });
    expect(bad.status).toBe(400);
    const me = await call(`/api/agent/me?campaignId=${campaignId}`, { token: agent });
    expect(me.body).toMatchObject({
      subject: 'somsri',
      channel: 'call_center',
      site: null,
      today: { entered: 1, active: 1 },
    });
    expect(
      (await call(`/api/agent/bookings?campaignId=${campaignId}&phone=%2B66812345678`, { token: skhStaff }))
        .status,
    ).toBe(403);
  });

  it('streams a registry import to the booking worker (ops only)', async () => {
    const source = `gw-${namespace}`;
    const good = [randomCitizenId(), randomCitizenId()];
    const body = `citizen_id\n${good[0]}\n12345\n${good[1]}\n`;
    const refused = await call(`/api/admin/registry/vaccinated?source=${source}`, {
      method: 'POST',
      token: skhStaff,
      body,
    });
    expect(refused.status).toBe(403);
    const answer = await call(`/api/admin/registry/vaccinated?source=${source}`, {
      method: 'POST',
      token: ops,
      body,
      headers: { 'content-type': 'text/csv' },
    });
    expect(answer.status).toBe(200);
    expect(answer.body).toMatchObject({
      committed: true,
      rows: 3,
      valid: 2,
      inserted: 2,
      bad: 1,
      badRows: [{ line: 3 }],
    });
    expect(await prisma.registryVaccinated.count({ where: { source } })).toBe(2);

    // The worker answers a bad query with codes only: the gateway words them.
    const bad = await call(`/api/admin/registry/vaccinated?source=${source}&mode=maybe`, {
      method: 'POST',
      token: ops,
      body,
      headers: { 'content-type': 'text/csv' },
    });
    expect(bad.status).toBe(400);
    expect(bad.body).toMatchObject({
      error: {
        code: 'INVALID_INPUT',
        message: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
        fields: { mode: { th: 'ข้อมูลไม่ถูกต้อง', en: expect.stringMatching(/skip-bad/) } },
      },
    });
  });
});
