import type { Queue } from 'bullmq';
import { Counter, Gauge, Histogram, type Registry } from '@khiw/observability';

export type NotificationMetrics = ReturnType<typeof createNotificationMetrics>;

/** Every metric of the service (khiw_notification_*); queue depth is read from Redis on scrape. */
export function createNotificationMetrics(registry: Registry, smsQueue: Queue) {
  const registers = [registry];
  new Gauge({
    name: 'khiw_notification_sms_queue_waiting_jobs',
    help: 'SMS jobs waiting to be sent (the backlog; drains at SMS_RATE_PER_SECOND)',
    registers,
    async collect() {
      this.set(await smsQueue.getWaitingCount());
    },
  });
  new Gauge({
    name: 'khiw_notification_sms_queue_jobs',
    help: 'SMS jobs by state: delayed holds reminders and retries, failed the ones given up',
    labelNames: ['state'],
    registers,
    async collect() {
      const counts = await smsQueue.getJobCounts('waiting', 'active', 'delayed', 'failed', 'prioritized');
      for (const [state, count] of Object.entries(counts)) this.set({ state }, count);
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
