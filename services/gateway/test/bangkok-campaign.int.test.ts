import { readFileSync } from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from '@jest/globals';
import { randomCitizenId, randomMobile } from '../../../test/support/env';
import { newCampaignId } from '../../booking-worker/test/worker-fixtures';
import { admittedAccessToken, decided } from './booking-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Issue 11, item 1: the Bangkok sample (campaigns/bangkok-thai-ruam-jai-2021.json: 25 sites,
 * one group aged 18 to 59 years 10 months, living in Bangkok or on the imported list of people
 * working there, Thai IDs only, web/app/store with their hours) loads and books through the
 * real gateway and booking worker. Its web hours are widened to the whole day in this copy
 * only, so the test does not depend on the hour it runs at (channels.int.test covers hours).
 */
const env = gatewayWithWorker('bangkok', { SELF_SERVICE_PER_NETWORK_PER_MINUTE: '1000' });
const campaignId = newCampaignId('bkk');
const file = JSON.parse(
  readFileSync(path.resolve(__dirname, '../../../campaigns/bangkok-thai-ruam-jai-2021.json'), 'utf8'),
) as Record<string, any>; // eslint-disable-line @typescript-eslint/no-explicit-any
const WORKS_IN_BANGKOK = randomCitizenId();
const slot = 'BKK03-20210607-1000';

const person = (overrides: Record<string, string> = {}) => ({
  citizenId: randomCitizenId(),
  firstName: 'สมหญิง',
  lastName: 'รักกรุง',
  birthDate: '1990-01-15',
  phone: randomMobile(),
  groupCode: 'general',
  siteId: 'BKK03',
  slotId: slot,
  provinceCode: '10',
  ...overrides,
});

async function book(body: Record<string, string>) {
  const token = await admittedAccessToken(env.call, campaignId);
  const submitted = await env.call('POST', '/api/bookings', { token, body });
  if (submitted.status !== 202) return submitted;
  return { ...submitted, status: 200, body: await decided(env.call, submitted.body.requestId) };
}

beforeAll(async () => {
  const web = { ...file.channels.web, hours: { days: 'mon-sun', from: '00:00', to: '24:00' } };
  await env.loadThroughGateway({ ...file, id: campaignId, channels: { ...file.channels, web } });
  const imported = await fetch(
    `http://127.0.0.1:${env.gatewayPort()}/api/admin/registry/lists/works-in-bangkok?source=${campaignId}`,
    {
      method: 'POST',
      headers: { authorization: `Bearer ${env.opsToken}`, 'content-type': 'text/csv' },
      body: `citizen_id\n${WORKS_IN_BANGKOK}\nnot-an-id\n`,
    },
  );
  expect(imported.status).toBe(200);
  expect(await imported.json()).toMatchObject({ inserted: 1, bad: 1 });
}, 120_000);

describe('the Bangkok sample campaign', () => {
  it('loads with its 25 sites, one group, its channels and the store reserve', async () => {
    const { body } = await env.call('GET', `/api/campaigns/${campaignId}`);
    expect(body.sites).toHaveLength(25);
    expect(body.groups.map((g: { code: string }) => g.code)).toEqual(['general']);
    const channels = Object.fromEntries(
      (body.channels as Array<{ channel: string; offered: boolean; reserved: number }>).map((c) => [
        c.channel,
        c,
      ]),
    );
    expect(channels.store).toMatchObject({ offered: true, reserved: 100_800 });
    expect(channels.call_center).toMatchObject({ offered: false });
    expect(body.eligibility).toMatchObject({
      orOnList: 'works-in-bangkok',
      maxAge: { years: 59, months: 10 },
    });
  });

  it('books a Bangkok resident, and someone from another province who is on the list of people working there', async () => {
    const resident = await book(person());
    expect(resident.body).toMatchObject({ status: 'confirmed', booking: { siteId: 'BKK03', slotId: slot } });
    const commuter = await book(person({ citizenId: WORKS_IN_BANGKOK, provinceCode: '12' }));
    expect(commuter.body).toMatchObject({ status: 'confirmed' });
  });

  it('refuses someone from another province who is not on the list, and ages past 59 years 10 months', async () => {
    const outsider = await book(person({ provinceCode: '12' }));
    expect(outsider.body).toMatchObject({ status: 'rejected', reason: 'NOT_ELIGIBLE_PROVINCE' });
    // 59 years 11 months on 7 June 2021; 59 years 10 months and some days is still in.
    const tooOld = await book(person({ birthDate: '1961-07-07' }));
    expectProblem(tooOld, 400, 'INVALID_INPUT');
    expect(Object.keys(tooOld.body.error.fields)).toEqual(['birthDate']);
    const justIn = await book(person({ birthDate: '1961-07-08' }));
    expect(justIn.body).toMatchObject({ status: 'confirmed' });
  });

  it('takes Thai IDs only: a passport is refused with the field marked', async () => {
    const passport = await book({
      ...person(),
      citizenId: undefined as unknown as string,
      passportNumber: 'MA1234567',
      nationality: 'MMR',
    });
    expectProblem(passport, 400, 'INVALID_INPUT');
    expect(passport.body.error.fields.passportNumber.en).toMatch(/does not take passports/);
  });
});
