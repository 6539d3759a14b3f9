import type { Router } from 'express';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import { bullPrefix, campaignIndexKey, type Redis } from '@khiw/redis';
import type { CampaignCatalog } from '../bookings/campaign-catalog';
import type { RoomCache } from '../waiting-room/room-cache';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { WaitingRoomStats } from '../waiting-room/waiting-room-stats.usecase';
import type { AuditLog } from './audit-log';
import { GetOpsHistory } from './get-ops-history.usecase';
import { GetOpsOverview } from './get-ops-overview.usecase';
import { opsQueuesRoutes } from './ops-queues';
import { OpsSampler } from './ops-sampler';
import { opsRoutes } from './ops.routes';
import { ReplicaReports } from './replica-reports';

export interface OpsConsole {
  /** The API routes (after the JSON parser) and bull-board (ahead of the static pages). */
  apiRouter: Router;
  queuesRouter: Router;
  sampler: OpsSampler;
  /** Closes the sampler, then the queue handles (not the Redis connection: the caller's). */
  close(): Promise<void>;
}

/**
 * The ops console's back end in one gateway process: the 2 s sampler, its API and bull-board.
 * Queue handles ride on the fail-fast Redis client: with Redis away a sample fails at once
 * and is skipped, never queued behind the outage.
 */
export function createOpsConsole(input: {
  redis: Redis;
  namespace: string;
  tokens: QueueTokens;
  rooms: RoomCache;
  catalog: CampaignCatalog;
  audit: AuditLog;
  logger: Logger;
  pollAfterMs?: number;
}): OpsConsole {
  const { redis, namespace, logger } = input;
  const prefix = bullPrefix(namespace);
  const queues = {
    booking: new Queue(QUEUES.booking, { connection: redis, prefix }),
    sms: new Queue(QUEUES.sms, { connection: redis, prefix }),
  };
  const stats = new WaitingRoomStats(input.rooms);
  const sampler = new OpsSampler({
    replicas: new ReplicaReports(redis, namespace, logger),
    queues,
    campaigns: () => redis.smembers(campaignIndexKey(namespace)),
    room: async (campaignId) => {
      const room = await stats.execute({ campaignId });
      return {
        waiting: room.waiting,
        active: room.active,
        admittedPerMinute: room.admittedPerMinute.observed ?? 0,
      };
    },
    logger: logger.child({ component: 'ops-sampler' }),
  });
  const overview = new GetOpsOverview({
    redis,
    stats,
    catalog: input.catalog,
    sampler,
    audit: input.audit,
    pollAfterMs: input.pollAfterMs ?? 1000,
  });
  let closing: Promise<void> | undefined;
  return {
    apiRouter: opsRoutes({
      tokens: input.tokens,
      overview,
      history: new GetOpsHistory(sampler, input.catalog),
      audit: input.audit,
    }),
    queuesRouter: opsQueuesRoutes({ tokens: input.tokens, queues: [queues.booking, queues.sms] }),
    sampler,
    close() {
      closing ??= (async () => {
        await sampler.close();
        await Promise.all([queues.booking.close(), queues.sms.close()]);
      })();
      return closing;
    },
  };
}
