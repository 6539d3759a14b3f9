import { mkdirSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import type { PrismaClient } from '@khiw/db';
import type { Redis } from '@khiw/redis';
import { REJECTION_CODES } from '@khiw/errors';
import type { Endpoint, FuzzOutcome } from './fuzz-client';

/** What a refused request must never have made. */
export interface Created {
  /** Joins the waiting rooms of the namespace counted (`joins` of every room hash). */
  places: number;
  /** Booking jobs in any state on the namespace's queue. */
  jobs: number;
  /** booking.bookings + booking.standby_entries (integration tests run one at a time). */
  bookingRows: number;
  /** booking.registry_vaccinated. */
  registryRows: number;
}

export async function countCreated(input: {
  prisma: PrismaClient;
  redis: Redis;
  namespace: string;
  jobs: () => Promise<number>;
}): Promise<Created> {
  const { prisma, redis, namespace } = input;
  let places = 0;
  let cursor = '0';
  do {
    const [next, keys] = await redis.scan(cursor, 'MATCH', `${namespace}:khiw:*:wr:room`, 'COUNT', 1000);
    cursor = next;
    for (const key of keys) places += Number((await redis.hget(key, 'joins')) ?? 0);
  } while (cursor !== '0');
  const [rows] = await prisma.$queryRaw<{ bookings: bigint; registry: bigint }[]>`
    SELECT (SELECT count(*) FROM booking.bookings) + (SELECT count(*) FROM booking.standby_entries) AS bookings,
      (SELECT count(*) FROM booking.registry_vaccinated) AS registry`;
  return {
    places,
    jobs: await input.jobs(),
    bookingRows: Number(rows!.bookings),
    registryRows: Number(rows!.registry),
  };
}

/** The run's figures as JSON (.local/fuzz/<suite>.json) for docs/reliability.md. */
export function writeReport(suite: string, outcomes: FuzzOutcome[], totalMs: number): void {
  const dir = path.resolve(__dirname, '../../.local/fuzz');
  mkdirSync(dir, { recursive: true });
  const file = path.join(dir, `${suite}.json`);
  writeFileSync(file, JSON.stringify({ suite, totalMs, outcomes }, null, 2));
  process.stdout.write(
    `fuzz ${suite}: ${outcomes.length} endpoints in ${(totalMs / 1000).toFixed(0)}s, report ${file}\n`,
  );
}

/**
 * The registry import's answers: 200 with the report when committed (its `inserted` rows are
 * the only ones the table may gain), 422 with the report when refused (documented, not an
 * error envelope). Returns the running total of rows inserted.
 */
export function watchImport(endpoint: Endpoint): () => number {
  let inserted = 0;
  endpoint.observe = (status, text) => {
    if (status === 200) inserted += (JSON.parse(text) as { inserted: number }).inserted;
  };
  endpoint.documented = (status, text) => {
    if (status !== 422) return false;
    const report = JSON.parse(text) as { committed?: unknown; inserted?: unknown };
    return report.committed === false && report.inserted === 0;
  };
  return () => inserted;
}

const ENGINE_REFUSALS: ReadonlySet<string> = new Set(REJECTION_CODES);

/**
 * An assisted booking's answers (agents, partner stores): a job is queued for every request
 * the gateway lets through, and the engine may still refuse it (the slot filled, the person
 * already booked), answered as the error envelope with the engine's code. So the jobs it may
 * create are its 200/201/202 answers plus its engine refusals; its booking rows, only its
 * 201/202. Returns the running count of answers that may have queued a job.
 */
export function watchAssisted(endpoint: Endpoint): () => number {
  let queued = 0;
  endpoint.observe = (status, text) => {
    if (status >= 200 && status < 300) queued += 1;
    else if (ENGINE_REFUSALS.has(errorCode(text) ?? '')) queued += 1;
  };
  return () => queued;
}

function errorCode(text: string): string | undefined {
  try {
    return (JSON.parse(text) as { error?: { code?: string } }).error?.code;
  } catch {
    return undefined; // not an envelope: the fuzz's own check reports it
  }
}
