/**
 * Ops command: load (or update) a campaign from its set-up file and publish the snapshot the
 * gateway serves. `pnpm campaign:load [file]`; the default is the sample campaign.
 */
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { z } from 'zod';
import { createPrismaClient } from '@khiw/db';
import { createLogger } from '@khiw/observability';
import { closeRedis, createRedisClient } from '@khiw/redis';
import { loadConfig } from '../config';
import { publishCampaignSnapshot } from '../campaigns/campaign-snapshot';
import { LoadCampaign } from '../campaigns/load-campaign.usecase';

export const SAMPLE_CAMPAIGN = path.resolve(__dirname, '../../../../campaigns/samut-sakhon-2021.json');

async function main(): Promise<void> {
  const file = path.resolve(process.argv[2] ?? SAMPLE_CAMPAIGN);
  const config = loadConfig();
  const logger = createLogger({ service: 'campaign-load', level: 'warn' });
  const prisma = createPrismaClient(config.DATABASE_URL, { poolSize: 2 });
  const redis = createRedisClient({ url: config.REDIS_URL, name: 'campaign-load', logger, blocking: true });
  try {
    let input: unknown;
    try {
      input = JSON.parse(await readFile(file, 'utf8'));
    } catch (error) {
      throw new Error(`cannot read campaign file ${file}: ${(error as Error).message}`, { cause: error });
    }
    const summary = await new LoadCampaign(prisma).execute(input);
    await publishCampaignSnapshot(prisma, redis, config.KHIW_NAMESPACE, summary.id);
    console.log(
      `campaign ${summary.id} loaded: ${summary.groups} groups, ${summary.sites} sites, ${summary.slots} slots (${summary.slotCapacity} places)`,
    );
  } finally {
    await prisma.$disconnect();
    await closeRedis(redis);
  }
}

main().catch((error) => {
  const detail = error instanceof z.ZodError ? `\n${z.prettifyError(error)}` : (error as Error).message;
  console.error(`campaign load failed: ${detail}`);
  process.exit(1);
});
