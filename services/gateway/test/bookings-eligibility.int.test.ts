import { beforeAll, describe, expect, it } from '@jest/globals';
import { slotId } from '@khiw/contracts';
import { FIELD_MESSAGES } from '../src/http/problem-messages';
import { DAY, KTB, newCampaignId, SKH, slot, tinyCampaign } from '../../booking-worker/test/worker-fixtures';
import { admittedAccessToken, decided, jobTotal, validBooking, type Json } from './booking-fixtures';
import { expectProblem, gatewayWithWorker } from './gateway-with-worker';

/**
 * Validate up front (issue 13, item 9): what the booking worker would refuse for a reason the
 * gateway can already see (a province the campaign needs, an age outside the campaign's or
 * the group's window on the slot's day, a group, site or slot of another campaign) is a 400
 * naming the field, before anything is queued or any place of the access token is spent.
 * The access token here allows ONE person: had any refused form cost a place, the valid
 * booking at the end would be ACCESS_EXHAUSTED.
 */
const env = gatewayWithWorker('eligibility', { WAITING_ROOM_MAX_BOOKINGS: '1' });

describe('POST /api/bookings: eligibility answered up front', () => {
  // The sample campaign's rules (province 74, 18 and over), g1 up to 64, g2 from 60.
  const campaignId = newCampaignId('gw-elig');
  const otherId = newCampaignId('gw-elig-other');
  const form = (overrides: Json) =>
    validBooking({
      groupCode: 'g1',
      siteId: SKH,
      slotId: slot(SKH),
      provinceCode: '74',
      birthDate: '1980-05-01',
      ...overrides,
    });

  beforeAll(async () => {
    const file = tinyCampaign(campaignId);
    const [g1, g2] = file.groups as Json[];
    await env.loadThroughGateway({
      ...file,
      groups: [
        { ...g1, maxAgeYears: 64 },
        { ...g2, minAgeYears: 60 },
      ],
    });
    // Another campaign: its own group code, a site the first one lacks, and another day.
    const other = tinyCampaign(otherId, { sites: [SKH, 'BPH'] });
    await env.loadThroughGateway({
      ...other,
      groups: [{ code: 'h1', name: { th: 'กลุ่มอื่น', en: 'Other group' }, quota: 2 }],
      slotGrid: { ...(other.slotGrid as Json), firstDay: '2021-08-03' },
    });
  });

  it('answers each ineligible form 400 with the field named, queues nothing and spends no place', async () => {
    const token = await admittedAccessToken(env.call, campaignId);
    const cases: Array<{ name: string; body: Json; fields: Json }> = [
      {
        name: 'no provinceCode, which this campaign needs',
        body: form({ provinceCode: undefined }),
        fields: { provinceCode: FIELD_MESSAGES.provinceRequired },
      },
      {
        name: 'another province',
        body: form({ provinceCode: '10' }),
        fields: { provinceCode: FIELD_MESSAGES.provinceOutside },
      },
      {
        name: "17 on the slot's day (campaign: 18 and over)",
        body: form({ birthDate: '2003-08-03' }),
        fields: { birthDate: FIELD_MESSAGES.ageOutside },
      },
      {
        name: 'too young for group g2 (60 and over)',
        body: form({ groupCode: 'g2', birthDate: '1980-05-01' }),
        fields: { birthDate: FIELD_MESSAGES.ageOutside },
      },
      {
        name: 'too old for group g1 (up to 64), born in Buddhist Era',
        body: form({ birthDate: '2493-03-15' }),
        fields: { birthDate: FIELD_MESSAGES.ageOutside },
      },
      {
        name: 'no province and too young at once',
        body: form({ provinceCode: undefined, birthDate: '2010-01-01' }),
        fields: { provinceCode: FIELD_MESSAGES.provinceRequired, birthDate: FIELD_MESSAGES.ageOutside },
      },
      {
        name: 'a group of another campaign',
        body: form({ groupCode: 'h1' }),
        fields: { groupCode: FIELD_MESSAGES.unknownGroup },
      },
      {
        name: 'a site of another campaign',
        body: form({ siteId: 'BPH', slotId: slotId('BPH', '2021-08-03', '09:00') }),
        fields: { siteId: FIELD_MESSAGES.unknownSite },
      },
      {
        name: 'a slot of another campaign at a shared site',
        body: form({ slotId: slotId(SKH, '2021-08-03', '09:00') }),
        fields: { slotId: FIELD_MESSAGES.unknownSlot },
      },
      {
        name: 'a malformed province code says so, not "required"',
        body: form({ provinceCode: '7' }),
        fields: { provinceCode: FIELD_MESSAGES.provinceCode },
      },
    ];
    for (const { name, body, fields } of cases) {
      const answer = await env.call('POST', '/api/bookings', { token, body });
      expectProblem(answer, 400, 'INVALID_INPUT');
      expect({ name, fields: answer.body.error.fields }).toEqual({ name, fields });
    }
    expect(await jobTotal(env.queue)).toBe(0);

    // The one place is still there: 18 on the slot's day, in g1, at KTB, is booked.
    const good = form({ siteId: KTB, slotId: slot(KTB), birthDate: '2003-08-02' });
    const accepted = await env.call('POST', '/api/bookings', { token, body: good });
    expect(accepted.status).toBe(202);
    expect(await decided(env.call, accepted.body.requestId)).toMatchObject({
      status: 'confirmed',
      booking: {
        groupCode: 'g1',
        siteId: KTB,
        slotId: slot(KTB),
        startsAt: new Date(`${DAY}T02:00:00Z`).toISOString(),
      },
    });
    expect(await jobTotal(env.queue)).toBe(1);
  });
});
