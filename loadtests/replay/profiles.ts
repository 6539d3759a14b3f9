/**
 * The surges of the source documents, as open-loop arrival profiles: a person arrives at
 * their time whether or not the server is slow. Times are milliseconds from the opening
 * (negative: before it, in the pre-queue). `scale` shrinks people, doses and the arrival
 * window together, so a smaller run keeps the profile's shape and pressure per second.
 */
import { readFileSync } from 'node:fs';
import path from 'node:path';
import type { CampaignFile } from '@khiw/contracts';
import { REPO_ROOT } from '../../infra/local/services';
import type { Behaviour } from './residents';

export interface ReplaySettings {
  /** What ops would set for the day (the waiting room's live settings). */
  outflowPerMinute: number;
  maxActive: number;
  powDifficulty: number;
  /** SMS parts per second Kannel hands to the SMSC (a national aggregator's contract). */
  kannelThroughput: number;
}

export interface Profile {
  name: string;
  summary: string;
  people: number;
  /** The campaign as loaded, doses and quotas already scaled. */
  campaign: (id: string, opensAt: Date, scale: number) => CampaignFile;
  /** Arrival time of each person, ms from the opening, for `people` people at `scale`. */
  arrivals: (people: number, scale: number) => Float64Array;
  behaviour: Behaviour;
  /** Rates and ceilings: the same at every scale (a smaller run keeps the pressure per second). */
  settings: ReplaySettings;
  /** How long the run may take at scale 1 before it is stopped (ms, after the last arrival). */
  drainMs: number;
}

const readCampaign = (file: string) =>
  JSON.parse(readFileSync(path.join(REPO_ROOT, 'campaigns', file), 'utf8')) as CampaignFile;

/**
 * Doses, quotas and slot places scaled; slot places kept at least the doses (no dead grid).
 * The replay's residents all come by the web at whatever hour it runs, so the file's channel
 * hours and reserves are left out (tests/channels.int.test.ts covers them).
 */
function scaled(file: CampaignFile, id: string, opensAt: Date, doses: number): CampaignFile {
  const factor = doses / file.totalDoses;
  const groups = file.groups.map((g) => ({ ...g, quota: Math.floor(g.quota * factor) }));
  const total = groups.reduce((sum, g) => sum + g.quota, 0);
  const { days, times } = file.slotGrid;
  const perSlot = Math.max(1, Math.ceil(total / (file.sites.length * days * times.length)));
  return {
    ...file,
    id,
    opensAt: opensAt.toISOString(),
    totalDoses: total,
    standbySize: Math.floor(file.standbySize * factor),
    groups,
    slotGrid: { ...file.slotGrid, capacityPerSlotPerSite: perSlot },
    channels: undefined,
  };
}

/**
 * `people` arrival times: `shares` of them uniformly within each window [from, to) ms, in
 * order, sorted. Deterministic (evenly spaced with a fixed jitter), so two runs compare.
 */
function windows(people: number, parts: Array<{ share: number; from: number; to: number }>): Float64Array {
  const out = new Float64Array(people);
  let i = 0;
  parts.forEach((part, k) => {
    const count = k === parts.length - 1 ? people - i : Math.round(part.share * people);
    for (let j = 0; j < count; j++, i++) out[i] = part.from + ((j + 0.5) * (part.to - part.from)) / count;
  });
  return out;
}

const COMMON_BEHAVIOUR: Behaviour = { family: 0.1, abandon: 0.03, refresh: 0.05, release: 0.5 };

export const PROFILES: Record<string, Profile> = {
  'khon-kaen': {
    name: 'khon-kaen',
    summary: '100,000 people in the first minute for 50,000 places (seed 003)',
    people: 100_000,
    campaign: (id, opensAt, scale) =>
      scaled({ ...readCampaign('samut-sakhon-2021.json'), standbySize: 0 }, id, opensAt, 50_000 * scale),
    // Front-loaded: 40 % in the first 10 s, 40 % in the next 20 s, the rest by the minute.
    arrivals: (people, scale) =>
      windows(people, [
        { share: 0.4, from: 0, to: 10_000 * scale },
        { share: 0.4, from: 10_000 * scale, to: 30_000 * scale },
        { share: 0.2, from: 30_000 * scale, to: 60_000 * scale },
      ]),
    behaviour: COMMON_BEHAVIOUR,
    settings: {
      outflowPerMinute: 60_000,
      maxActive: 20_000,
      powDifficulty: 12,
      kannelThroughput: 2_000,
    },
    drainMs: 10 * 60_000,
  },
  'samut-sakhon-reopening': {
    name: 'samut-sakhon-reopening',
    summary: '30,000 doses, 7 groups, standby 10,000; 45,000 people front-loaded at 09:00 (seeds 000, 004)',
    people: 45_000,
    campaign: (id, opensAt, scale) =>
      scaled(readCampaign('samut-sakhon-2021.json'), id, opensAt, 30_000 * scale),
    // A quarter wait in the pre-queue before 09:00; half come in the first minute.
    arrivals: (people, scale) =>
      windows(people, [
        { share: 0.25, from: -60_000 * scale, to: 0 },
        { share: 0.5, from: 0, to: 60_000 * scale },
        { share: 0.25, from: 60_000 * scale, to: 240_000 * scale },
      ]),
    behaviour: COMMON_BEHAVIOUR,
    settings: {
      outflowPerMinute: 18_000,
      maxActive: 6_000,
      powDifficulty: 12,
      kannelThroughput: 1_000,
    },
    drainMs: 10 * 60_000,
  },
  'bangkok-day-one': {
    name: 'bangkok-day-one',
    summary: "1,248,235 people over a day compressed to 20 minutes, Bangkok's 1,008,000 places (seed 002)",
    people: 1_248_235,
    campaign: (id, opensAt, scale) =>
      scaled(readCampaign('bangkok-thai-ruam-jai-2021.json'), id, opensAt, 1_008_000 * scale),
    // The 09:00 spike, then the rest of the day (09:00-22:00) pressed into 20 minutes.
    arrivals: (people, scale) =>
      windows(people, [
        { share: 0.3, from: 0, to: 60_000 * scale },
        { share: 0.4, from: 60_000 * scale, to: 400_000 * scale },
        { share: 0.3, from: 400_000 * scale, to: 1_200_000 * scale },
      ]),
    behaviour: { ...COMMON_BEHAVIOUR, family: 0.05 },
    settings: {
      outflowPerMinute: 60_000,
      maxActive: 30_000,
      powDifficulty: 12,
      kannelThroughput: 2_400,
    },
    drainMs: 15 * 60_000,
  },
};
