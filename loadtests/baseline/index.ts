/**
 * The 2021-style baseline on its own (issue 14 item 2): one express process booking inside
 * the HTTP request (server.ts), driven open-loop by run-baseline.ts.
 *
 *   node --import tsx loadtests/baseline [--people N] [--seconds S] [--smoke] [--database URL]
 *
 * Loads a copy of campaigns/samut-sakhon-2021.json under a fresh id `baseline-<random>` into
 * khiw_bench (created and migrated if need be), with totalDoses and the group quotas scaled
 * down to N × 0.75 so that it sells out; builds N people with valid citizen IDs spread over the
 * groups (by quota), sites and slots (round-robin); half of them arrive in the first 10 % of S,
 * the rest evenly over the remainder; prints the figures; deletes the campaign's rows.
 * Defaults: N = 20,000, S = 60, a hard limit of 10 min; --smoke: N = 300, S = 3, 60 s.
 */
import { randomBytes } from 'node:crypto';
import { parseArgs } from 'node:util';
import { createPrismaClient, type PrismaClient } from '@khiw/db';
import { LoadCampaign } from '../../services/booking-worker/src/campaigns/load-campaign.usecase';
import { citizenIdFrom, sampleCampaign } from '../../test/support/env';
import { deleteCampaign, prepareDatabase } from '../booking-bench/campaigns';
import { SMOKE, sized } from '../support/smoke';
import { formatResult } from './format-result';
import { runBaseline, type BookingForm } from './run-baseline';

const { values: args } = parseArgs({
  options: {
    people: { type: 'string', default: sized('20000', '300') },
    seconds: { type: 'string', default: sized('60', '3') },
    database: { type: 'string', default: 'postgresql://postgres@127.0.0.1:5432/khiw_bench' },
    smoke: { type: 'boolean', default: false },
  },
});
const bounded = (name: string, value: string | undefined, min: number, max: number) => {
  const n = Number(value);
  if (!Number.isInteger(n) || n < min || n > max)
    throw new Error(`--${name} must be an integer ${min}..${max}`);
  return n;
};
const PEOPLE = bounded('people', args.people, 10, 100_000);
const SECONDS = bounded('seconds', args.seconds, 1, 300);
const DATABASE_URL = args.database!;
if (!/@(127\.0\.0\.1|localhost)[:/]/.test(DATABASE_URL)) throw new Error('--database must be on 127.0.0.1');
const HARD_LIMIT_MS = sized(10 * 60_000, 60_000);
/** Loading, clean-up and the server's start-up fit in what the hard limit leaves. */
const SET_UP_MARGIN_MS = sized(60_000, 25_000);
const RETRIES = 2;
const TIMEOUT_MS = 30_000;

interface CampaignFileShape {
  totalDoses: number;
  groups: { code: string; quota: number }[];
}

/** `total` split in proportion to `weights`, rounded so that the parts add up to `total`. */
function apportion(total: number, weights: number[]): number[] {
  const sum = weights.reduce((a, b) => a + b, 0);
  const exact = weights.map((w) => (total * w) / sum);
  const parts = exact.map(Math.floor);
  const byRemainder = exact.map((x, i) => [x - Math.floor(x), i] as const).sort((a, b) => b[0] - a[0]);
  const missing = total - parts.reduce((a, b) => a + b, 0);
  for (let k = 0; k < missing; k++) parts[byRemainder[k]![1]]!++;
  return parts;
}

async function loadScaledCampaign(prisma: PrismaClient, id: string, people: number) {
  const file = sampleCampaign(id, {
    name: { th: 'ทดสอบฐาน 2564', en: `Baseline ${id}` },
  }) as unknown as CampaignFileShape & Record<string, unknown>;
  const totalDoses = Math.max(1, Math.round(people * 0.75));
  const quotas = apportion(
    totalDoses,
    file.groups.map((g) => g.quota),
  );
  await new LoadCampaign(prisma).execute({
    ...file,
    totalDoses,
    groups: file.groups.map((g, i) => ({ ...g, quota: quotas[i] })),
  });
  return { totalDoses, groups: file.groups.map((g) => ({ code: g.code, quota: g.quota })) };
}

async function makePeople(
  prisma: PrismaClient,
  campaignId: string,
  groups: { code: string; quota: number }[],
) {
  const slots = await prisma.$queryRawUnsafe<{ id: string; site_id: string }[]>(
    `SELECT id, site_id FROM booking.slots WHERE campaign_id = $1 ORDER BY starts_at, site_id`,
    campaignId,
  );
  // Each group gets people in proportion to its (original) quota: every group runs out at
  // about the same time, and together they more than cover the doses.
  const perGroup = apportion(
    PEOPLE,
    groups.map((g) => g.quota),
  );
  const bag = groups.flatMap((g, i) => Array.from({ length: perGroup[i]! }, () => g.code));
  for (let i = bag.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [bag[i], bag[j]] = [bag[j]!, bag[i]!];
  }
  const base = Math.floor(Math.random() * 9e10);
  const seconds = SECONDS * 1000;
  return Array.from({ length: PEOPLE }, (_, i) => {
    const slot = slots[i % slots.length]!;
    const form: BookingForm = {
      citizenId: citizenIdFrom(`1${String(base + i).padStart(11, '0')}`),
      firstName: 'สมชาย',
      lastName: 'ทดสอบฐาน',
      birthDate: `${1941 + (i % 60)}-0${1 + (i % 9)}-1${i % 10}`,
      phone: `+6689${String(i % 10_000_000).padStart(7, '0')}`,
      groupCode: bag[i]!,
      siteId: slot.site_id,
      slotId: slot.id,
    };
    // Front-loaded, as on the 2021 morning: half in the first 10 %, the rest spread evenly.
    const arriveAtMs =
      Math.random() < 0.5 ? Math.random() * 0.1 * seconds : (0.1 + Math.random() * 0.9) * seconds;
    return { form, arriveAtMs: Math.round(arriveAtMs) };
  });
}

async function main(): Promise<void> {
  const abort = new AbortController();
  const hardLimit = setTimeout(() => {
    console.error(`baseline exceeded its hard limit of ${HARD_LIMIT_MS / 1000} s; stopping`);
    abort.abort();
    // The run's own clean-up gets a few seconds; then out, the server killed on exit.
    setTimeout(() => process.exit(2), 10_000).unref();
  }, HARD_LIMIT_MS);
  hardLimit.unref();
  const campaignId = `baseline-${randomBytes(4).toString('hex')}`;
  const prisma = createPrismaClient(DATABASE_URL, { poolSize: 2, applicationName: 'khiw-baseline-cli' });
  const log = (...parts: unknown[]) => console.log(...parts);
  log(
    `khiw 2021-style baseline${SMOKE ? ' (smoke)' : ''} · campaign ${campaignId} · ${PEOPLE} people over ${SECONDS} s`,
  );
  let prepared = false;
  try {
    log(await prepareDatabase(DATABASE_URL));
    prepared = true;
    const { totalDoses, groups } = await loadScaledCampaign(prisma, campaignId, PEOPLE);
    const people = await makePeople(prisma, campaignId, groups);
    log(
      `campaign: ${totalDoses} doses, ${groups.length} groups; retries ${RETRIES}, phone timeout ${TIMEOUT_MS} ms`,
    );
    const deadlineMs = Math.min(
      HARD_LIMIT_MS - SET_UP_MARGIN_MS,
      SECONDS * 1000 + (RETRIES + 1) * TIMEOUT_MS + RETRIES * 3000 + 5000,
    );
    const result = await runBaseline({
      databaseUrl: DATABASE_URL,
      campaignId,
      people,
      retries: RETRIES,
      timeoutMs: TIMEOUT_MS,
      deadlineMs,
      signal: abort.signal,
    });
    log(`\n${formatResult(result)}`);
    log(`\n${JSON.stringify(result)}`);
  } finally {
    if (prepared) {
      await deleteCampaign(prisma, campaignId);
      log(`deleted the rows of campaign ${campaignId}`);
    }
    await prisma.$disconnect();
    clearTimeout(hardLimit);
  }
}

main().catch((error) => {
  console.error(error);
  process.exitCode = 1;
});
