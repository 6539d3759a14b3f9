import { describe, expect, it } from '@jest/globals';
import { ZodError } from 'zod';
import { buildCampaignSnapshot, type CampaignRows, type SlotCounts } from './campaign-snapshot';

const PUBLISHED = '2021-07-20T03:00:00.000Z';

function campaignRows(overrides: Partial<CampaignRows> = {}): CampaignRows {
  return {
    id: 'samut-sakhon-2021',
    nameTh: 'ฉีดวัคซีนสมุทรสาคร',
    nameEn: 'Samut Sakhon vaccination',
    vaccine: 'Sinovac',
    timezone: 'Asia/Bangkok',
    opensAt: new Date('2021-07-20T01:00:00.000Z'),
    closesWhenFull: true,
    totalDoses: 100,
    bookedDoses: 30,
    standbySize: 10,
    standbyCount: 2,
    standbyLastPosition: 4,
    state: 'open',
    eligibility: { provinceOfResidence: 'สมุทรสาคร', provinceCode: '74', minAgeYears: 18 },
    sms: { sender: 'KHIW', reminderHoursBefore: 24, extra: 'kept as loaded' },
    source: {},
    createdAt: new Date(PUBLISHED),
    updatedAt: new Date(PUBLISHED),
    channels: [
      {
        campaignId: 'samut-sakhon-2021',
        channel: 'store',
        offered: true,
        hours: { days: 'mon-sun', from: '09:00', to: '18:00' },
        waitingRoom: false,
        reserved: 10,
        booked: 3,
      },
    ],
    groups: [
      {
        campaignId: 'samut-sakhon-2021',
        code: 'elderly',
        nameTh: 'ผู้สูงอายุ',
        nameEn: 'Elderly',
        quota: 60,
        booked: 20,
        sortOrder: 0,
        minAgeYears: 60,
        maxAgeYears: null,
      },
      {
        campaignId: 'samut-sakhon-2021',
        code: 'others',
        nameTh: 'ทั่วไป',
        nameEn: 'Others',
        quota: 40,
        booked: 10,
        sortOrder: 1,
        minAgeYears: null,
        maxAgeYears: null,
      },
    ],
    sites: [
      {
        campaignId: 'samut-sakhon-2021',
        id: 'KTB',
        nameTh: 'กระทุ่มแบน',
        nameEn: 'Krathum Baen',
        kind: 'hospital',
      },
      {
        campaignId: 'samut-sakhon-2021',
        id: 'SKH',
        nameTh: 'สมุทรสาคร',
        nameEn: 'Samut Sakhon',
        kind: 'hospital',
      },
    ],
    ...overrides,
  };
}

const slots: SlotCounts[] = [
  { id: 'KTB-0900', siteId: 'KTB', startsAt: new Date('2021-08-02T02:00:00.000Z'), capacity: 20, booked: 5 },
  { id: 'SKH-0900', siteId: 'SKH', startsAt: new Date('2021-08-02T02:00:00.000Z'), capacity: 20, booked: 20 },
  { id: 'SKH-1000', siteId: 'SKH', startsAt: new Date('2021-08-02T03:00:00.000Z'), capacity: 20, booked: 5 },
];

describe('buildCampaignSnapshot', () => {
  it('builds the snapshot and each site slots as readers expect them, field for field', () => {
    const { snapshot, sites } = buildCampaignSnapshot(campaignRows(), slots, PUBLISHED);
    expect(JSON.parse(JSON.stringify(snapshot))).toEqual({
      id: 'samut-sakhon-2021',
      name: { th: 'ฉีดวัคซีนสมุทรสาคร', en: 'Samut Sakhon vaccination' },
      vaccine: 'Sinovac',
      timezone: 'Asia/Bangkok',
      opensAt: '2021-07-20T01:00:00.000Z',
      state: 'open',
      totalDoses: 100,
      remainingDoses: 70,
      standbySize: 10,
      standbyCount: 2,
      eligibility: { provinceOfResidence: 'สมุทรสาคร', provinceCode: '74', minAgeYears: 18 },
      // Written as loaded: the contract's parse would drop what it does not know.
      sms: { sender: 'KHIW', reminderHoursBefore: 24, extra: 'kept as loaded' },
      groups: [
        { code: 'elderly', name: { th: 'ผู้สูงอายุ', en: 'Elderly' }, quota: 60, remaining: 40, minAgeYears: 60 },
        { code: 'others', name: { th: 'ทั่วไป', en: 'Others' }, quota: 40, remaining: 30 },
      ],
      sites: [
        { id: 'KTB', name: { th: 'กระทุ่มแบน', en: 'Krathum Baen' }, kind: 'hospital', remaining: 15 },
        { id: 'SKH', name: { th: 'สมุทรสาคร', en: 'Samut Sakhon' }, kind: 'hospital', remaining: 15 },
      ],
      channels: [
        {
          channel: 'store',
          offered: true,
          hours: { days: 'mon-sun', from: '09:00', to: '18:00' },
          waitingRoom: false,
          reserved: 10,
          booked: 3,
        },
      ],
      publishedAt: PUBLISHED,
    });
    expect(sites).toEqual([
      {
        siteId: 'KTB',
        slots: [{ id: 'KTB-0900', startsAt: '2021-08-02T02:00:00.000Z', capacity: 20, remaining: 15 }],
        publishedAt: PUBLISHED,
      },
      {
        siteId: 'SKH',
        slots: [
          { id: 'SKH-0900', startsAt: '2021-08-02T02:00:00.000Z', capacity: 20, remaining: 0 },
          { id: 'SKH-1000', startsAt: '2021-08-02T03:00:00.000Z', capacity: 20, remaining: 15 },
        ],
        publishedAt: PUBLISHED,
      },
    ]);
  });

  it('refuses to build a snapshot that breaks the contract', () => {
    expect(() => buildCampaignSnapshot(campaignRows({ state: 'paused' }), slots, PUBLISHED)).toThrow(
      ZodError,
    );
    expect(() => buildCampaignSnapshot(campaignRows({ bookedDoses: 101 }), slots, PUBLISHED)).toThrow(
      ZodError,
    );
    const overbooked = [{ ...slots[0]!, capacity: -1, booked: 0 }];
    expect(() => buildCampaignSnapshot(campaignRows(), overbooked, PUBLISHED)).toThrow(ZodError);
  });
});
