import { describe, expect, it, jest } from '@jest/globals';
import { campaignKey } from '@khiw/redis';
import { eventually } from '../../../test/support/env';
import {
  newCampaignId,
  person,
  slot,
  SKH,
  KTB,
  tinyCampaign,
} from '../../booking-worker/test/worker-fixtures';
import type { HttpAnswer } from './booking-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Organisation lists (issue 11) against a real gateway and booking worker: 2,000 rows with 50
 * bad ones booked through the same checks and engine as any booking; a re-upload books nobody
 * new; the organisation's cap stops the list; a broken file is refused whole with its line
 * numbers; an upload is the uploading organisation's alone. Prints the rows per second.
 */
jest.setTimeout(300_000);
const env = gatewayWithWorker('org-upload');
const campaignId = newCampaignId('org-upload');
const otherCampaign = newCampaignId('org-upload-other');
const TIMES = ['09:00', '10:00', '11:00', '12:00'];
const HEADER = 'citizen_id,first_name,last_name,birth_date,phone,group,site,slot,province_code';

const orgToken = (organisation: string, campaign = campaignId) =>
  env.tokens.signOps({ subject: organisation, role: 'organisation', campaign, ttlSeconds: 900 });

/** A valid row for a new person; slots spread so capacity never decides. */
function row(
  i: number,
  overrides: Partial<Record<'citizenId' | 'birthDate' | 'phone' | 'slot', string>> = {},
) {
  const who = person();
  const site = i % 2 ? SKH : KTB;
  const values = {
    citizenId: who.citizenId,
    birthDate: who.birthDate,
    phone: `0${who.phone.slice(3)}`,
    slot: slot(site, TIMES[i % TIMES.length]),
    ...overrides,
  };
  const group = i % 3 ? 'g1' : 'g2';
  return [
    values.citizenId,
    'สมหญิง',
    `Worker ${nameOf(i)}`,
    values.birthDate,
    values.phone,
    group,
    site,
    values.slot,
    '74',
  ];
}

/** Names hold letters only: 0 -> A, 27 -> BB. */
const nameOf = (i: number) => String.fromCharCode(65 + (i % 26)).repeat(1 + Math.floor(i / 26));

const fileOf = (rows: string[][]) => `\uFEFF${[HEADER, ...rows.map((r) => r.join(','))].join('\r\n')}\r\n`;

async function upload(token: string, csv: string, campaign = campaignId): Promise<HttpAnswer> {
  return env.call('POST', `/api/organisation/uploads?campaignId=${campaign}`, {
    token,
    raw: csv,
    headers: { 'content-type': 'text/csv' },
  });
}

async function finished(token: string, uploadId: string) {
  return eventually(
    async () => {
      const answer = await env.call('GET', `/api/organisation/uploads/${uploadId}`, { token });
      expect(answer.status).toBe(200);
      return answer.body.status === 'done' ? answer.body : undefined;
    },
    240_000,
    `upload ${uploadId} done`,
    250,
  );
}

const bookedBy = (organisation: string) =>
  env.prisma.booking.count({ where: { campaignId, enteredBy: `organisation:${organisation}` } });

async function setCap(organisation: string, cap: number) {
  const answer = await env.call('PUT', `/api/admin/campaigns/${campaignId}/organisations/${organisation}`, {
    token: env.opsToken,
    body: { name: `บริษัท ${organisation}`, cap },
  });
  expect(answer.status).toBe(200);
  expect(answer.body).toMatchObject({ organisationId: organisation, cap });
}

// The 2,000-row list: 1,950 good rows, then 50 bad ones of five kinds, 10 each.
const good = Array.from({ length: 1950 }, (_, i) => row(i));
const badCheckDigit = (i: number) => {
  const id = person().citizenId;
  return row(i, { citizenId: `${id.slice(0, 12)}${(Number(id[12]) + 1) % 10}` });
};
const bad = [
  ...Array.from({ length: 10 }, (_, i) => badCheckDigit(i)),
  ...Array.from({ length: 10 }, (_, i) => row(i, { slot: `${SKH}-20210802-2300` })),
  ...Array.from({ length: 10 }, (_, i) => row(i, { birthDate: '2015-06-01' })),
  ...Array.from({ length: 10 }, (_, i) => row(i, { phone: '02-123-4567' })),
  ...good.slice(0, 10).map((r) => [...r]),
];
const list = fileOf([...good, ...bad]);

beforeAll(async () => {
  const campaign = tinyCampaign(campaignId, {
    totalDoses: 5000,
    standbySize: 10,
    quotas: [3000, 2000],
    times: TIMES,
    capacity: 600,
  });
  await env.loadThroughGateway(campaign);
  await env.loadThroughGateway(tinyCampaign(otherCampaign));
  await setCap('acme', 5000);
});

describe('an organisation uploads its list', () => {
  let uploadId = '';

  it('books 1,950 of 2,000 rows and refuses the 50 bad ones with their reasons', async () => {
    const started = Date.now();
    const answer = await upload(orgToken('acme'), list);
    expect(answer.status).toBe(202);
    expect(answer.body).toMatchObject({ status: 'running', total: 2000 });
    uploadId = answer.body.uploadId;
    const done = await finished(orgToken('acme'), uploadId);
    const seconds = (Date.now() - started) / 1000;
    console.log(
      `organisation upload: 2000 rows in ${seconds.toFixed(1)} s = ${(2000 / seconds).toFixed(0)} rows/s ` +
        `(upload to last result; the gateway measured ${done.rowsPerSecond} rows/s)`,
    );
    expect(done).toMatchObject({
      total: 2000,
      processed: 2000,
      counts: { booked: 1950, already_booked: 0, standby: 0, refused: 50, pending: 0 },
    });
    const byCode = (done.refused as { code: string; reason: { th: string; en: string } }[]).reduce<
      Record<string, number>
    >((counts, r) => ({ ...counts, [r.code]: (counts[r.code] ?? 0) + 1 }), {});
    expect(byCode).toEqual({ INVALID_INPUT: 40, DUPLICATE_IN_LIST: 10 });
    const reasons = (done.refused as { reason: { en: string } }[]).map((r) => r.reason.en).join('\n');
    expect(reasons).toMatch(/citizen_id: .*check digit/);
    expect(reasons).toMatch(/slot: /);
    expect(reasons).toMatch(/birth_date: /);
    expect(reasons).toMatch(/phone: /);
    expect(reasons).toMatch(/earlier line of the list \(line 2\)/);
    expect(await bookedBy('acme')).toBe(1950);
    const [sample] = await env.prisma.$queryRaw<{ channel: string }[]>`
      SELECT channel FROM booking.bookings WHERE campaign_id = ${campaignId} AND entered_by = 'organisation:acme' LIMIT 1`;
    expect(sample).toEqual({ channel: 'organisation' });
  });

  it('gives every row its result as a CSV for Excel', async () => {
    const response = await fetch(
      `http://127.0.0.1:${env.gatewayPort()}/api/organisation/uploads/${uploadId}/results.csv`,
      {
        headers: { authorization: `Bearer ${orgToken('acme')}` },
      },
    );
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/csv/);
    const bytes = Buffer.from(await response.arrayBuffer());
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const text = bytes.subarray(3).toString('utf8');
    const lines = text.trim().split('\r\n');
    expect(lines).toHaveLength(2001);
    expect(lines[1]).toMatch(/^2,\d{13},สมหญิง,Worker A,booked,[^,]+,KTB,[^,]*,2021-08-02,09:00,/);
    expect(lines.filter((l) => l.includes(',refused,'))).toHaveLength(50);
  });

  it('books nobody new when the same list comes again', async () => {
    const answer = await upload(orgToken('acme'), list);
    expect(answer.status).toBe(202);
    const done = await finished(orgToken('acme'), answer.body.uploadId);
    expect(done.counts).toEqual({ booked: 0, already_booked: 1950, standby: 0, refused: 50, pending: 0 });
    expect(await bookedBy('acme')).toBe(1950);
  });

  it('stops at the cap ops set: the rows beyond are refused ORGANISATION_CAP_REACHED', async () => {
    await setCap('small-temple', 100);
    const answer = await upload(
      orgToken('small-temple'),
      fileOf(Array.from({ length: 300 }, (_, i) => row(i))),
    );
    const done = await finished(orgToken('small-temple'), answer.body.uploadId);
    expect(done.counts).toMatchObject({ booked: 100, refused: 200 });
    expect(new Set((done.refused as { code: string }[]).map((r) => r.code))).toEqual(
      new Set(['ORGANISATION_CAP_REACHED']),
    );
    expect(await bookedBy('small-temple')).toBe(100);
  });

  it('keeps the cap and whom it counted when Redis loses them (a restart)', async () => {
    await setCap('river-school', 30);
    const people = Array.from({ length: 40 }, (_, i) => row(i));
    const first = await upload(orgToken('river-school'), fileOf(people.slice(0, 20)));
    const firstDone = await finished(orgToken('river-school'), first.body.uploadId);
    expect({ counts: firstDone.counts, refused: firstDone.refused }).toMatchObject({
      counts: { booked: 20 },
      refused: [],
    });
    // Redis runs without persistence: after a restart the organisation's keys are gone.
    const base = campaignKey(env.namespace, campaignId, 'organisation:river-school');
    const restart = () => env.redis.del(base, `${base}:people`);
    expect(await restart()).toBe(2);
    // Ops look again (or set it again): the cap and the 20 counted come back from the worker.
    const again = await env.call('PUT', `/api/admin/campaigns/${campaignId}/organisations/river-school`, {
      token: env.opsToken,
      body: { name: 'โรงเรียนริมน้ำ', cap: 30 },
    });
    expect(again.body).toMatchObject({ cap: 30, counted: 20 });
    expect(await restart()).toBe(2);
    // Straight to an upload after the restart: still 10 places left, not 30.
    const second = await upload(orgToken('river-school'), fileOf(people.slice(20)));
    const done = await finished(orgToken('river-school'), second.body.uploadId);
    expect(done.counts).toMatchObject({ booked: 10, refused: 10 });
    expect(new Set((done.refused as { code: string }[]).map((r) => r.code))).toEqual(
      new Set(['ORGANISATION_CAP_REACHED']),
    );
    expect(await bookedBy('river-school')).toBe(30);
  });

  it('refuses a broken file whole, with every bad line, and books nobody', async () => {
    const rows = Array.from({ length: 20 }, (_, i) => row(i).join(','));
    rows[4] += ',extra';
    rows[9] = rows[9]!.split(',').slice(0, 5).join(',');
    const broken = [HEADER, ...rows].join('\n');
    const answer = await upload(orgToken('acme'), broken);
    expectProblem(answer, 422, 'ORGANISATION_LIST_MALFORMED');
    expect((answer.body.error.lines as { line: number }[]).map((l) => l.line)).toEqual([6, 11]);
    const header = await upload(orgToken('acme'), 'name,phone\nสมชาย,0812345678\n');
    expectProblem(header, 422, 'ORGANISATION_LIST_MALFORMED');
    expect(header.body.error.lines[0]).toMatchObject({ line: 1 });
    expect(await bookedBy('acme')).toBe(1950);
  });

  it('shows an upload to its organisation only, and takes lists only from organisations ops registered', async () => {
    for (const token of [orgToken('small-temple'), orgToken('acme', otherCampaign)]) {
      expectProblem(
        await env.call('GET', `/api/organisation/uploads/${uploadId}`, { token }),
        404,
        'NOT_FOUND',
      );
      const csv = await env.call('GET', `/api/organisation/uploads/${uploadId}/results.csv`, { token });
      expectProblem(csv, 404, 'NOT_FOUND');
    }
    expectProblem(
      await env.call('GET', `/api/organisation/uploads/${uploadId}`, { token: env.opsToken }),
      403,
      'ROLE_FORBIDDEN',
    );
    expectProblem(await upload(orgToken('stranger'), list), 403, 'ORGANISATION_NOT_REGISTERED');
    expectProblem(await upload(orgToken('acme'), list, otherCampaign), 403, 'CAMPAIGN_FORBIDDEN');
  });
});
