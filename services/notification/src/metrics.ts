import type { Queue } from 'bullmq';
import {
  Counter,
  Gauge,
  Histogram,
  refreshEvery,
  type Logger,
  type Refresh,
  type Registry,
} from '@khiw/observability';
import type { SmsLedger } from './sms/sms-ledger';

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;

/** Every metric of the service (khiw_notification_*); queue depth is read from Redis on scrape. */
export function createNotificationMetrics(registry: Registry, smsQueue: Queue) {
  const registers = [registry];
  new Gauge({
    name: 'khiw_notification_sms_queue_waiting_jobs',
    help: 'SMS jobs waiting to be sent (the backlog; drains at SMS_RATE_PER_SECOND)',
    registers,
    async collect() {
      const waiting = await within(smsQueue.getWaitingCount());
      if (waiting !== undefined) this.set(waiting);
    },
  });
  new Gauge({
    name: 'khiw_notification_sms_queue_jobs',
    help: 'SMS jobs by state: delayed holds reminders and retries, failed the ones given up',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await within(
        smsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized'),
      );
      for (const [state, count] of Object.entries(counts ?? {})) this.set({ state }, count);
    },
  });
  return {
    events: new Counter({
      name: 'khiw_notification_booking_events_total',
      help: 'Booking events consumed, by type and outcome',
      labelNames: ['type', 'outcome'],
      registers,
    }),
    attempts: new Counter({
      name: 'khiw_notification_sms_send_attempts_total',
      help: 'SMS send attempts by outcome (sent, retry, rejected, unavailable, throttled)',
      labelNames: ['outcome'],
      registers,
    }),
    sent: new Counter({
      name: 'khiw_notification_sms_sent_total',
      help: 'SMS accepted by the gateway, by kind (rate() of it is sent/s)',
      labelNames: ['kind'],
      registers,
    }),
    segments: new Counter({
      name: 'khiw_notification_sms_segments_sent_total',
      help: 'SMS parts accepted by the gateway (what the SMSC throughput counts)',
      registers,
    }),
    failed: new Counter({
      name: 'khiw_notification_sms_failed_total',
      help: 'SMS given up, by kind and whether the failure was permanent',
      labelNames: ['kind', 'permanent'],
      registers,
    }),
    deliveryReports: new Counter({
      name: 'khiw_notification_delivery_reports_total',
      help: 'Delivery reports received, by status',
      labelNames: ['status'],
      registers,
    }),
    delivered: new Counter({
      name: 'khiw_notification_sms_delivered_total',
      help: 'SMS reported delivered to the handset',
      registers,
    }),
    bookingToSms: new Histogram({
      name: 'khiw_notification_booking_to_sms_seconds',
      help: 'From the booking event (booking committed) to the SMS accepted by the gateway',
      buckets: [0.1, 0.25, 0.5, 1, 2, 5, 10, 30, 60, 300, 1800],
      registers,
    }),
    outboxPublished: new Counter({
      name: 'khiw_notification_events_published_total',
      help: 'notification.events published to Kafka',
      registers,
    }),
    outboxFailures: new Counter({
      name: 'khiw_notification_events_publish_failures_total',
      help: 'Failed attempts to publish a batch of notification.events (retried)',
      registers,
    }),
  };
}

/**
 * `khiw_notification_sms_oldest_unsent_seconds`, read from the ledger every few seconds (a
 * scan of the messages: too much for every scrape and heartbeat). The backlog-age alert's series.
 */
export function watchOldestUnsentSms(
  ledger: Pick<SmsLedger, 'oldestUnsentSeconds'>,
  registry: Registry,
  logger: Logger,
  intervalMs = 5000,
): Refresh {
  const gauge = new Gauge({
    name: 'khiw_notification_sms_oldest_unsent_seconds',
    help: 'Age of the oldest SMS not yet accepted by the SMS gateway (0 when none)',
    registers: [registry],
  });
  return refreshEvery({
    what: 'oldest unsent SMS',
    intervalMs,
    logger,
    refresh: async () => gauge.set(await ledger.oldestUnsentSeconds()),
  });
}

/**
 * The queue's answer, or undefined (the gauge keeps its last value) after `ms`: the blocking
 * Redis client waits for Redis forever, and a scrape that waited with it would make this
 * service look down while Redis is what is away.
 */
async function within<T>(answer: Promise<T>, ms = 1000): Promise<T | undefined> {
  let timer: NodeJS.Timeout | undefined;
  const late = new Promise<undefined>((resolve) => {
    timer = setTimeout(() => resolve(undefined), ms);
  });
  return Promise.race([answer.catch(() => undefined), late]).finally(() => clearTimeout(timer));
}
