import path from 'node:path';
import express from 'express';
import { Queue } from 'bullmq';
import { QUEUES } from '@khiw/contracts';
import {
  createMetricsApp,
  createServiceApp,
  createServiceRuntime,
  httpMetricsMiddleware,
  httpTimeoutsOf,
  listen,
  runService,
} from '@khiw/observability';
import { bullPrefix, closeRedis, createRedisClient, pingRedis } from '@khiw/redis';
import { campaignAdminRoutes } from './admin/campaign-admin.routes';
import { appointmentRoutes } from './appointments/appointments.routes';
import { assertRoutePolicies } from './auth/route-inventory';
import { agentRoutes } from './agents/agent.routes';
import { BookAssisted } from './bookings/book-assisted.usecase';
import { BookingRequestStatus } from './bookings/booking-request-status.usecase';
import { bookingRoutes } from './bookings/bookings.routes';
import { CampaignCatalog } from './bookings/campaign-catalog';
import { campaignSlotsRoutes } from './bookings/campaign-slots.routes';
import { SubmitBooking } from './bookings/submit-booking.usecase';
import { campaignRoutes } from './campaigns/campaigns.routes';
import { BookingWorkerClient } from './http/booking-worker-client';
import { answerClientError, apiNotFound, problemHandler } from './http/problem';
import { apiCors, securityHeaders } from './http/security-headers';
import { RateLimiter } from './http/rate-limit';
import { AuditLog } from './ops/audit-log';
import { createOpsConsole } from './ops/ops-console';
import { CarryUser } from './partners/carry-user.usecase';
import { ExchangePartnerToken } from './partners/exchange-partner-token.usecase';
import { PartnerRegistry } from './partners/partner-registry';
import { partnerRoutes } from './partners/partner.routes';
import { PartnerTokens } from './partners/partner-tokens';
import { OrganisationCaps } from './organisations/organisation-caps';
import { OrganisationUploads } from './organisations/organisation-uploads';
import { organisationRoutes } from './organisations/organisation.routes';
import { RunOrganisationUpload } from './organisations/run-organisation-upload.usecase';
import { RosterClient } from './staff/roster-client';
import { registryImportRoutes, staffRoutes } from './staff/staff.routes';
import { loadKeyring } from './waiting-room/tokens/load-keyring';
import { createWaitingRoom } from './waiting-room/waiting-room';
import { loadConfig } from './config';
import { EventLoopLag, loadShedding } from './http/load-shedding';

async function main(): Promise<void> {
  const config = loadConfig();
  const service = 'gateway';
  const runtime = createServiceRuntime(service, config);
  const { logger, registry, shutdown } = runtime;

  // Request paths fail fast when Redis is away (503), never queue requests in memory.
  const redis = createRedisClient({ url: config.REDIS_URL, name: service, logger });
  const queueConnection = createRedisClient({
    url: config.REDIS_URL,
    name: `${service}-queue`,
    logger,
    blocking: true,
  });
  const bookingQueue = new Queue(QUEUES.booking, {
    connection: queueConnection,
    prefix: bullPrefix(config.KHIW_NAMESPACE),
  });

  const checks = { redis: () => pingRedis(redis) };
  // Production (METRICS_PORT required): /metrics on an internal listener only, not the public port.
  const app = createServiceApp({
    registry,
    isDraining: () => shutdown.draining,
    checks,
    metrics: config.METRICS_PORT === undefined,
  });
  app.use(securityHeaders());
  app.use('/api', apiCors(config.CORS_ALLOWED_ORIGINS));
  // Ahead of every route: a new arrival is turned away in microseconds when the loop runs late.
  // Off (the default), nothing is mounted: no timer, no work per request.
  const lag = config.GATEWAY_MAX_EVENT_LOOP_LAG_MS > 0 ? new EventLoopLag() : undefined;
  if (lag) app.use(loadShedding({ lag, maxLagMs: config.GATEWAY_MAX_EVENT_LOOP_LAG_MS, registry }));
  const worker = new BookingWorkerClient({
    baseUrl: config.BOOKING_API_URL,
    timeoutMs: config.BOOKING_API_TIMEOUT_MS,
    internalToken: config.INTERNAL_API_TOKEN,
    logger,
  });
  const audit = new AuditLog(worker, logger);
  const keyring = loadKeyring(config, logger);
  const waitingRoom = createWaitingRoom({
    config,
    redis,
    keyring,
    logger,
    registry,
    audit,
  });
  const roster = new RosterClient({
    baseUrl: config.ROSTER_API_URL,
    timeoutMs: config.ROSTER_API_TIMEOUT_MS,
    internalToken: config.INTERNAL_API_TOKEN,
    logger,
  });
  const catalog = new CampaignCatalog(redis, config.KHIW_NAMESPACE, logger);
  const opsConsole = createOpsConsole({
    redis,
    namespace: config.KHIW_NAMESPACE,
    tokens: waitingRoom.tokens,
    rooms: waitingRoom.rooms,
    catalog,
    audit,
    logger,
  });
  app.use(waitingRoom.pollRouter);
  app.use(httpMetricsMiddleware(registry, service));
  // Ahead of the 8 kB parser: campaign files are large, this router parses its own bodies.
  app.use(
    campaignAdminRoutes({
      worker,
      tokens: waitingRoom.tokens,
      audit,
      logger,
      loadTimeoutMs: config.BOOKING_API_ADMIN_TIMEOUT_MS,
    }),
  );
  app.use(
    registryImportRoutes({
      tokens: waitingRoom.tokens,
      logger,
      bookingApiUrl: config.BOOKING_API_URL,
      internalToken: config.INTERNAL_API_TOKEN,
      timeoutMs: config.REGISTRY_IMPORT_TIMEOUT_MS,
    }),
  );
  // bull-board parses its own bodies; /ops/queues only, the rest of /ops/ is the console page.
  app.use(opsConsole.queuesRouter);
  app.use(express.json({ limit: '8kb' }));
  for (const router of waitingRoom.routers) app.use(router);
  app.use(campaignRoutes(redis, config.KHIW_NAMESPACE));
  app.use(campaignSlotsRoutes(catalog));
  const submit = new SubmitBooking({
    redis,
    namespace: config.KHIW_NAMESPACE,
    queue: bookingQueue,
    grants: waitingRoom.grants,
    secret: config.BOOKING_REQUEST_ID_SECRET,
  });
  const status = new BookingRequestStatus({
    queue: bookingQueue,
    worker,
    logger,
    pollAfterSeconds: config.BOOKING_POLL_AFTER_SECONDS,
  });
  const limiter = new RateLimiter(redis, config.KHIW_NAMESPACE);
  app.use(
    bookingRoutes({
      tokens: waitingRoom.tokens,
      catalog,
      submit,
      status,
      pollAfterSeconds: config.BOOKING_POLL_AFTER_SECONDS,
      registry,
    }),
  );
  app.use(
    agentRoutes({
      tokens: waitingRoom.tokens,
      catalog,
      book: new BookAssisted({ submit, status }),
      roster,
      limiter,
      bookingsPerMinute: config.AGENT_BOOKINGS_PER_MINUTE,
    }),
  );
  const partners = new PartnerRegistry({ json: config.PARTNERS, file: config.PARTNERS_FILE }, (error) =>
    logger.error({ err: error }, 'PARTNERS_FILE no longer parses: the last good list stays'),
  );
  const partnerTokens = new PartnerTokens(keyring, config.PARTNER_TOKEN_TTL_SECONDS);
  app.use(
    partnerRoutes({
      registry: partners,
      partnerTokens,
      exchange: new ExchangePartnerToken({
        registry: partners,
        tokens: partnerTokens,
        redis,
        namespace: config.KHIW_NAMESPACE,
      }),
      carry: new CarryUser({
        redis,
        namespace: config.KHIW_NAMESPACE,
        join: waitingRoom.join,
        status: waitingRoom.status,
        tokens: waitingRoom.tokens,
        grants: waitingRoom.grants,
      }),
      tokens: waitingRoom.tokens,
      catalog,
      book: new BookAssisted({ submit, status }),
      limiter,
      requestsPerMinute: config.PARTNER_REQUESTS_PER_MINUTE,
      tokenPerNetworkPerMinute: config.PARTNER_TOKEN_PER_NETWORK_PER_MINUTE,
    }),
  );
  const caps = new OrganisationCaps(redis, {
    namespace: config.KHIW_NAMESPACE,
    worker,
    secret: config.BOOKING_REQUEST_ID_SECRET,
  });
  const uploads = new OrganisationUploads(redis, config.KHIW_NAMESPACE);
  const organisationUploads = new RunOrganisationUpload({
    catalog,
    submit,
    status,
    caps,
    uploads,
    secret: config.BOOKING_REQUEST_ID_SECRET,
    logger,
  });
  app.use(
    organisationRoutes({
      tokens: waitingRoom.tokens,
      catalog,
      caps,
      uploads,
      run: organisationUploads,
      audit,
    }),
  );
  app.use(
    appointmentRoutes({
      worker,
      roster,
      tokens: waitingRoom.tokens,
      limiter,
      secret: config.BOOKING_REQUEST_ID_SECRET,
      perCitizenPerMinute: config.SELF_SERVICE_PER_CITIZEN_PER_MINUTE,
      perNetworkPerMinute: config.SELF_SERVICE_PER_NETWORK_PER_MINUTE,
    }),
  );
  app.use(staffRoutes({ roster, tokens: waitingRoom.tokens, logger }));
  app.use(opsConsole.apiRouter);
  app.use('/api', apiNotFound);
  app.use(express.static(path.resolve(__dirname, '../public'), { maxAge: '5m' }));
  app.use(problemHandler({ logger, tokensRefused: waitingRoom.metrics.tokensRefused }));
  // Every mounted route has an entry in ROUTE_POLICIES (who may call it), or no start.
  assertRoutePolicies(app);
  const timeouts = httpTimeoutsOf(config);
  const server = await listen(app, config.PORT, undefined, undefined, timeouts);
  server.server.on('clientError', answerClientError);
  const metricsServer =
    config.METRICS_PORT === undefined
      ? undefined
      : await listen(
          createMetricsApp(registry),
          config.METRICS_PORT,
          config.METRICS_HOST,
          undefined,
          timeouts,
        );
  if (config.WAITING_ROOM_ADMISSION_LOOP) waitingRoom.loop.start();
  opsConsole.sampler.start();
  const heartbeat = runtime.replicaHeartbeat({
    redis,
    metrics: ['khiw_gateway_queue_waiting', 'khiw_gateway_queue_active', 'khiw_gateway_queue_admitted_total'],
    checks,
    packageJson: path.resolve(__dirname, '../package.json'),
  });
  heartbeat.start();

  shutdown.add('admission loop', () => waitingRoom.loop.close());
  shutdown.add('event-loop lag', () => lag?.stop());
  shutdown.add('http', async () => {
    await Promise.all([server.close(), metricsServer?.close()]);
  });
  // Uploads in progress finish first: their rows are with the engine, their results to record.
  shutdown.add('organisation uploads', () => organisationUploads.close());
  shutdown.add('booking queue', () => bookingQueue.close());
  shutdown.add('ops console', () => opsConsole.close());
  shutdown.add('worker and roster connections', async () => {
    await Promise.all([worker.close(), roster.close()]);
  });
  shutdown.add('redis', async () => {
    await closeRedis(redis);
    await closeRedis(queueConnection);
  });
  logger.info(
    { port: server.port, metricsPort: metricsServer?.port, url: config.PUBLIC_BASE_URL },
    'gateway ready',
  );
}

runService('gateway', main);
