/**
 * Synthetic residents for the replay, each a pure function of (seed, index): every load
 * generator process builds its own share without anything passed between them. Citizen IDs
 * carry a valid check digit and are distinct within a run (the index is in the body); groups
 * follow the quotas, sites and slots spread over the whole grid; a few book for family
 * members, abandon the queue or reload the page, as people did.
 */
import { slotId, type CampaignFile } from '@khiw/contracts';

export interface Behaviour {
  /** Share of residents who book for 1-3 family members with the same place. */
  family: number;
  /** Share who close the page while waiting (their place lapses). */
  abandon: number;
  /** Share who reload the queue page while waiting (the ticket is kept in the browser). */
  refresh: number;
  /** Share who press "done" after booking (frees the place at once; others lapse after the grace). */
  release: number;
}

export interface ResidentForm {
  citizenId: string;
  firstName: string;
  lastName: string;
  birthDate: string;
  phone: string;
  groupCode: string;
  siteId: string;
  slotId: string;
  provinceCode: string;
}

export interface SyntheticResident {
  index: number;
  forms: ResidentForm[]; // the resident first, then family members
  abandonAfterPolls: number | null;
  refreshAfterPolls: number | null;
  release: boolean;
}

/** The shape of the campaign a resident needs: groups by quota, sites and the slot grid. */
export interface CampaignShape {
  provinceCode: string;
  groups: Array<{ code: string; quota: number; minAgeYears?: number }>;
  slotIds: string[]; // every slot of every site, site-major
  slotsPerSite: number;
}

export function campaignShape(file: CampaignFile): CampaignShape {
  const { firstDay, days, times } = file.slotGrid;
  const dayIds = Array.from({ length: days }, (_, d) =>
    new Date(Date.parse(`${firstDay}T00:00:00Z`) + d * 86_400_000).toISOString().slice(0, 10),
  );
  return {
    provinceCode: file.eligibility.provinceCode,
    groups: file.groups.map((g) => ({ code: g.code, quota: g.quota, minAgeYears: g.minAgeYears })),
    slotIds: file.sites.flatMap((s) => dayIds.flatMap((day) => times.map((t) => slotId(s.id, day, t)))),
    slotsPerSite: days * times.length,
  };
}

/** A small fast PRNG (mulberry32): the same seed and index give the same person everywhere. */
export function prng(seed: number): () => number {
  let a = seed >>> 0;
  return () => {
    a = (a + 0x6d2b79f5) >>> 0;
    let t = a;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}

/** A valid Thai citizen ID: 12 digits of body, then the check digit. */
export function citizenId(body12: string): string {
  let sum = 0;
  for (let i = 0; i < 12; i++) sum += Number(body12[i]) * (13 - i);
  return `${body12}${(11 - (sum % 11)) % 10}`;
}

const THAI_FIRST = ['สมชาย', 'สมหญิง', 'มานี', 'ปิติ', 'ชูใจ', 'วีระ', 'อรุณี', 'ประเสริฐ'];

/** A distinct Thai word per number (a name holds letters only). */
export function thaiWord(n: number): string {
  let word = '';
  do {
    word += String.fromCodePoint(0x0e01 + (n % 40));
    n = Math.floor(n / 40);
  } while (n > 0);
  return word;
}

/**
 * Person `index` of a run. `run` (0-99) keeps IDs of runs apart; a person's ID body is
 * `1 <run:2> <index*4+member:9>` so every document in a run is distinct.
 */
export function resident(
  shape: CampaignShape,
  behaviour: Behaviour,
  seed: number,
  run: number,
  index: number,
): SyntheticResident {
  const random = prng(seed ^ Math.imul(index + 1, 0x9e3779b1));
  const totalQuota = shape.groups.reduce((sum, g) => sum + g.quota, 0);
  const pickGroup = () => {
    let x = random() * totalQuota;
    for (const g of shape.groups) if ((x -= g.quota) < 0) return g;
    return shape.groups[shape.groups.length - 1]!;
  };
  const familySize = random() < behaviour.family ? 1 + Math.floor(random() * 3) : 0;
  const site = Math.floor(random() * (shape.slotIds.length / shape.slotsPerSite));
  const forms = Array.from({ length: 1 + familySize }, (_, member): ResidentForm => {
    const group = pickGroup();
    const age = Math.max(group.minAgeYears ?? 18, 18) + Math.floor(random() * 40);
    const slot = shape.slotIds[site * shape.slotsPerSite + Math.floor(random() * shape.slotsPerSite)]!;
    const body = `1${String(run % 100).padStart(2, '0')}${String(index * 4 + member).padStart(9, '0')}`;
    return {
      citizenId: citizenId(body),
      firstName: THAI_FIRST[Math.floor(random() * THAI_FIRST.length)]!,
      lastName: `ทดลอง${thaiWord(index)}`,
      birthDate: `${2020 - age}-0${1 + Math.floor(random() * 9)}-1${Math.floor(random() * 9)}`,
      phone: `+66${['8', '9', '6'][index % 3]}${String(index).padStart(8, '0')}`,
      groupCode: group.code,
      siteId: slot.split('-')[0]!,
      slotId: slot,
      provinceCode: shape.provinceCode,
    };
  });
  return {
    index,
    forms,
    abandonAfterPolls: random() < behaviour.abandon ? 1 + Math.floor(random() * 5) : null,
    refreshAfterPolls: random() < behaviour.refresh ? 1 + Math.floor(random() * 3) : null,
    release: random() < behaviour.release,
  };
}
