import express, { type Router } from 'express';
import type { Queue } from 'bullmq';
import { PROBLEMS, sendProblem } from '../http/problem';

/**
 * `GET /api/bookings/requests/:requestId`: what became of a submitted request. The booking
 * worker's result is the job's return value; until then the request is pending.
 */
export function bookingRequestRoutes(bookingQueue: Queue): Router {
  const router = express.Router();
  router.get('/api/bookings/requests/:requestId', async (req, res) => {
    const job = await bookingQueue.getJob(req.params.requestId);
    if (!job) return sendProblem(res, 404, PROBLEMS.notFound);
    const state = await job.getState();
    res.set('Cache-Control', 'no-store');
    if (state === 'completed' && job.returnvalue) {
      const outcome = job.returnvalue as { status: string; reason?: string } & Record<string, unknown>;
      const { status, reason, ...booking } = outcome;
      return res.json({ status, ...(reason && { reason }), ...(status === 'confirmed' && { booking }) });
    }
    if (state === 'failed' && job.attemptsMade >= (job.opts.attempts ?? 1)) {
      return res.json({ status: 'rejected', reason: 'PROCESSING_FAILED' });
    }
    res.json({ status: 'pending', pollAfterSeconds: 2 });
  });
  return router;
}
