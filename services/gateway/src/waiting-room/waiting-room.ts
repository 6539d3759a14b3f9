import type { Router } from 'express';
import type { Logger, Registry } from '@khiw/observability';
import type { Redis } from '@khiw/redis';
import type { GatewayConfig } from '../config';
import type { AuditRecorder } from '../ops/audit-log';
import { AccessGrants } from './access-grants';
import { adminRoutes } from './admin.routes';
import { AdmissionLoop } from './admission-loop';
import { IssueChallenge } from './issue-challenge.usecase';
import { JoinQueue } from './join-queue.usecase';
import { jwksRoutes } from './jwks.routes';
import { queueRoutes, queueStatusRoutes } from './queue.routes';
import { QueueStatus } from './queue-status.usecase';
import { ReleaseAccess } from './release-access.usecase';
import { RoomCache, type WaitingRoomOptions } from './room-cache';
import { StandbyAccess } from './standby-access';
import { TicketStanding } from './ticket-standing';
import type { Keyring } from './tokens/keyring';
import { QueueTokens } from './tokens/queue-tokens';
import { UpdateWaitingRoom } from './update-waiting-room.usecase';
import { createWaitingRoomMetrics, type WaitingRoomMetrics } from './waiting-room-metrics';
import { withWaitingRoomCommands } from './waiting-room-scripts';
import { WaitingRoomStats } from './waiting-room-stats.usecase';

export function waitingRoomOptions(config: GatewayConfig): WaitingRoomOptions {
  return {
    defaults: {
      outflowPerMinute: config.WAITING_ROOM_OUTFLOW_PER_MINUTE,
      maxActive: config.WAITING_ROOM_MAX_ACTIVE,
      powDifficulty: config.WAITING_ROOM_POW_DIFFICULTY,
      familyGraceSeconds: config.WAITING_ROOM_FAMILY_GRACE_SECONDS,
    },
    claimWindowMs: config.WAITING_ROOM_CLAIM_WINDOW_SECONDS * 1000,
    accessTtlMs: config.WAITING_ROOM_ACCESS_TTL_SECONDS * 1000,
    abandonAfterMs: config.WAITING_ROOM_ABANDON_AFTER_SECONDS * 1000,
    maxBookings: config.WAITING_ROOM_MAX_BOOKINGS,
    maxSkipPerStep: 1000,
    maxStepMs: Math.max(5000, config.WAITING_ROOM_TICK_MS * 5),
    rateMinutes: 5,
    viewMaxAgeMs: Math.max(1000, config.WAITING_ROOM_TICK_MS),
    challengeTtlSeconds: 120,
  };
}

export interface WaitingRoom {
  /** Status polls only: mount first, ahead of every middleware. */
  pollRouter: Router;
  routers: Router[];
  tokens: QueueTokens;
  grants: AccessGrants;
  rooms: RoomCache;
  /** Joining and status for callers other than a browser (partner apps: src/partners). */
  join: JoinQueue;
  status: QueueStatus;
  loop: AdmissionLoop;
  /** The app's problemHandler counts refused tokens here (tokensRefused). */
  metrics: WaitingRoomMetrics;
}

/** Builds the waiting room of one gateway process: routes, tokens and the admission loop. */
export function createWaitingRoom(input: {
  config: GatewayConfig;
  redis: Redis;
  keyring: Keyring;
  logger: Logger;
  registry: Registry;
  /** Where ops controls are recorded (the booking worker's audit log). */
  audit: AuditRecorder;
}): WaitingRoom {
  const { config, keyring, logger } = input;
  const metrics = createWaitingRoomMetrics(input.registry);
  const rooms = new RoomCache(
    withWaitingRoomCommands(input.redis),
    config.KHIW_NAMESPACE,
    waitingRoomOptions(config),
    logger,
  );
  const tokens = new QueueTokens(keyring, { ticketTtlSeconds: config.WAITING_ROOM_TICKET_TTL_SECONDS });
  const standby = new StandbyAccess(rooms, tokens);
  const standing = new TicketStanding(rooms, tokens, standby);
  const status = new QueueStatus(tokens, standing, metrics);
  const grants = new AccessGrants(rooms, metrics);
  const join = new JoinQueue(rooms, tokens, standing, metrics, standby);
  const loop = new AdmissionLoop(
    rooms,
    logger.child({ component: 'admission' }),
    metrics,
    config.WAITING_ROOM_TICK_MS,
  );
  return {
    pollRouter: queueStatusRoutes({ status, duration: metrics.statusDuration }),
    routers: [
      jwksRoutes(keyring),
      queueRoutes({
        rooms,
        join,
        status,
        challenge: new IssueChallenge(rooms),
        release: new ReleaseAccess(tokens, grants),
        limits: {
          joinsPerMinute: config.WAITING_ROOM_JOINS_PER_NETWORK_PER_MINUTE,
          unredeemedChallengesPerMinute: config.WAITING_ROOM_UNREDEEMED_CHALLENGES_PER_NETWORK_PER_MINUTE,
          failedJoinsPerMinute: config.WAITING_ROOM_FAILED_JOINS_PER_NETWORK_PER_MINUTE,
        },
        metrics,
      }),
      adminRoutes({
        rooms,
        tokens,
        update: new UpdateWaitingRoom(rooms, logger),
        stats: new WaitingRoomStats(rooms),
        audit: input.audit,
        logger,
      }),
    ],
    tokens,
    grants,
    rooms,
    join,
    status,
    loop,
    metrics,
  };
}
