import express, { type Router } from 'express';
import { z } from 'zod';
import type { PrismaClient } from '@khiw/db';
import type { Counter, Logger } from '@khiw/observability';
import { kannelDeliveryStatus } from './kannel.provider';

const DeliveryReportQuery = z.object({
  provider: z.literal('kannel'),
  smsId: z.uuid(),
  status: z.coerce.number().int().min(0).max(255),
});

/**
 * The SMS gateway's callback. Every report is stored; the message's status only moves forward
 * (queued → sent/accepted → delivered, or failed), so reports arriving out of order, or
 * before the sender recorded "sent", never make a delivered message look undelivered.
 */
export function deliveryReportRoutes(prisma: PrismaClient, logger: Logger, reports: Counter): Router {
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
    const known = await prisma.smsMessage.findUnique({ where: { id: smsId }, select: { id: true } });
    if (!known) {
      logger.warn({ smsId, providerStatus }, 'delivery report for an unknown message');
      res.status(404).json({ error: 'unknown message' });
      return;
    }
    await prisma.$transaction([
      prisma.deliveryReport.create({ data: { smsId, providerStatus, status, raw: { ...req.query } } }),
      prisma.$executeRaw`UPDATE notification.sms_messages SET
          status = CASE
            WHEN ${status} = 'delivered' THEN 'delivered'
            WHEN ${status} = 'failed' AND status <> 'delivered' THEN 'failed'
            WHEN status = 'queued' THEN 'sent'
            ELSE status END,
          delivered_at = CASE WHEN ${status} = 'delivered' THEN now() ELSE delivered_at END,
          updated_at = now()
        WHERE id = ${smsId}::uuid`,
    ]);
    reports.inc({ status });
    res.status(200).type('text/plain').send('ok');
  });
  return router;
}
