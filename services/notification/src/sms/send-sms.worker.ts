import { RateLimitError, UnrecoverableError, Worker, type ConnectionOptions } from 'bullmq';
import { parseMessage, QUEUES, SmsJob } from '@khiw/contracts';
import type { PrismaClient } from '@khiw/db';
import type { Counter, Logger } from '@khiw/observability';
import { SmsSendError, type SmsProvider } from './sms.provider';

export interface SendSmsWorkerOptions {
  connection: ConnectionOptions;
  prefix: string;
  prisma: PrismaClient;
  provider: SmsProvider;
  ratePerSecond: number;
  concurrency: number;
  logger: Logger;
  metrics: { sent: Counter };
}

/**
 * Sends queued SMS at the gateway's rate (BullMQ limiter). Transient failures retry with
 * exponential backoff and jitter; a throttled gateway pauses the whole queue (manual rate
 * limit); a permanent refusal fails once and is recorded. A message already handed to the
 * gateway is never sent again, even if its job runs twice.
 */
export function createSendSmsWorker(options: SendSmsWorkerOptions): Worker {
  const { connection, prefix, prisma, provider, ratePerSecond, concurrency, logger, metrics } = options;
  const worker: Worker = new Worker(
    QUEUES.sms,
    async (job) => {
      const parsed = parseMessage(SmsJob, job.data as object);
      if (!parsed.ok) throw new UnrecoverableError(`invalid sms job: ${parsed.reason}`);
      const sms = parsed.value;
      const row = await prisma.smsMessage.findUnique({ where: { id: sms.smsId }, select: { status: true } });
      if (row && row.status !== 'queued') return { skipped: row.status };
      try {
        const { providerMessageId } = await provider.send({
          smsId: sms.smsId,
          to: sms.phone,
          text: sms.text,
        });
        await prisma.smsMessage.updateMany({
          where: { id: sms.smsId, status: 'queued' },
          data: { status: 'sent', sentAt: new Date(), providerMessageId, attempts: { increment: 1 } },
        });
        metrics.sent.inc({ outcome: 'sent' });
        return { sent: true };
      } catch (error) {
        if (!(error instanceof SmsSendError)) throw error;
        await prisma.smsMessage.update({
          where: { id: sms.smsId },
          data: { attempts: { increment: 1 }, lastError: error.message.slice(0, 500) },
        });
        if (error.code === 'THROTTLED') {
          await worker.rateLimit(1000);
          throw new RateLimitError();
        }
        if (!error.retriable) {
          await prisma.smsMessage.update({ where: { id: sms.smsId }, data: { status: 'failed' } });
          metrics.sent.inc({ outcome: 'rejected' });
          throw new UnrecoverableError(error.message);
        }
        metrics.sent.inc({ outcome: 'retry' });
        throw error;
      }
    },
    { connection, prefix, concurrency, limiter: { max: ratePerSecond, duration: 1000 }, autorun: false },
  );
  worker.on('failed', (job, err) =>
    logger.warn({ jobId: job?.id, attempt: job?.attemptsMade, err: err.message }, 'sms attempt failed'),
  );
  worker.on('error', (err) => logger.error({ err }, 'sms worker error'));
  return worker;
}
