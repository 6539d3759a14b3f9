import { timingSafeEqual } from 'node:crypto';
import express, { type NextFunction, type Request, type Response, type Router } from 'express';
import type { Queue } from 'bullmq';
import { z } from 'zod';
import {
  CancelRequest,
  INTERNAL_TOKEN_HEADER,
  LookupRequest,
  QuotaChange,
  QuotaTransfer,
  REJECTION_MESSAGES,
  RescheduleRequest,
  type InternalProblem,
  type RejectionCode,
} from '@khiw/contracts';
import type { Logger } from '@khiw/observability';
import type { SnapshotPublisher } from '../campaigns/snapshot-publisher';
import type { LoadCampaign } from '../campaigns/load-campaign.usecase';
import { QuotaError, type ChangeQuotas } from '../campaigns/quotas.usecase';
import { SelfServiceError, type SelfService } from '../bookings/self-service.usecase';

export interface InternalRoutesDeps {
  selfService: SelfService;
  quotas: ChangeQuotas;
  loadCampaign: LoadCampaign;
  snapshots: SnapshotPublisher;
  bookingQueue: Queue;
  logger: Logger;
  /** When set, every call must carry it in INTERNAL_TOKEN_HEADER. */
  token?: string;
}

const MESSAGES: Record<string, { th: string; en: string }> = {
  ...REJECTION_MESSAGES,
  INVALID_INPUT: { th: 'ข้อมูลไม่ถูกต้อง', en: 'Invalid input' },
  NOT_FOUND: {
    th: 'ไม่พบข้อมูลที่ตรงกับเลขบัตรประชาชนและวันเกิดนี้',
    en: 'Nothing matches this citizen ID and birth date.',
  },
  ALREADY_CANCELLED: { th: 'การจองนี้ถูกยกเลิกไปแล้ว', en: 'This booking is already cancelled.' },
  QUOTA_BELOW_BOOKED: {
    th: 'โควตาต่ำกว่าจำนวนที่จองไปแล้วไม่ได้',
    en: 'A quota cannot go below what its group has booked.',
  },
  QUOTAS_OVER_TOTAL: {
    th: 'โควตารวมทุกกลุ่มเกินจำนวนวัคซีนของแคมเปญ',
    en: 'The quotas would add up to more than the campaign’s doses.',
  },
  UNAUTHORIZED: { th: 'ไม่มีสิทธิ์', en: 'Not allowed' },
};

const STATUS: Record<string, number> = {
  INVALID_INPUT: 400,
  UNAUTHORIZED: 401,
  NOT_FOUND: 404,
  UNKNOWN_GROUP: 404,
  UNKNOWN_SLOT: 400,
};

function problem(res: Response, code: InternalProblem['code'], fields?: InternalProblem['fields']): void {
  res
    .status(STATUS[code] ?? 409)
    .set('Cache-Control', 'no-store')
    .json({ code, message: MESSAGES[code]!, ...(fields && { fields }) } satisfies InternalProblem);
}

function parse<S extends z.ZodType>(schema: S, body: unknown, res: Response): z.infer<S> | undefined {
  const result = schema.safeParse(body ?? {});
  if (result.success) return result.data;
  problem(
    res,
    'INVALID_INPUT',
    Object.fromEntries(
      result.error.issues.map((issue) => [
        issue.path.join('.') || '(body)',
        { th: 'ค่าไม่ถูกต้อง', en: issue.message },
      ]),
    ),
  );
  return undefined;
}

const wrap =
  (handler: (req: Request, res: Response) => Promise<void>) =>
  (req: Request, res: Response, next: NextFunction) =>
    handler(req, res).catch(next);

/**
 * The booking worker's HTTP API for the gateway (DESIGN.md section 4 routes are the
 * gateway's; these are what they call): self-service, request state, campaign set-up and
 * quotas. Bodies are the shared contracts in packages/contracts/src/booking-api.ts.
 */
export function internalRoutes(deps: InternalRoutesDeps): Router {
  const { selfService, quotas, loadCampaign, snapshots, bookingQueue, logger, token } = deps;
  const router = express.Router();
  router.use('/internal', express.json({ limit: '2mb' }));
  router.use('/internal', (req, res, next) => {
    if (!token) return next();
    const given = Buffer.from(String(req.get(INTERNAL_TOKEN_HEADER) ?? ''));
    const expected = Buffer.from(token);
    if (given.length === expected.length && timingSafeEqual(given, expected)) return next();
    problem(res, 'UNAUTHORIZED');
  });

  router.post(
    '/internal/appointments/lookup',
    wrap(async (req, res) => {
      const body = parse(LookupRequest, req.body, res);
      if (body) res.set('Cache-Control', 'no-store').json(await selfService.lookup(body.campaignId, body));
    }),
  );

  router.get(
    '/internal/requests/:requestId',
    wrap(async (req, res) => {
      res.set('Cache-Control', 'no-store').json(await selfService.request(String(req.params.requestId)));
    }),
  );

  router.post(
    '/internal/bookings/:bookingId/cancel',
    wrap(async (req, res) => {
      const body = parse(CancelRequest, req.body, res);
      if (!body) return;
      const result = await selfService.cancel(String(req.params.bookingId), body);
      logger.info(
        { bookingId: result.booking.bookingId, actor: body.actor, promoted: result.promoted },
        'booking cancelled',
      );
      // The person may book again: their finished request job must not answer for them.
      await bookingQueue.remove(result.requestId).catch(() => 0);
      snapshots.touch(result.campaignId);
      res.json({ booking: result.booking, promoted: result.promoted });
    }),
  );

  router.post(
    '/internal/bookings/:bookingId/reschedule',
    wrap(async (req, res) => {
      const body = parse(RescheduleRequest, req.body, res);
      if (!body) return;
      const { booking, campaignId } = await selfService.reschedule(String(req.params.bookingId), body);
      snapshots.touch(campaignId);
      res.json({ booking });
    }),
  );

  router.put(
    '/internal/campaigns/:campaignId',
    wrap(async (req, res) => {
      const campaignId = String(req.params.campaignId);
      if ((req.body as { id?: unknown } | undefined)?.id !== campaignId) {
        return problem(res, 'INVALID_INPUT', {
          id: { th: 'รหัสแคมเปญในไฟล์ต้องตรงกับที่อยู่', en: 'The file’s id must match the campaign in the path' },
        });
      }
      const summary = await loadCampaign.execute(req.body);
      await snapshots.publish(campaignId);
      res.json(summary);
    }),
  );

  router.patch(
    '/internal/campaigns/:campaignId/groups/:code',
    wrap(async (req, res) => {
      const body = parse(QuotaChange, req.body, res);
      if (!body) return;
      const campaignId = String(req.params.campaignId);
      const result = await quotas.set(campaignId, String(req.params.code), body.quota);
      snapshots.touch(campaignId, true);
      res.json(result);
    }),
  );

  router.post(
    '/internal/campaigns/:campaignId/quota-transfers',
    wrap(async (req, res) => {
      const body = parse(QuotaTransfer, req.body, res);
      if (!body) return;
      const campaignId = String(req.params.campaignId);
      const result = await quotas.transfer(campaignId, body.from, body.to, body.doses);
      snapshots.touch(campaignId, true);
      res.json(result);
    }),
  );

  router.use('/internal', (err: unknown, _req: Request, res: Response, next: NextFunction) => {
    if (err instanceof SelfServiceError || err instanceof QuotaError)
      return problem(res, err.code as RejectionCode);
    if (err instanceof z.ZodError) {
      return problem(
        res,
        'INVALID_INPUT',
        Object.fromEntries(
          err.issues.map((i) => [i.path.join('.') || '(body)', { th: 'ค่าไม่ถูกต้อง', en: i.message }]),
        ),
      );
    }
    if ((err as { type?: string }).type === 'entity.parse.failed') return problem(res, 'INVALID_INPUT');
    next(err);
  });
  return router;
}
