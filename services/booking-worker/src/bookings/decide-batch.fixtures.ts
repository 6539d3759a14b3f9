import type { BookingOutcome, BookingRequestJob } from '@khiw/contracts';
import { decideBatch, type BatchInput, type IdMakers } from './decide-batch';
import type { CampaignRow, GroupRow, SlotRow } from './reservation-store';

// Fixtures of the decideBatch tests (decide-batch*.test.ts).

export const CAMPAIGN = 'c-test';
export const DAY = new Date('2021-08-02T02:00:00.000Z'); // 09:00 in Bangkok
export const SKH = 'SKH';
export const KTB = 'KTB';

/** Ids and references counted up from 1: a decision is then exactly predictable. */
export const uuid = (n: number) => `00000000-0000-4000-8000-${String(n).padStart(12, '0')}`;
export function pinnedIds(): IdMakers {
  let id = 0;
  let reference = 0;
  return { newId: () => uuid(++id), newReference: () => `REF${++reference}` };
}

export function campaign(overrides: Partial<CampaignRow> = {}): CampaignRow {
  return {
    state: 'open',
    total_doses: 4,
    booked_doses: 0,
    standby_size: 2,
    standby_count: 0,
    standby_last_position: 0,
    eligibility: { provinceCode: '74', minAgeYears: 18 },
    ...overrides,
  };
}

export function group(code: string, quota: number, booked = 0, ages: Partial<GroupRow> = {}): GroupRow {
  return { code, quota, booked, min_age_years: null, max_age_years: null, ...ages };
}

export function slot(id: string, site: string, capacity: number, booked = 0): SlotRow {
  return {
    id,
    site_id: site,
    starts_at: DAY,
    capacity,
    booked,
    name_th: `ไซต์ ${site}`,
    name_en: `Site ${site}`,
  };
}

/** A valid Thai citizen ID (13 digits, the last a check digit) made from n. */
export function citizenId(n: number): string {
  const digits = `1${String(n).padStart(11, '0')}`;
  const sum = [...digits].reduce((total, d, i) => total + Number(d) * (13 - i), 0);
  return `${digits}${(11 - (sum % 11)) % 10}`;
}

export const [LISTED, TAKEN, SAME] = [citizenId(8001), citizenId(8002), citizenId(8003)];

let serial = 0;
export function request(overrides: Partial<BookingRequestJob> = {}): BookingRequestJob {
  serial += 1;
  return {
    schemaVersion: 1,
    requestId: `${CAMPAIGN}.request-${serial}`,
    campaignId: CAMPAIGN,
    citizenId: citizenId(serial),
    firstName: 'สมชาย',
    lastName: 'ใจดี',
    birthDate: '1960-05-01',
    phone: '+66812345678',
    groupCode: 'g1',
    siteId: SKH,
    slotId: 'SKH-0900',
    provinceCode: '74',
    channel: 'web',
    language: 'th',
    submittedAt: '2021-07-20T03:00:00.000Z',
    ...overrides,
  };
}

/** Two groups of 2, SKH and KTB with one slot of 2 each, 4 doses, standby 2; nobody booked yet. */
export function input(requests: BookingRequestJob[], overrides: Partial<BatchInput> = {}): BatchInput {
  return {
    campaignId: CAMPAIGN,
    campaign: campaign(),
    requests,
    earlierBookings: [],
    earlierStandby: [],
    bookedCitizens: [],
    vaccinatedCitizens: [],
    listedCitizens: [],
    groups: [group('g1', 2), group('g2', 2)],
    slots: [slot('SKH-0900', SKH, 2), slot('KTB-0900', KTB, 2)],
    channels: [],
    ...overrides,
  };
}

export const decide = (batch: BatchInput) => decideBatch(batch, pinnedIds());
export const statuses = (outcomes: BookingOutcome[]) =>
  outcomes.map((o) => (o.status === 'rejected' ? o.reason : o.status));
