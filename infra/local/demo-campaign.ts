/**
 * The live demo of `./khiw start`. A campaign file holds real dates (the sample opened on
 * 25 July 2021), so the supervisor loads a copy written to .local/demo/ in which the opening
 * is a few minutes away and the slot days start the day after it; the file in the repository
 * never changes. Only `opensAt` and `slotGrid.firstDay` move: the grid keeps its length, its
 * times and its capacity, so the file's spacing of days and times is kept.
 *
 * The waiting room seeds its opening time from the campaign once, when its Redis hash does
 * not exist yet (RoomCache, HSETNX), and ops may move it only until the queue has started
 * (PATCH .../waiting-room {opensAt}). A second `./khiw start` would therefore keep the first
 * run's opening, already past: the demo empties the campaign's waiting room before the
 * gateway starts, so each start is a new opening with a new pre-queue and shuffle.
 */
import { mkdirSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CampaignFile } from '@khiw/contracts';
import { campaignKey, type Redis } from '@khiw/redis';
import {
  waitingRoomKeyList,
  waitingRoomKeys,
} from '../../services/gateway/src/waiting-room/waiting-room-keys';

const MINUTE = 60_000;
const DAY = 86_400_000;
const BANGKOK_OFFSET_MS = 7 * 3_600_000;

export interface DemoTiming {
  now: Date;
  /** Minutes from now to the opening, rounded up to a whole minute on the clock; 0 is now. */
  opensInMinutes: number;
}

export interface DemoCampaign {
  id: string;
  /** The file as given, with `opensAt` and `slotGrid.firstDay` replaced. */
  json: Record<string, unknown>;
  opensAt: Date;
  firstDay: string;
  lastDay: string;
}

/** '2026-12-03T09:05:00+07:00': Bangkok wall-clock time, as campaign files write it. */
export function bangkokIso(date: Date): string {
  return `${new Date(date.getTime() + BANGKOK_OFFSET_MS).toISOString().slice(0, 19)}+07:00`;
}

const bangkokDay = (ms: number) => new Date(ms + BANGKOK_OFFSET_MS).toISOString().slice(0, 10);

function checked(input: unknown) {
  const parsed = CampaignFile.safeParse(input);
  if (!parsed.success) {
    const issues = parsed.error.issues.map(
      (issue) => `  - ${issue.path.join('.') || '(file)'}: ${issue.message}`,
    );
    throw new Error(`not a valid campaign file:\n${issues.join('\n')}`);
  }
  return parsed.data;
}

/** The file's JSON, checked against the campaign file's contract; throws what is wrong, worded. */
export function readCampaignFile(file: string): unknown {
  let input: unknown;
  try {
    input = JSON.parse(readFileSync(file, 'utf8'));
  } catch (error) {
    throw new Error(`cannot read campaign file ${file}: ${(error as Error).message}`, { cause: error });
  }
  try {
    checked(input);
  } catch (error) {
    throw new Error(`${file}: ${(error as Error).message}`, { cause: error });
  }
  return input;
}

/** The demo copy of a parsed campaign file; throws the file's problems, worded, if it is not one. */
export function demoCampaign(input: unknown, { now, opensInMinutes }: DemoTiming): DemoCampaign {
  const file = checked(input);
  // A whole minute reads well in the printout; 0 means now, not at the next minute.
  const opensAt =
    opensInMinutes === 0
      ? new Date(Math.floor(now.getTime() / 1000) * 1000)
      : new Date(Math.ceil((now.getTime() + opensInMinutes * MINUTE) / MINUTE) * MINUTE);
  // The day after the opening's Bangkok day: "tomorrow" unless the opening is itself tomorrow.
  const firstDayMs = Date.parse(`${bangkokDay(opensAt.getTime())}T00:00:00Z`) + DAY;
  const firstDay = new Date(firstDayMs).toISOString().slice(0, 10);
  const lastDay = new Date(firstDayMs + (file.slotGrid.days - 1) * DAY).toISOString().slice(0, 10);
  const original = input as Record<string, unknown> & { slotGrid: Record<string, unknown> };
  return {
    id: file.id,
    json: {
      ...original,
      opensAt: bangkokIso(opensAt),
      slotGrid: { ...original.slotGrid, firstDay },
    },
    opensAt,
    firstDay,
    lastDay,
  };
}

/** Reads `file`, writes its demo copy to `dir` under the same name, and says where. */
export function writeDemoCampaign(
  file: string,
  dir: string,
  timing: DemoTiming,
): DemoCampaign & { path: string } {
  const demo = demoCampaign(readCampaignFile(file), timing);
  mkdirSync(dir, { recursive: true });
  const out = path.join(dir, path.basename(file));
  writeFileSync(out, `${JSON.stringify(demo.json, null, 2)}\n`);
  return { ...demo, path: out };
}

/**
 * Deletes the campaign's waiting room (queue, pre-queue, admissions, settings) and the
 * per-ticket booking counts keyed by queue number, which a new opening hands out again.
 * Only while no gateway runs: a running one would keep its seeded settings in memory.
 */
export async function emptyWaitingRoom(redis: Redis, namespace: string, campaignId: string): Promise<number> {
  let deleted = await redis.del(...waitingRoomKeyList(waitingRoomKeys(namespace, campaignId)));
  const pattern = campaignKey(namespace, campaignId, 'grant-people:*');
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', pattern, 'COUNT', 500);
    if (keys.length > 0) deleted += await redis.del(...keys);
    cursor = next;
  } while (cursor !== '0');
  return deleted;
}
