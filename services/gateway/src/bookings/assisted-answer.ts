import type { Response } from 'express';
import { sendProblem } from '../http/problem';
import type { AssistedAnswer } from './book-assisted.usecase';

/**
 * An assisted booking's answer (agents, partner stores and apps): a refusal as the error
 * envelope; 202 with the request's poll URL when the worker took longer than the wait; else
 * 201 for a new booking or standby place, 200 for the person's existing one.
 */
export function sendAssistedAnswer(res: Response, { requestId, created, outcome }: AssistedAnswer): void {
  if (outcome.status === 'rejected') return sendProblem(res, outcome.reason);
  if (outcome.status === 'pending') {
    res
      .status(202)
      .location(`/api/bookings/requests/${encodeURIComponent(requestId)}`)
      .json({ requestId, created, ...outcome });
    return;
  }
  res.status(created ? 201 : 200).json({ requestId, created, ...outcome });
}
