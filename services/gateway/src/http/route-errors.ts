import type { ErrorRequestHandler } from 'express';
import { problemFor } from '../waiting-room/waiting-room.problems';
import { WaitingRoomError } from '../waiting-room/waiting-room-error';
import { BookingWorkerUnavailable } from './booking-worker-client';
import { PROBLEMS, sendProblem } from './problem';

/**
 * Router-level errors of the booking routes: token refusals (401/403, Thai and English)
 * and an unreachable booking worker (503 with Retry-After). The rest goes on to the app's
 * problemHandler (body-parser 400/413, Redis down 503, 500).
 */
export function bookingRouteErrors(): ErrorRequestHandler {
  return (err, _req, res, next) => {
    if (err instanceof WaitingRoomError) {
      const { status, problem } = problemFor(err.code);
      if (status === 401) res.setHeader('WWW-Authenticate', `Bearer error="invalid_token"`);
      res.setHeader('Cache-Control', 'no-store');
      return sendProblem(res, status, problem);
    }
    if (err instanceof BookingWorkerUnavailable) {
      res.setHeader('Retry-After', '5');
      res.setHeader('Cache-Control', 'no-store');
      return sendProblem(res, 503, PROBLEMS.bookingServiceUnavailable);
    }
    next(err);
  };
}
