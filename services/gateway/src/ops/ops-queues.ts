import express, { type Router } from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';
import { requireOpsSession } from './ops-session';

export const OPS_QUEUES_PATH = '/ops/queues';

/**
 * bull-board for the booking and sms queues at /ops/queues, for ops to see and retry failed
 * jobs. A browser reaches it with the `khiw_ops` session cookie (POST /api/admin/ops/session),
 * a script with the bearer header; without either, 401 in the gateway's JSON envelope.
 * Mounted at /ops/queues only: the rest of /ops/ is the console's static page.
 */
export function opsQueuesRoutes(deps: { tokens: QueueTokens; queues: Queue[] }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(OPS_QUEUES_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => new BullMQAdapter(queue)),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'khiw queues' } },
  });
  const board = serverAdapter.getRouter() as express.Express;
  board.disable('x-powered-by');
  const router = express.Router();
  router.use(OPS_QUEUES_PATH, requireOpsSession(deps.tokens), (_req, res, next) => {
    // Job data holds personal data: never cached anywhere.
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(OPS_QUEUES_PATH, board);
  return router;
}
