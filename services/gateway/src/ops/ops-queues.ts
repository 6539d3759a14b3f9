import express, { type Router } from 'express';
import type { Queue } from 'bullmq';
import { createBullBoard } from '@bull-board/api';
import { BullMQAdapter } from '@bull-board/api/bullMQAdapter';
import { ExpressAdapter } from '@bull-board/express';
import { maskDeep } from '@khiw/observability';
import { authorize } from '../auth/authorize';
import { sendProblem } from '../http/problem';
import type { QueueTokens } from '../waiting-room/tokens/queue-tokens';

export const OPS_QUEUES_PATH = '/ops/queues';

/**
 * bull-board for the booking and sms queues at /ops/queues, for ops to see and retry failed
 * jobs. A browser reaches it with the `khiw_ops` session cookie (POST /api/admin/ops/session),
 * a script with the bearer header; without either, 401 in the gateway's JSON envelope. It shows
 * every campaign's jobs, so a token scoped to one campaign is refused (CAMPAIGN_FORBIDDEN).
 * Mounted at /ops/queues only: the rest of /ops/ is the console's static page.
 */
export function opsQueuesRoutes(deps: { tokens: QueueTokens; queues: Queue[] }): Router {
  const serverAdapter = new ExpressAdapter();
  serverAdapter.setBasePath(OPS_QUEUES_PATH);
  createBullBoard({
    queues: deps.queues.map((queue) => {
      const adapter = new BullMQAdapter(queue);
      // A job waiting for the worker still holds the person (a decided one no longer does):
      // the board shows it masked as a log line would be, the citizen ID's last digits only.
      adapter.setFormatter('data', (data) => maskDeep(data));
      return adapter;
    }),
    serverAdapter,
    options: { uiConfig: { boardTitle: 'khiw queues' } },
  });
  const board = serverAdapter.getRouter() as express.Express;
  board.disable('x-powered-by');
  const router = express.Router();
  router.use(OPS_QUEUES_PATH, authorize(deps.tokens)('USE', OPS_QUEUES_PATH), (_req, res, next) => {
    // Job data holds personal data: never cached anywhere.
    res.set('Cache-Control', 'no-store');
    next();
  });
  router.use(OPS_QUEUES_PATH, (req, res, next) => {
    // bull-board decodes the query itself and answers a malformed one (`%ED%A0%80`) with a 500.
    if (!decodable(req.url)) return sendProblem(res, 'INVALID_INPUT');
    next();
  });
  router.use(OPS_QUEUES_PATH, board);
  // An address the board does not serve: the JSON 404, not express's HTML page.
  router.use(OPS_QUEUES_PATH, (_req, res) => sendProblem(res, 'NOT_FOUND'));
  return router;
}

function decodable(url: string): boolean {
  try {
    decodeURIComponent(url);
    return true;
  } catch {
    return false;
  }
}
