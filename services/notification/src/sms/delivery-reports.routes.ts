import express, { type Router } from 'express';
import { z } from 'zod';
import type { Logger } from '@khiw/observability';
import type { NotificationMetrics } from '../metrics';
import { kannelDeliveryStatus } from './kannel.provider';
import type { SmsLedger } from './sms-ledger';

const DeliveryReportQuery = z.object({
  provider: z.literal('kannel'),
  smsId: z.uuid(),
  status: z.coerce.number().int().min(0).max(255),
});

/**
 * The SMS gateway's callback (Kannel's dlr-url). Every report is stored; the message only
 * moves forward, so reports arriving out of order, twice, or before the sender recorded
 * "sent" never make a delivered message look undelivered. A non-200 answer makes Kannel retry.
 */
export function deliveryReportRoutes(
  ledger: SmsLedger,
  logger: Logger,
  metrics: NotificationMetrics,
): Router {
  const router = express.Router();
  router.all('/sms/dlr', async (req, res) => {
    const parsed = DeliveryReportQuery.safeParse(req.query);
    if (!parsed.success) {
      res
        .status(400)
        .json({ error: 'invalid delivery report', issues: parsed.error.issues.map((i) => i.path.join('.')) });
      return;
    }
    const { smsId, status: providerStatus } = parsed.data;
    const status = kannelDeliveryStatus(providerStatus);
    const result = await ledger.recordDeliveryReport({
      smsId,
      providerStatus,
      status,
      raw: { ...req.query },
    });
    if (!result.known) {
      logger.warn({ smsId, providerStatus }, 'delivery report for an unknown message');
      res.status(404).json({ error: 'unknown message' });
      return;
    }
    metrics.deliveryReports.inc({ status });
    if (result.newStatus === 'delivered' && result.oldStatus !== 'delivered') metrics.delivered.inc();
    res.status(200).type('text/plain').send('ok');
  });
  return router;
}
